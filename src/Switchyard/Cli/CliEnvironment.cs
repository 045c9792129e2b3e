using Spectre.Console;

namespace Switchyard.Cli;

/// <summary>
/// Where a command writes and what it reads from its surroundings: tables go to <see cref="Human"/>, <c>--json</c>
/// documents to <see cref="Out"/>, problems to <see cref="Error"/>. Tests pass their own writers and clock.
/// </summary>
internal sealed class CliEnvironment
{
    private const int RedirectedWidth = 200;

    private IAnsiConsole? _human;

    public CliEnvironment(IAnsiConsole human, TextWriter output, TextWriter error, TimeProvider time, Func<string, string?> variable)
        : this(output, error, time, variable)
    {
        _human = human;
    }

    // Without a console the process's own is made on first use: `serve` never prints a table, so it never loads
    // Spectre.Console (about 1 MB of mapped code in a process whose memory is budgeted).
    private CliEnvironment(TextWriter output, TextWriter error, TimeProvider time, Func<string, string?> variable)
    {
        Out = output;
        Error = error;
        Time = time;
        Variable = variable;
    }

    /// <summary>The process's console, clock and environment variables.</summary>
    public static CliEnvironment System => new(Console.Out, Console.Error, TimeProvider.System, Environment.GetEnvironmentVariable);

    private static IAnsiConsole SystemConsole()
    {
        var console = AnsiConsole.Console;

        // Piped into a file or a pager there is no terminal width; 80 columns would wrap every table.
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Readable output: tables and colours (plain when redirected).</summary>
    public IAnsiConsole Human => _human ??= SystemConsole();

    /// <summary>Standard output, for exactly one JSON document with <c>--json</c>.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: what went wrong and how to fix it.</summary>
    public TextWriter Error { get; }

    public TimeProvider Time { get; }

    /// <summary>Reads an environment variable (<c>SWITCHYARD_CONFIG</c>, the config's <c>${NAME}</c> secrets).</summary>
    public Func<string, string?> Variable { get; }

    /// <summary>
    /// Every environment variable, for the support bundle, which masks the values of those whose names look secret
    /// wherever they appear. Default: the process's environment.
    /// </summary>
    public Func<IReadOnlyDictionary<string, string>> AllVariables { get; init; } = ProcessVariables;

    /// <summary>The handler the commands that call the gateway's API send through (tests pass the in-process server's). Null: the network.</summary>
    public Func<HttpMessageHandler>? HttpHandler { get; init; }

    private static Dictionary<string, string> ProcessVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    /// <summary>A console writing plain text (no colours, no cursor codes) to <paramref name="output"/>, wide enough that tables do not wrap.</summary>
    public static IAnsiConsole PlainConsole(TextWriter output, int width = 240)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        return console;
    }
}
