using System.CommandLine;

namespace Switchyard.Cli;

/// <summary>The <c>switchyard</c> command line.</summary>
internal static class SwitchyardCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Switchyard: a self-hosted AI generation gateway that never fails silently.")
        {
            ServeCommand.Create(),
            MigrateCommand.Create(),
        };
        return root.Parse(ServeCommand.AdaptHostArguments(args)).InvokeAsync();
    }
}
