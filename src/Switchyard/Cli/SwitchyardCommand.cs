using System.CommandLine;

namespace Switchyard.Cli;

/// <summary>The <c>switchyard</c> command line.</summary>
internal static class SwitchyardCommand
{
    public static Task<int> RunAsync(string[] args) =>
        Create(CliEnvironment.System).Parse(ServeCommand.AdaptHostArguments(args)).InvokeAsync();

    /// <summary>The root command; the ledger commands write through <paramref name="env"/>, so tests can read what they print.</summary>
    public static RootCommand Create(CliEnvironment env) => new("Switchyard: a self-hosted AI generation gateway that never fails silently.")
    {
        ServeCommand.Create(),
        MigrateCommand.Create(),
        RunsCommand.Create(env),
        StatsCommand.Create(env),
        DoctorCommand.Create(env),
        KeysCommand.Create(env),
        JobsCommand.Create(env),
        BundleCommand.Create(env),
    };
}
