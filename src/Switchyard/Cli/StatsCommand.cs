using System.CommandLine;
using Switchyard.Questions;

namespace Switchyard.Cli;

/// <summary><c>switchyard stats [--since 24h] [--until T] [--by provider|model|route|preset|key|error] [--key K] [--json]</c>, read straight from the database.</summary>
internal static class StatsCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = CliOptions.Config();
        var json = CliOptions.Json();
        var since = new Option<string?>("--since") { Description = "The window's start: an age (24h, 7d) or an ISO-8601 time. Default 24h." };
        var until = new Option<string?>("--until") { Description = "The window's end: an age or an ISO-8601 time. Default now." };
        var by = new Option<string?>("--by") { Description = "Group by provider, model, route, preset, key or error. Default route." };
        var key = new Option<string?>("--key") { Description = "Only runs of this API key (its id, key_…, or its name)." };
        var command = new Command("stats", "Success, degraded, failed and fallback rates, p50/p95/p99 latency, error classes and skip reasons, per group.")
        {
            since, until, by, key, config, json,
        };
        command.SetAction(async (result, cancellationToken) =>
            await RunAsync(env, result.GetValue(config), result.GetValue(since), result.GetValue(until), result.GetValue(by), result.GetValue(key), result.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, string? configPath, string? since, string? until, string? by, string? key, bool json, CancellationToken cancellationToken)
    {
        var (query, grouping, problem) = QuestionParameters.ParseStats(since, until, by, env.Time.GetUtcNow());
        if (problem is not null)
        {
            return await CliOptions.BadOptionAsync(env, problem);
        }

        var (ledger, exitCode) = await CliLedger.OpenAsync(configPath, env);
        if (ledger is null)
        {
            return exitCode;
        }

        await using (ledger)
        {
            return await ledger.AskAsync(env, async l =>
            {
                var keyId = string.IsNullOrWhiteSpace(key) ? null : await RunsCommand.ResolveKeyAsync(l, key.Trim(), cancellationToken);
                var stats = await l.Questions.StatsAsync(query! with { KeyId = keyId }, grouping, cancellationToken);
                if (json)
                {
                    await CliOptions.WriteJsonAsync(env, stats, QuestionsJsonContext.Indented.StatsView);
                }
                else
                {
                    StatsTable.Write(env.Human, stats);
                }

                return CliExitCodes.Ok;
            });
        }
    }
}
