namespace Switchyard.Http;

/// <summary>Run ids: <c>run_</c> and a time-ordered UUIDv7, so ids sort by start time.</summary>
internal static class RunIds
{
    public static string New(TimeProvider time) => "run_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
