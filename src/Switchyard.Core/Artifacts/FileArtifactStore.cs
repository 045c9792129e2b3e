using System.Security.Cryptography;
using System.Text.Json;

namespace Switchyard.Artifacts;

/// <summary>
/// Stores artifacts as files in a local folder: <c>{folder}/{shard}/{id}.{ext}</c> with the facts in <c>{id}.json</c> beside it.
/// An artifact becomes visible only once both files are in place, each written to a temporary file and moved.
/// </summary>
public sealed class FileArtifactStore : IArtifactStore
{
    private const string IdPrefix = ArtifactIds.Prefix;

    private readonly string _folder;
    private readonly TimeProvider _time;

    /// <summary>Creates a store over <paramref name="folder"/>, creating it when missing.</summary>
    /// <param name="folder">Where the files go.</param>
    /// <param name="time">The clock for <see cref="ArtifactInfo.CreatedAt"/>.</param>
    public FileArtifactStore(string folder, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(time);
        _folder = Path.GetFullPath(folder);
        _time = time;
        Directory.CreateDirectory(_folder);
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactInfo> SaveAsync(ReadOnlyMemory<byte> content, string contentType, string? ownerKeyId, string? runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);

        var id = ArtifactIds.New();
        var info = new ArtifactInfo
        {
            Id = id,
            ContentType = contentType,
            Bytes = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span)),
            OwnerKeyId = ownerKeyId,
            RunId = runId,
            CreatedAt = _time.GetUtcNow(),
        };

        var folder = ShardFolder(id);
        Directory.CreateDirectory(folder);
        var contentPath = ContentPath(folder, id, contentType);
        await WriteAtomicallyAsync(contentPath, content, cancellationToken).ConfigureAwait(false);
        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(info, ArtifactJsonContext.Default.ArtifactInfo);
            await WriteAtomicallyAsync(SidecarPath(folder, id), json, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Without its sidecar the content can never be found; don't leave it behind.
            TryDelete(contentPath);
            throw;
        }

        return info;
    }

    /// <inheritdoc />
    /// <remarks>Returns null for ids that are not of the <c>art_</c> + letters and digits form.</remarks>
    public async ValueTask<ArtifactInfo?> GetInfoAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        var sidecar = SidecarPath(ShardFolder(id), id);
        FileStream stream;
        try
        {
            stream = new FileStream(sidecar, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.Asynchronous);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            var info = await JsonSerializer.DeserializeAsync(stream, ArtifactJsonContext.Default.ArtifactInfo, cancellationToken).ConfigureAwait(false);
            if (info is null || !string.Equals(info.Id, id, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The sidecar of artifact '{id}' does not describe it.");
            }

            return info;
        }
    }

    /// <inheritdoc />
    /// <remarks>Returns null for ids that are not of the <c>art_</c> + letters and digits form.</remarks>
    public async ValueTask<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken)
    {
        var info = await GetInfoAsync(id, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            return null;
        }

        try
        {
            return new FileStream(
                ContentPath(ShardFolder(id), id, info.ContentType),
                FileMode.Open,
                FileAccess.Read,
                FileShare.Read | FileShare.Delete,
                bufferSize: 81920,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> DeleteCreatedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_folder))
        {
            return 0;
        }

        var removed = 0;
        foreach (var sidecar in Directory.EnumerateFiles(_folder, IdPrefix + "*.json", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Path.GetFileNameWithoutExtension(sidecar);
            if (await GetInfoAsync(id, cancellationToken).ConfigureAwait(false) is not { } info || info.CreatedAt >= cutoff)
            {
                continue;
            }

            // Content first: an artifact without its sidecar is never served, one without content would be a broken link.
            File.Delete(ContentPath(ShardFolder(id), id, info.ContentType));
            File.Delete(sidecar);
            removed++;
        }

        return removed;
    }

    /// <summary>The file extension used for a media type (parameters such as <c>charset</c> are ignored).</summary>
    internal static string ExtensionFor(string contentType)
    {
        var separator = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (separator >= 0 ? contentType[..separator] : contentType).Trim().ToLowerInvariant();
        return mediaType switch
        {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/webp" => "webp",
            "audio/wav" or "audio/wave" or "audio/x-wav" or "audio/vnd.wave" => "wav",
            "audio/mpeg" or "audio/mp3" => "mp3",
            "audio/ogg" or "audio/opus" => "ogg",
            "audio/flac" or "audio/x-flac" => "flac",
            "audio/aac" => "aac",
            "audio/pcm" or "audio/l16" => "pcm",
            "application/json" => "json",
            _ when mediaType.StartsWith("text/", StringComparison.Ordinal) => "txt",
            _ => "bin",
        };
    }

    /// <summary>Whether <paramref name="id"/> is <c>art_</c> followed by ASCII letters and digits only, so it can't leave the folder.</summary>
    internal static bool IsValidId(string? id) => ArtifactIds.IsValid(id);

    // Two characters of the id spread the files over 3,844 folders.
    private string ShardFolder(string id) => Path.Combine(_folder, id.Substring(IdPrefix.Length, 2));

    // JSON content must not take the sidecar's name ({id}.json).
    private static string ContentPath(string folder, string id, string contentType) =>
        Path.Combine(folder, id + (ExtensionFor(contentType) is "json" ? ".data.json" : "." + ExtensionFor(contentType)));

    private static string SidecarPath(string folder, string id) => Path.Combine(folder, id + ".json");

    private static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temporary = path + "." + ArtifactIds.Random(8) + ".tmp";
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 81920, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

                // Reach the disk before the move, so a crash never leaves a visible but truncated file.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
