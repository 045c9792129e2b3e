using System.Text;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// Reads <c>text/event-stream</c> line by line: <c>data:</c> lines (several join with a newline) make one event,
/// dispatched on a blank line or at the end; <c>event:</c> names it; <c>:</c> comments and other fields are skipped.
/// </summary>
internal sealed class ServerSentEventReader
{
    private readonly TextReader _reader;

    public ServerSentEventReader(TextReader reader)
    {
        _reader = reader;
    }

    /// <summary>The next event, or null at the end of the stream. Transport errors propagate to the caller.</summary>
    public async ValueTask<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        StringBuilder? data = null;
        string? name = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return data is null ? null : new ServerSentEvent(name, data.ToString());
            }

            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return new ServerSentEvent(name, data.ToString());
                }

                name = null;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                case "event":
                    name = value;
                    break;
            }
        }
    }
}
