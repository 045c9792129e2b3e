namespace Switchyard.Providers.OpenAI;

/// <summary>One server-sent event.</summary>
/// <param name="Name">The <c>event:</c> field, or null for the default <c>message</c>.</param>
/// <param name="Data">The <c>data:</c> lines, joined with newlines.</param>
internal sealed record ServerSentEvent(string? Name, string Data);
