using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Keys;

/// <summary>
/// Who may call what, for every endpoint the gateway maps. The matrix is data: a new endpoint fails
/// <see cref="Matrix_CoversEveryMappedEndpoint"/> until it gets an entry in <see cref="Entries"/>.
/// </summary>
public sealed class IsolationMatrixTests : IClassFixture<KeyWorld>
{
    private readonly KeyWorld _world;

    public IsolationMatrixTests(KeyWorld world)
    {
        _world = world;
    }

    /// <summary>Who may call an endpoint.</summary>
    public enum Access
    {
        /// <summary>Anyone, without a key (health probes).</summary>
        Public,

        /// <summary>Any valid key.</summary>
        AnyKey,

        /// <summary>A resource of one key: its owner and admin keys; any other key gets 404, never 403.</summary>
        Owned,

        /// <summary>Admin keys; a client key gets the documented 403 (<see cref="Entry.ClientCode"/>).</summary>
        Admin,
    }

    /// <summary>
    /// One endpoint: its method (<c>*</c>: any, requested with GET) and route pattern as mapped, who may call it, and how to make a request. For
    /// <see cref="Access.Owned"/>, <see cref="Path"/> is called with the owner's resource (key B's).
    /// </summary>
    public sealed record Entry(string Method, string Pattern, Access Access, Func<KeyWorld, string> Path, Func<KeyWorld, HttpContent>? Body = null, string? ClientCode = null)
    {
        public override string ToString() => $"{Method} {Pattern}";
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>
    /// Every endpoint. Add a line here with each new endpoint (jobs, webhook deliveries, key admin…): e.g.
    /// <c>new("GET", "/v1/jobs/{id}", Access.Owned, w => $"/v1/jobs/{w.JobB}")</c>.
    /// </summary>
    public static readonly IReadOnlyList<Entry> Entries =
    [
        new("GET", "/healthz", Access.Public, _ => "/healthz"),
        new("GET", "/readyz", Access.Public, _ => "/readyz"),
        new("*", "/metrics", Access.Admin, _ => "/metrics", ClientCode: "admin_required"),
        new("GET", "/v1/alerts", Access.Admin, _ => "/v1/alerts", ClientCode: "admin_key_required"),
        new("GET", "/v1/models", Access.AnyKey, _ => "/v1/models"),
        new("GET", "/v1/runs", Access.AnyKey, _ => "/v1/runs"),
        new("GET", "/v1/stats", Access.AnyKey, _ => "/v1/stats"),
        new("GET", "/v1/runs/{id}", Access.Owned, w => $"/v1/runs/{w.RunB}"),
        new("GET", "/v1/artifacts/{id}", Access.Owned, w => $"/v1/artifacts/{w.ArtifactB}"),
        new("POST", "/v1/chat/completions", Access.AnyKey, _ => "/v1/chat/completions", _ => Json("""{"model":"text","messages":[{"role":"user","content":"hi"}]}""")),
        new("POST", "/v1/images/generations", Access.AnyKey, _ => "/v1/images/generations", _ => Json("""{"model":"image","prompt":"x","size":"256x256"}""")),
        new("POST", "/v1/images/edits", Access.AnyKey, _ => "/v1/images/edits", w => Json($$"""{"model":"image","prompt":"x","image":"data:image/png;base64,{{Convert.ToBase64String(w.Png)}}"}""")),
        new("POST", "/v1/audio/speech", Access.AnyKey, _ => "/v1/audio/speech", _ => Json("""{"model":"speech","input":"hi","voice":"alloy","response_format":"wav"}""")),
        new("POST", "/v1/jobs", Access.AnyKey, _ => "/v1/jobs", _ => Json("""{"items":[{"id":"a","type":"text","model":"text","prompt":"hi"}]}""")),
        new("GET", "/v1/jobs/{id}", Access.Owned, w => $"/v1/jobs/{w.JobB}"),
        new("POST", "/v1/jobs/{id}/cancel", Access.Owned, w => $"/v1/jobs/{w.JobB}/cancel"),
        new("GET", "/v1/webhooks/deliveries", Access.AnyKey, _ => "/v1/webhooks/deliveries"),
        new("GET", "/v1/webhooks/deliveries/{id}", Access.Owned, w => $"/v1/webhooks/deliveries/{w.DeliveryB}"),
        new("POST", "/v1/webhooks/deliveries/{id}/resend", Access.Owned, w => $"/v1/webhooks/deliveries/{w.DeliveryB}/resend"),
    ];

