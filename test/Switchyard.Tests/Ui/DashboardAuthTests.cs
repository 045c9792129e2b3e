using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Keys;
using Switchyard.Tests.Fixtures;
using Switchyard.Ui;

namespace Switchyard.Tests.Ui;

/// <summary>The dashboard's sign-in, session cookie, antiforgery and security headers, in-process.</summary>
public sealed class DashboardAuthTests : IDisposable
{
    private readonly GatewayFactory _factory = new() { Time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero)) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("/ui")]
    [InlineData("/ui/runs?outcome=failed")]
    [InlineData("/ui/keys")]
    [InlineData("/ui/providers")]
    [InlineData("/ui/webhooks?status=failed")]
    public async Task Get_WithoutSession_RedirectsToLoginWithTheWayBack(string path)
    {
        using var client = DashboardClient.For(_factory);

        using var response = await client.Http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/login?next=" + Uri.EscapeDataString(path), response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Fragment_WithoutSession_Is401SoTheScriptReloads()
    {
        using var client = DashboardClient.For(_factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/overview/live");
        request.Headers.Add(UiEndpoints.FragmentHeader, "1");

        using var response = await client.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Login_AdminKey_SetsASignedSessionCookieWithSecureDefaultsAndNoKeyInIt()
    {
        using var client = DashboardClient.For(_factory);

        using var response = await client.LoginAsync(GatewayFactory.AdminKey, next: "/ui/runs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/runs", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(UiSession.CookieName + "=", StringComparison.Ordinal));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/ui", attributes);
        Assert.DoesNotContain("secure", attributes); // plain http here; https requests get Secure
        Assert.Contains($"max-age={(int)UiSession.Lifetime.TotalSeconds}", attributes);
        Assert.DoesNotContain(GatewayFactory.AdminKey, cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFactory.AdminKey.Split('_')[2], cookie, StringComparison.Ordinal);
        Assert.Contains("Runs", await client.GetPageAsync("/ui/runs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_OverHttps_MarksTheCookieSecure()
    {
        using var client = DashboardClient.For(_factory);
        client.Http.BaseAddress = new Uri("https://localhost");

        using var response = await client.LoginAsync(GatewayFactory.AdminKey);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(UiSession.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie.Split(';', StringSplitOptions.TrimEntries).Select(a => a.ToLowerInvariant()));
    }

    [Fact]
    public async Task Login_WrongKey_Is401WithTheFormAgainAndNoCookie()
    {
        using var client = DashboardClient.For(_factory);

        using var response = await client.LoginAsync("sy_TestAdmin001_wrongwrongwrongwrongwrongwrongwrongwrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(UiSession.CookieName, StringComparison.Ordinal)));
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("not a valid, active Switchyard key", page, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_NonAdminKey_Is403AndNamesTheKey()
    {
        var record = await AddKeyAsync(isAdmin: false);
        using var client = DashboardClient.For(_factory);

        using var response = await client.LoginAsync(record.Key);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"The key {record.Id} is not an admin key", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var after = await client.Http.GetAsync("/ui", Ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_Is400()
    {
        using var client = DashboardClient.For(_factory);
        await client.GetPageAsync("/ui/login");

        using var response = await client.PostFormAsync("/ui/login", new() { ["key"] = GatewayFactory.AdminKey });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This form has expired", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_NextElsewhere_GoesToTheDashboardInstead()
    {
        using var client = DashboardClient.For(_factory);

        using var response = await client.LoginAsync(GatewayFactory.AdminKey, next: "//evil.example/ui");

        Assert.Equal("/ui", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task CreateKey_WithoutAntiforgeryToken_Is400AndCreatesNothing()
    {
        using var client = await SignedInAsync();
        var before = await _factory.Services.GetRequiredService<IKeyStore>().ListAsync(Ct);

        using var response = await client.PostFormAsync("/ui/keys", new() { ["name"] = "sneaky" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before.Count, (await _factory.Services.GetRequiredService<IKeyStore>().ListAsync(Ct)).Count);
    }

    [Fact]
    public async Task CreateKey_WithAnotherSessionsToken_Is400()
    {
        using var other = await SignedInAsync();
        var foreignToken = await other.TokenAsync("/ui/keys");
        using var client = await SignedInAsync();

        using var response = await client.PostFormAsync("/ui/keys", new() { ["__csrf"] = foreignToken, ["name"] = "sneaky" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_WithToken_ShowsTheKeyOnceAndItWorks()
    {
        using var client = await SignedInAsync();
        var token = await client.TokenAsync("/ui/keys");

        using var response = await client.PostFormAsync("/ui/keys", new() { ["__csrf"] = token, ["name"] = "web <app>" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(Ct);
        var key = System.Text.RegularExpressions.Regex.Match(page, "sy_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}").Value;
        Assert.NotEmpty(key);
        Assert.Contains("web &lt;app&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("web <app>", page, StringComparison.Ordinal);
        using var api = _factory.CreateClientWithKey(key);
        using var models = await api.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.DoesNotContain(key, await client.GetPageAsync("/ui/keys"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateKey_EmptyName_Is400NamingTheField()
    {
        using var client = await SignedInAsync();
        var token = await client.TokenAsync("/ui/keys");

        using var response = await client.PostFormAsync("/ui/keys", new() { ["__csrf"] = token, ["name"] = "  " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("name: give the key a name", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeKey_WithToken_RevokesItForTheApi()
    {
        var record = await AddKeyAsync(isAdmin: false);
        using var client = await SignedInAsync();
        var token = await client.TokenAsync("/ui/keys");

        using var response = await client.PostFormAsync($"/ui/keys/{record.Id}/revoke", new() { ["__csrf"] = token });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var api = _factory.CreateClientWithKey(record.Key);
        using var models = await api.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Fact]
    public async Task Session_OfARevokedKey_StopsWorking()
    {
        var admin = await AddKeyAsync(isAdmin: true);
        using var client = DashboardClient.For(_factory);
        using (var login = await client.LoginAsync(admin.Key))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }

        await client.GetPageAsync("/ui/keys");
        await _factory.Services.GetRequiredService<IKeyStore>().RevokeAsync(admin.Id, _factory.Time!.GetUtcNow(), Ct);

        using var response = await client.Http.GetAsync("/ui/keys", Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/ui/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_AfterItsLifetime_AsksToSignInAgain()
    {
        using var client = await SignedInAsync();
        _factory.Time!.Advance(UiSession.Lifetime - TimeSpan.FromSeconds(1));
        await client.GetPageAsync("/ui/alerts");

        _factory.Time.Advance(TimeSpan.FromSeconds(1));

        using var response = await client.Http.GetAsync("/ui/alerts", Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task Session_TamperedCookie_IsRefused()
    {
        using var client = DashboardClient.For(_factory);
        using var login = await client.LoginAsync(GatewayFactory.AdminKey);
        var value = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(UiSession.CookieName, StringComparison.Ordinal)).Split(';')[0][(UiSession.CookieName.Length + 1)..];
        var forged = value.Replace("key_TestAdmin001", "key_Someoneelse1", StringComparison.Ordinal);
        using var fresh = DashboardClient.For(_factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui");
        request.Headers.Add("Cookie", $"{UiSession.CookieName}={forged}");

        using var response = await fresh.Http.SendAsync(request, Ct);

        Assert.NotEqual(value, forged);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task Logout_WithToken_EndsTheSession()
    {
        using var client = await SignedInAsync();
        var token = await client.TokenAsync("/ui");

        using var response = await client.PostFormAsync("/ui/logout", new() { ["__csrf"] = token });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        using var after = await client.Http.GetAsync("/ui", Ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [InlineData("/ui/login")]
    [InlineData("/ui")]
    [InlineData("/ui/runs")]
    [InlineData("/ui/webhooks")]
    public async Task Pages_CarryTheSecurityHeaders(string path)
    {
        using var client = await SignedInAsync();

        using var response = await client.Http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=\"/ui/assets/)", html);
        Assert.DoesNotContain(" style=\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_AreServedFromTheGatewayWithoutSignIn()
    {
        using var client = DashboardClient.For(_factory);

        using var css = await client.Http.GetAsync("/ui/assets/dashboard.css", Ct);
        using var js = await client.Http.GetAsync("/ui/assets/dashboard.js", Ct);
        using var other = await client.Http.GetAsync("/ui/assets/other.js", Ct);

        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        Assert.Equal("text/javascript", js.Content.Headers.ContentType!.MediaType);
        Assert.Contains("data-refresh", await js.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task RunPage_PromptWithMarkup_IsShownAsText()
    {
        using var api = _factory.CreateClientWithKey();
        using var generation = await api.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "<script>alert('x')</script><img src=x onerror=alert(1)> [fail:unavailable]" }, Ct);
        var runId = HttpAssert.RunId(generation);
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync($"/ui/runs/{runId}");
        var list = await client.GetPageAsync("/ui/runs");

        foreach (var html in new[] { page, list })
        {
            Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunPage_UnknownRun_Is404Page()
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync("/ui/runs/run_nope", HttpStatusCode.NotFound);

        Assert.Contains("No run <code>run_nope</code>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_BadFilter_Is400NamingTheParameter()
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync("/ui/runs?since=soon", HttpStatusCode.BadRequest);

        Assert.Contains("since: &#x27;soon&#x27; is not a time", page, StringComparison.Ordinal);
        Assert.Matches("id=\"f-since\"[^>]*aria-invalid=\"true\"", page);
    }

    private async Task<DashboardClient> SignedInAsync()
    {
        var client = DashboardClient.For(_factory);
        using var response = await client.LoginAsync(GatewayFactory.AdminKey);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private async Task<(string Id, string Key)> AddKeyAsync(bool isAdmin)
    {
        using var warmUp = _factory.CreateClient();
        var (key, record) = ApiKeys.Create(isAdmin ? "second-admin" : "app", isAdmin, _factory.Time!.GetUtcNow());
        await _factory.Services.GetRequiredService<IKeyStore>().AddAsync(record, Ct);
        return (record.Id, key);
    }
}
