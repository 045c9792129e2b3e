namespace Switchyard.Cli;

/// <summary>The exit codes of the commands that read the ledger.</summary>
internal static class CliExitCodes
{
    /// <summary>The answer was printed.</summary>
    public const int Ok = 0;

    /// <summary>What was asked for is not there: no such run, or no database yet.</summary>
    public const int NotFound = 1;

    /// <summary>The config is invalid, or an option's value is.</summary>
    public const int BadConfig = 2;
}
