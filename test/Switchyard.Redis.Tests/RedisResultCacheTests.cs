using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Caching;
using Switchyard.Generation;

namespace Switchyard.Redis.Tests;

/// <summary>The result cache shared through a real Redis.</summary>
public sealed class RedisResultCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static string Key() => "test-" + Guid.NewGuid().ToString("N");

    private static RedisResultCache Shared(RedisConnection connection) => new(connection, NullLogger<RedisResultCache>.Instance);

    public static TheoryData<string> Kinds() => ["image", "chat", "speech"];

    private static object Output(string kind) => kind switch
    {
        "image" => new ImageOutput([new GeneratedImage(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 }, "image/png", 256, 128, "a revised lighthouse")]),
        "chat" => new ChatOutput("Hello there", "stop", 12, 3),
        _ => new SpeechOutput(new byte[] { 0x49, 0x44, 0x33, 9, 9 }, AudioFormat.Mp3, TimeSpan.FromMilliseconds(1500)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StoredByOneNode_ServedToAnother_WithEveryField(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        await using var a = new RedisConnection(url);
        await using var b = new RedisConnection(url);
        var nodeA = new ResultCache(new FakeTimeProvider(Start), Shared(a));
        var nodeB = new ResultCache(new FakeTimeProvider(Start), Shared(b));
        var key = Key();
        var output = Output(kind);

        Assert.Null(await nodeB.GetAsync(key, ct));
        await nodeA.SetAsync(key, new CachedResult(output, "sandbox-a", "sandbox", "m1", Start), TimeSpan.FromMinutes(5), ct);
        var hit = await nodeB.GetAsync(key, ct);

        Assert.NotNull(hit);
        Assert.Equal(("sandbox-a", "sandbox", "m1", Start), (hit.Provider, hit.ProviderType, hit.Model, hit.StoredAt));
        switch (output)
        {
            case ImageOutput image:
                var got = Assert.Single(Assert.IsType<ImageOutput>(hit.Output).Images);
                var want = image.Images[0];
                Assert.Equal(want.Data.ToArray(), got.Data.ToArray());
                Assert.Equal((want.ContentType, want.Width, want.Height, want.RevisedPrompt), (got.ContentType, got.Width, got.Height, got.RevisedPrompt));
                break;
            case ChatOutput chat:
                Assert.Equal(chat, hit.Output);
                break;
            case SpeechOutput speech:
                var audio = Assert.IsType<SpeechOutput>(hit.Output);
                Assert.Equal(speech.Audio.ToArray(), audio.Audio.ToArray());
                Assert.Equal((speech.Format, speech.Duration), (audio.Format, audio.Duration));
                break;
        }
    }

    [Fact]
    public async Task Entry_ExpiresWithItsTtl()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new RedisConnection(await RedisServer.GetUrlAsync());
        var key = Key();

        await Shared(connection).SetAsync(key, new CachedResult(Output("chat"), "p", "sandbox", null, Start), TimeSpan.FromSeconds(90), ct);

        var ttl = await (await connection.DatabaseAsync()).KeyTimeToLiveAsync(RedisConnection.Prefix + "cache:" + key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task RedisDown_IsAMissAndStoringDoesNotThrow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new RedisConnection("redis://127.0.0.1:1");
        var cache = new ResultCache(new FakeTimeProvider(Start), Shared(connection));
        var key = Key();

        await cache.SetAsync(key, new CachedResult(Output("chat"), "p", "sandbox", null, Start), TimeSpan.FromMinutes(1), ct);

        Assert.NotNull(await cache.GetAsync(key, ct)); // still served from this process
        Assert.Null(await cache.GetAsync(Key(), ct));
    }
}
