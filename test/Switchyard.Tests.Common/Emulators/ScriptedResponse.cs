namespace Switchyard.Tests.Common.Emulators;

/// <summary>An answer a test queues for the emulator's next request, instead of its normal behaviour.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body text.</param>
/// <param name="ContentType">Its media type.</param>
/// <param name="Headers">Extra response headers.</param>
/// <param name="Delay">How long to wait before answering.</param>
public sealed record ScriptedResponse(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan? Delay = null);
