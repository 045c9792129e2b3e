using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Keys;
using Switchyard.Webhooks;

namespace Switchyard.Tests.Fixtures;

/// <summary>
/// A gateway with an admin key and two client keys, A and B, where B owns a run and an artifact (and the admin one
/// run): what isolation, fuzz and secrets tests act on.
/// </summary>
public class KeyWorld : IAsyncLifetime
{
    public KeyWorld()
        : this(new GatewayFactory())
    {
    }

    protected KeyWorld(GatewayFactory factory)
    {
        Factory = factory;
    }

    public GatewayFactory Factory { get; }

    public string KeyA { get; private set; } = "";

    public string KeyAId { get; private set; } = "";

    public string KeyB { get; private set; } = "";

    public string KeyBId { get; private set; } = "";

    /// <summary>A run of key B.</summary>
    public string RunB { get; private set; } = "";

    /// <summary>An artifact (image) of key B.</summary>
    public string ArtifactB { get; private set; } = "";

    /// <summary>A batch job of key B.</summary>
    public string JobB { get; private set; } = "";

    /// <summary>A webhook delivery of key B.</summary>
    public string DeliveryB { get; private set; } = "";

    /// <summary>A run of the admin key.</summary>
    public string RunAdmin { get; private set; } = "";

    /// <summary>A small PNG, for edits.</summary>
    public byte[] Png { get; private set; } = [];

    public HttpClient Client(string? key) => key is null ? Factory.CreateClient() : Factory.CreateClientWithKey(key);

    public virtual async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Factory.Services.GetRequiredService<IKeyStore>();
        var now = Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        (KeyA, var a) = ApiKeys.Create("tenant-a", isAdmin: false, now);
        (KeyB, var b) = ApiKeys.Create("tenant-b", isAdmin: false, now);
        await store.AddAsync(a, ct);
        await store.AddAsync(b, ct);
        (KeyAId, KeyBId) = (a.Id, b.Id);

        using var clientB = Client(KeyB);
        using var chat = await clientB.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "b's run" } } }, ct);
        RunB = HttpAssert.RunId(chat);
        using var image = await clientB.PostAsJsonAsync("/v1/images/generations", new { model = "placeholder/placeholder", prompt = "b's image", size = "256x256", response_format = "url" }, ct);
        var url = (await image.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data")[0].GetProperty("url").GetString()!;
        ArtifactB = new Uri(url).AbsolutePath.Split('/').Last();

        using var job = await clientB.PostAsJsonAsync("/v1/jobs", new { items = new[] { new { id = "card", type = "text", model = "text", prompt = "b's card" } } }, ct);
        JobB = (await job.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        DeliveryB = await Factory.Services.GetRequiredService<IWebhookOutbox>().EnqueueAsync(
            new WebhookMessage
            {
                OwnerKeyId = b.Id,
                Url = new Uri("https://hooks.example.invalid/b"),
                EventType = "job.completed",
                SubjectId = JobB,
                Data = JsonSerializer.SerializeToElement(new { id = JobB }),
            },
            ct);

        using var admin = Client(GatewayFactory.AdminKey);
        using var adminImage = await admin.PostAsJsonAsync("/v1/images/generations", new { model = "placeholder/placeholder", prompt = "an input", size = "256x256" }, ct);
        RunAdmin = HttpAssert.RunId(adminImage);
        Png = Convert.FromBase64String((await adminImage.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data")[0].GetProperty("b64_json").GetString()!);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
