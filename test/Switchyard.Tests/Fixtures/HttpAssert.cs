using System.Net;
using System.Text.Json;

namespace Switchyard.Tests.Fixtures;

/// <summary>Checks of the OpenAI error shape and the ledger behind a response.</summary>
internal static class HttpAssert
{
    /// <summary>Asserts an OpenAI-shaped error with all four fields and returns the parsed body.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? param, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement.Clone();
        var error = root.GetProperty("error");
        foreach (var field in new[] { "message", "type", "param", "code" })
        {
            Assert.True(error.TryGetProperty(field, out _), $"error.{field} missing in {text}");
        }

        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        if (param is null)
        {
            Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        }
        else
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }

        return root;
    }

    /// <summary>Reads a run and its attempts through the API.</summary>
    public static async Task<JsonElement> RunAsync(HttpClient adminClient, string runId)
    {
        using var response = await adminClient.GetAsync($"/v1/runs/{runId}", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string RunId(HttpResponseMessage response) => response.Headers.GetValues("x-switchyard-run-id").Single();

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
