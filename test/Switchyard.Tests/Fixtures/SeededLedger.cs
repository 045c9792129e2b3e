using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Keys;

namespace Switchyard.Tests.Fixtures;

/// <summary>
/// A gateway with a known mix of runs in its ledger, made through the API with the sandbox's prompt directives:
/// <list type="bullet">
/// <item><c>Plain</c>: image, served by sandbox-a (success, tier 0).</item>
/// <item><c>FirstTierDown</c>: image, sandbox-a unavailable, served by sandbox-b (degraded, tier 1).</item>
/// <item><c>AllDown</c>: image, both sandboxes unavailable, served by the placeholder (degraded, tier 2).</item>
/// <item><c>Rejected</c>: strict-image, content_rejected with on_content_rejected: fail (failed).</item>
/// <item><c>OddSize</c>: image 640x480, both sandboxes skipped not_capable, the placeholder serves (degraded, tier 2).</item>
/// <item><c>Preset</c>: the watercolor preset on image, served by sandbox-a (success).</item>
/// <item><c>Text</c>: a chat completion on text, served by sandbox-a/sandbox-text (success).</item>
/// <item><c>OtherKey</c>: image by a second, non-admin key (success).</item>
/// </list>
/// Ids are in creation order, so newest first is the reverse.
/// </summary>
public sealed class SeededLedger : IAsyncLifetime
{
    public const string AdminKeyId = "key_TestAdmin001";

    public GatewayFactory Factory { get; } = new();

    public string OtherKey { get; private set; } = "";

    public string OtherKeyId { get; private set; } = "";

    public Dictionary<string, string> Runs { get; } = new(StringComparer.Ordinal);

    /// <summary>Every run id, in creation order.</summary>
    public List<string> InOrder { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Factory.CreateClientWithKey();
        var (otherKey, record) = ApiKeys.Create("app", isAdmin: false, DateTimeOffset.UtcNow);
        await Factory.Services.GetRequiredService<IKeyStore>().AddAsync(record, ct);
        OtherKey = otherKey;
        OtherKeyId = record.Id;

        await PostAsync(admin, "Plain", "/v1/images/generations", new { model = "image", prompt = "a lighthouse" });
        await PostAsync(admin, "FirstTierDown", "/v1/images/generations", new { model = "image", prompt = "a fox [fail:unavailable@sandbox-a]" });
        await PostAsync(admin, "AllDown", "/v1/images/generations", new { model = "image", prompt = "a storm [fail:unavailable]" });
        await PostAsync(admin, "Rejected", "/v1/images/generations", new { model = "strict-image", prompt = "a statue [fail:content_rejected]" });
        await PostAsync(admin, "OddSize", "/v1/images/generations", new { model = "image", prompt = "odd size", size = "640x480" });
        await PostAsync(admin, "Preset", "/v1/images/generations", new { model = "watercolor", prompt = "a harbour" });
        await PostAsync(admin, "Text", "/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hello" } } });
        using var other = Factory.CreateClientWithKey(otherKey);
        await PostAsync(other, "OtherKey", "/v1/images/generations", new { model = "image", prompt = "a boat" });
        await WaitUntilRecordedAsync(admin, ct);
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();

    private async Task PostAsync(HttpClient client, string name, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        var id = HttpAssert.RunId(response);
        Runs.Add(name, id);
        InOrder.Add(id);

        // Distinct start times keep the order of the list independent of id tie-breaks.
        await Task.Delay(5, TestContext.Current.CancellationToken);
    }

    // The ledger may write behind the response; wait until every run has finished in it.
    private async Task WaitUntilRecordedAsync(HttpClient admin, CancellationToken ct)
    {
        for (var i = 0; i < 100; i++)
        {
            var page = await admin.GetFromJsonAsync<JsonElement>("/v1/runs?limit=500", ct);
            var finished = page.GetProperty("data").EnumerateArray().Count(r => r.GetProperty("outcome").ValueKind == JsonValueKind.String);
            if (finished >= InOrder.Count)
            {
                return;
            }

            await Task.Delay(50, ct);
        }

        throw new InvalidOperationException("The seeded runs did not all reach the ledger within 5 seconds.");
    }
}
