using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Ui;

/// <summary>A browser-like client of the in-process dashboard: keeps cookies, does not follow redirects, reads the forms' antiforgery tokens.</summary>
internal sealed partial class DashboardClient : IDisposable
{
    private DashboardClient(HttpClient http)
    {
        Http = http;
    }

    public HttpClient Http { get; }

    public static DashboardClient For(GatewayFactory factory) => For((WebApplicationFactory<Program>)factory);

    public static DashboardClient For(WebApplicationFactory<Program> factory) =>
        new(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Signs in with <paramref name="key"/> through the form, as a person would; returns the answer to the POST.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string key, string next = "/ui")
    {
        var token = await TokenAsync("/ui/login");
        return await PostFormAsync("/ui/login", new() { ["__csrf"] = token, ["key"] = key, ["next"] = next });
    }

    /// <summary>The antiforgery token of the first form on <paramref name="path"/>.</summary>
    public async Task<string> TokenAsync(string path)
    {
        var page = await GetPageAsync(path);
        return CsrfField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"No antiforgery field on {path}:\n{page}");
    }

    public async Task<string> GetPageAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"GET {path}: expected {(int)expected}, got {(int)response.StatusCode} {response.Headers.Location}\n{text}");
        return text;
    }

    public async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await Http.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
