namespace Switchyard.Storage.Tests;

/// <summary>The instant the storage tests are anchored at.</summary>
internal static class StorageTestTime
{
    /// <summary>A fixed start; whole seconds, so every backend's time precision keeps it.</summary>
    public static DateTimeOffset Start { get; } = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
}
