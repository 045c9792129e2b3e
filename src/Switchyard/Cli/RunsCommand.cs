using System.CommandLine;
using Switchyard.Questions;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard runs [filters] [--json]</c> and <c>switchyard runs show RUN_ID [--json]</c>: the ledger read
/// straight from the database, so they answer while the server is down.
/// </summary>
internal static class RunsCommand
{
    public const int DefaultLimit = 20;

    public static Command Create(CliEnvironment env)
    {
        var config = CliOptions.Config();
        var json = CliOptions.Json();
        var status = new Option<string?>("--status", "--outcome") { Description = "Only runs with this outcome: success, degraded or failed." };
        var errorClass = new Option<string?>("--error-class") { Description = "Only runs that met this error class (auth, rate_limited, content_rejected, invalid_request, timeout, unavailable, misconfigured, cancelled)." };
        var skipReason = new Option<string?>("--skip-reason") { Description = "Only runs with an attempt skipped for this reason (circuit_open, misconfigured, not_capable, local_rate_limit, budget_exceeded, cache_hit)." };
        var since = new Option<string?>("--since") { Description = "Only runs started since: an age (30m, 1h, 7d) or an ISO-8601 time." };
        var until = new Option<string?>("--until") { Description = "Only runs started before: an age or an ISO-8601 time." };
        var route = new Option<string?>("--route") { Description = "Only runs of this route." };
        var provider = new Option<string?>("--provider") { Description = "Only runs in which this provider was attempted or skipped." };
        var model = new Option<string?>("--model") { Description = "Only runs in which this model was attempted or skipped." };
        var preset = new Option<string?>("--preset") { Description = "Only runs of this preset." };
        var key = new Option<string?>("--key") { Description = "Only runs of this API key (its id, key_…, or its name)." };
        var limit = new Option<string?>("--limit") { Description = $"At most this many runs, 1 to {QuestionParameters.MaxLimit} (default {DefaultLimit})." };
        var after = new Option<string?>("--after") { Description = "Continue after this run (the next cursor the previous page printed)." };

        var command = new Command("runs", "List recent runs from the ledger, newest first; 'runs show RUN_ID' tells one run's story.")
        {
            status, errorClass, skipReason, since, until, route, provider, model, preset, key, limit, after, config, json,
            CreateShow(env),
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var input = new RunFilterInput
            {
                OutcomeParam = "status",
                Outcome = result.GetValue(status),
                ErrorClass = result.GetValue(errorClass),
                SkipReason = result.GetValue(skipReason),
                Since = result.GetValue(since),
                Until = result.GetValue(until),
                Route = result.GetValue(route),
                Provider = result.GetValue(provider),
                Model = result.GetValue(model),
                Preset = result.GetValue(preset),
                Key = result.GetValue(key),
                Limit = result.GetValue(limit) ?? DefaultLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                After = result.GetValue(after),
            };
            return await ListAsync(env, result.GetValue(config), input, result.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static Command CreateShow(CliEnvironment env)
    {
        var config = CliOptions.Config();
        var json = CliOptions.Json();
        var runId = new Argument<string>("RUN_ID") { Description = "The run's id, from the x-switchyard-run-id header or an error body's run_id." };
        var command = new Command("show", "Show one run: which providers were tried, what each answered, what was skipped and why.") { runId, config, json };
        command.SetAction(async (result, cancellationToken) =>
            await ShowAsync(env, result.GetValue(config), result.GetRequiredValue(runId).Trim(), result.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> ListAsync(CliEnvironment env, string? configPath, RunFilterInput input, bool json, CancellationToken cancellationToken)
    {
        var (query, problem) = QuestionParameters.ParseRuns(input, env.Time.GetUtcNow());
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
                var keyId = query!.KeyId is { } key ? await ResolveKeyAsync(l, key, cancellationToken) : null;
                var page = await l.Questions.ListAsync(query with { KeyId = keyId }, cancellationToken);
                if (json)
                {
                    await CliOptions.WriteJsonAsync(env, page, QuestionsJsonContext.Indented.RunListView);
                }
                else
                {
                    RunTables.WriteList(env.Human, page);
                }

                return CliExitCodes.Ok;
            });
        }
    }

    private static async Task<int> ShowAsync(CliEnvironment env, string? configPath, string runId, bool json, CancellationToken cancellationToken)
    {
        var (ledger, exitCode) = await CliLedger.OpenAsync(configPath, env);
        if (ledger is null)
        {
            return exitCode;
        }

        await using (ledger)
        {
            return await ledger.AskAsync(env, async l =>
            {
                var run = await l.Questions.ShowAsync(runId, keyId: null, cancellationToken);
                if (run is null)
                {
                    await env.Error.WriteLineAsync($"No run '{runId}' in {l.Database}. Run ids look like run_0196…; 'switchyard runs' lists recent ones.");
                    return CliExitCodes.NotFound;
                }

                if (json)
                {
                    await CliOptions.WriteJsonAsync(env, run, QuestionsJsonContext.Indented.RunView);
                }
                else
                {
                    RunTables.WriteRun(env.Human, run);
                }

                return CliExitCodes.Ok;
            });
        }
    }

    /// <summary>A key is named by its id (<c>key_…</c>) or, for people, by its name; an unknown name is kept as given and simply matches nothing.</summary>
    internal static async Task<string> ResolveKeyAsync(CliLedger ledger, string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith("key_", StringComparison.Ordinal))
        {
            return key;
        }

        var keys = await ledger.Keys.ListAsync(cancellationToken);
        return keys.FirstOrDefault(k => string.Equals(k.Name, key, StringComparison.Ordinal))?.Id ?? key;
    }
}
