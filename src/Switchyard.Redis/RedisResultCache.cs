using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchyard.Caching;
using Switchyard.Generation;

namespace Switchyard.Redis;

/// <summary>
/// The result cache shared through Redis: each entry is the output as JSON (bytes as base64) under
/// a key that expires with its TTL. Redis being unreachable is a miss, logged, never a failed request.
/// </summary>
public sealed partial class RedisResultCache : ISharedResultCache
{
    /// <summary>The largest output kept in Redis (bigger ones stay in the process that made them).</summary>
    public const int MaxEntryBytes = 8 << 20;

    private const string KeyPrefix = RedisConnection.Prefix + "cache:";

    private readonly RedisConnection _connection;
    private readonly ILogger<RedisResultCache> _logger;

    /// <summary>Stores in <paramref name="connection"/>'s Redis.</summary>
    public RedisResultCache(RedisConnection connection, ILogger<RedisResultCache> logger)
    {
        _connection = connection;
        _logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask<CachedResult?> GetAsync(string key, CancellationToken cancellationToken)
    {
        RedisValue value;
        try
        {
            value = await (await _connection.DatabaseAsync().ConfigureAwait(false)).StringGetAsync(KeyPrefix + key).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.Unavailable(_logger, ex.Message);
            return null;
        }

        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var entry = JsonSerializer.Deserialize((byte[])value!, CacheJsonContext.Default.CacheEntry);
        return entry?.ToResult();
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string key, CachedResult result, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (CacheEntry.From(result) is not { } entry)
        {
            return;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(entry, CacheJsonContext.Default.CacheEntry);
        if (json.Length > MaxEntryBytes)
        {
            return;
        }

        try
        {
            await (await _connection.DatabaseAsync().ConfigureAwait(false)).StringSetAsync(KeyPrefix + key, json, ttl).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.Unavailable(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 902, EventName = "SharedCacheUnavailable", Level = LogLevel.Warning, Message = "The shared result cache in Redis could not be used ({Reason}); treated as a miss")]
        public static partial void Unavailable(ILogger logger, string reason);
    }
}

/// <summary>A cached result as stored in Redis.</summary>
internal sealed record CacheEntry
{
    public required string Kind { get; init; }

    public required string Provider { get; init; }

    public required string ProviderType { get; init; }

    public string? Model { get; init; }

    public required DateTimeOffset StoredAt { get; init; }

    public IReadOnlyList<CachedImage>? Images { get; init; }

    public ChatOutput? Chat { get; init; }

    public ReadOnlyMemory<byte> Audio { get; init; }

    public AudioFormat AudioFormat { get; init; }

    public TimeSpan AudioDuration { get; init; }

    public static CacheEntry? From(CachedResult result)
    {
        var entry = new CacheEntry { Kind = "", Provider = result.Provider, ProviderType = result.ProviderType, Model = result.Model, StoredAt = result.StoredAt };
        return result.Output switch
        {
            ImageOutput image => entry with { Kind = "image", Images = [.. image.Images.Select(i => new CachedImage(i.Data, i.ContentType, i.Width, i.Height, i.RevisedPrompt))] },
            ChatOutput chat => entry with { Kind = "chat", Chat = chat },
            SpeechOutput speech => entry with { Kind = "speech", Audio = speech.Audio, AudioFormat = speech.Format, AudioDuration = speech.Duration },
            _ => null,
        };
    }

    public CachedResult? ToResult()
    {
        object? output = Kind switch
        {
            "image" when Images is not null => new ImageOutput([.. Images.Select(i => new GeneratedImage(i.Data, i.ContentType, i.Width, i.Height, i.RevisedPrompt))]),
            "chat" when Chat is not null => Chat,
            "speech" => new SpeechOutput(Audio, AudioFormat, AudioDuration),
            _ => null,
        };
        return output is null ? null : new CachedResult(output, Provider, ProviderType, Model, StoredAt);
    }
}

/// <summary>One cached image.</summary>
internal sealed record CachedImage(ReadOnlyMemory<byte> Data, string ContentType, int Width, int Height, string? RevisedPrompt);

[JsonSerializable(typeof(CacheEntry))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
