using System.Text.Json;

namespace Switchyard.Tests.Common.Emulators;

/// <summary>A request an emulator received: method, path, headers (names lower-cased) and body.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The body parsed as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The text fields of a multipart body.</summary>
    public IReadOnlyDictionary<string, string> Form { get; init; } = new Dictionary<string, string>();

    /// <summary>The file parts of a multipart body, in order.</summary>
    public IReadOnlyList<FilePart> Files { get; init; } = [];

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>A file part of a multipart request: its field name, file name, media type and bytes.</summary>
public sealed record FilePart(string Name, string FileName, string ContentType, byte[] Data);
