using System.CommandLine;
using Spectre.Console;
using Switchyard.Diagnostics;
using Switchyard.Hosting;

namespace Switchyard.Cli;

/// <summary><c>switchyard doctor [--config FILE] [--json]</c>: one line per check with its cause and its fix; exit 0 when nothing fails.</summary>
internal static class DoctorCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = CliOptions.Config();
        var json = CliOptions.Json();
        var timeout = new Option<int>("--probe-timeout") { Description = "Seconds to wait for each provider's probe (default 10).", DefaultValueFactory = _ => 10 };
        var command = new Command("doctor", "Check the config, its secrets, the database, storage and each provider and route; name the cause and the fix of every problem.")
        {
            config, json, timeout,
        };
        command.SetAction(async (result, cancellationToken) =>
            await RunAsync(env, result.GetValue(config), result.GetValue(json), TimeSpan.FromSeconds(Math.Clamp(result.GetValue(timeout), 1, 120)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, string? configPath, bool json, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        var path = configPath ?? (env.Variable(GatewayHost.ConfigPathSetting) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        var checks = await new Doctor(env.Variable, env.Time, probeTimeout).RunAsync(path, cancellationToken);
        var failed = checks.Any(c => c.Status == CheckStatus.Fail);
        if (json)
        {
            await CliOptions.WriteJsonAsync(env, new DoctorReport(!failed, checks), DoctorJsonContext.Default.DoctorReport);
        }
        else
        {
            Write(env.Human, checks, path);
        }

        return failed ? CliExitCodes.NotFound : CliExitCodes.Ok;
    }

    private static void Write(IAnsiConsole console, IReadOnlyList<DoctorCheck> checks, string? path)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"switchyard doctor: {Markup.Escape(path ?? "embedded default config")}");
        table.AddColumn("status");
        table.AddColumn("check");
        table.AddColumn("cause");
        table.AddColumn("fix");
        foreach (var check in checks)
        {
            var status = check.Status switch
            {
                CheckStatus.Ok => "[green]ok[/]",
                CheckStatus.Warn => "[yellow]warn[/]",
                _ => "[red]fail[/]",
            };
            table.AddRow(status, Markup.Escape($"{check.Area}: {check.Subject}"), Markup.Escape(check.Cause), Markup.Escape(check.Fix ?? ""));
        }

        console.Write(table);
        var fails = checks.Count(c => c.Status == CheckStatus.Fail);
        var warns = checks.Count(c => c.Status == CheckStatus.Warn);
        console.MarkupLine(fails == 0
            ? $"[green]no failures[/] ({warns} warning{(warns == 1 ? "" : "s")})"
            : $"[red]{fails} failure{(fails == 1 ? "" : "s")}[/], {warns} warning{(warns == 1 ? "" : "s")}: fix the lines marked fail, then run doctor again");
    }
}
