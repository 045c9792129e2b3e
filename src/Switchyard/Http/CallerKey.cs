using Switchyard.Keys;

namespace Switchyard.Http;

/// <summary>The API key a request was authenticated with (never the key text itself).</summary>
internal sealed record CallerKey(string Id, string Name, bool IsAdmin, KeyLimits Limits)
{
    private static readonly object ItemKey = new();

    public static CallerKey From(HttpContext context) =>
        context.Items[ItemKey] as CallerKey ?? throw new InvalidOperationException("The endpoint is not behind the API key filter.");

    public static void Set(HttpContext context, ApiKeyRecord record) => context.Items[ItemKey] = new CallerKey(record.Id, record.Name, record.IsAdmin, record.Limits);
}
