using Microsoft.Extensions.Logging;

namespace Switchyard.Tests.Common.Logging;

/// <summary>A logger that keeps every entry's level and event name.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string? EventName, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string? EventName, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, eventId.Name, formatter(state, exception)));
        }
    }
}
