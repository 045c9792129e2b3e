namespace Switchyard.Hosting;

/// <summary>The console lines meant for the person who started the gateway (admin key, ready line); tests read them.</summary>
internal sealed class GatewayOutput
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void WriteLine(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }

        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