    public static TheoryData<string> EntryNames => new(Entries.Select(e => e.ToString()));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Matrix_CoversEveryMappedEndpoint()
    {
        var mapped = _world.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            // The dashboard signs in with a cookie session, not a bearer key: DashboardAuthTests cover it.
            .Where(e => e.RoutePattern.RawText is not { } raw || !raw.StartsWith("/ui", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(Entries.Select(e => e.ToString()).Order(StringComparer.Ordinal), mapped);
    }

    [Theory]
    [MemberData(nameof(EntryNames))]
    public async Task NoKey_401UnlessPublic(string name)
    {
        var entry = Find(name);

        using var response = await SendAsync(entry, key: null);

        if (entry.Access == Access.Public)
        {
            Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode}");
        }
        else
        {
            await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, null, "invalid_api_key");
        }
    }

    [Theory]
    [MemberData(nameof(EntryNames))]
    public async Task WrongKey_401UnlessPublic(string name)
    {
        var entry = Find(name);

        using var response = await SendAsync(entry, "sy_AAAAAAAAAAAA_" + new string('x', 40));

        if (entry.Access != Access.Public)
        {
            await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, null, "invalid_api_key");
        }
    }

    [Theory]
    [MemberData(nameof(EntryNames))]
    public async Task OtherClientKey_OwnedIs404_AdminIsDocumented403_RestOk(string name)
    {
        var entry = Find(name);

        using var response = await SendAsync(entry, _world.KeyA);

        switch (entry.Access)
        {
            case Access.Owned:
                var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.NotFound, "id");
                Assert.DoesNotContain(_world.KeyBId, error.ToString(), StringComparison.Ordinal);
                break;
            case Access.Admin:
                await HttpAssert.ErrorAsync(response, HttpStatusCode.Forbidden, null, entry.ClientCode);
                break;
            default:
                Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(EntryNames))]
    public async Task OwnerKey_Ok_ExceptAdminEndpoints(string name)
    {
        var entry = Find(name);

        using var response = await SendAsync(entry, _world.KeyB);

        if (entry.Access == Access.Admin)
        {
            await HttpAssert.ErrorAsync(response, HttpStatusCode.Forbidden, null, entry.ClientCode);
        }
        else
        {
            Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    [Theory]
    [MemberData(nameof(EntryNames))]
    public async Task AdminKey_Ok(string name)
    {
        using var response = await SendAsync(Find(name), GatewayFactory.AdminKey);

        Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    [Fact]
    public async Task ClientKey_RunList_HoldsOnlyItsOwnRuns()
    {
        using var clientA = _world.Client(_world.KeyA);

        var list = await (await clientA.GetAsync("/v1/runs?limit=500", Ct)).Content.ReadAsStringAsync(Ct);

        Assert.DoesNotContain(_world.RunB, list, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.RunAdmin, list, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.KeyBId, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientKey_OtherKeysRunsByFilter_Refused()
    {
        using var clientA = _world.Client(_world.KeyA);

        using var runs = await clientA.GetAsync($"/v1/runs?key={_world.KeyBId}", Ct);
        using var stats = await clientA.GetAsync($"/v1/stats?key={_world.KeyBId}", Ct);

        await HttpAssert.ErrorAsync(runs, HttpStatusCode.Forbidden, "key", "key_not_allowed");
        await HttpAssert.ErrorAsync(stats, HttpStatusCode.Forbidden, "key", "key_not_allowed");
    }

    private static Entry Find(string name) => Entries.Single(e => e.ToString() == name);

    private async Task<HttpResponseMessage> SendAsync(Entry entry, string? key)
    {
        using var client = _world.Client(null);
        using var request = new HttpRequestMessage(new HttpMethod(entry.Method == "*" ? "GET" : entry.Method), entry.Path(_world)) { Content = entry.Body?.Invoke(_world) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request, Ct);
    }
}
