using System.Globalization;
using Spectre.Console;
using Switchyard.Http;
using Switchyard.Questions;

namespace Switchyard.Cli;

/// <summary>The human output of <c>runs</c> and <c>runs show</c>.</summary>
internal static class RunTables
{
    /// <summary>One line per run, newest first, and how to get the next page.</summary>
    public static void WriteList(IAnsiConsole console, RunListView page)
    {
        if (page.Data.Count == 0)
        {
            console.MarkupLine("No runs match. [grey](Widen --since, or drop a filter.)[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Run").AddColumn("Started").AddColumn("Route").AddColumn("Outcome").AddColumn("Served by")
            .AddColumn(new TableColumn("Attempts").RightAligned()).AddColumn(new TableColumn("Duration").RightAligned()).AddColumn("Error");
        foreach (var run in page.Data)
        {
            table.AddRow(
                Markup.Escape(run.Id),
                CliFormat.Time(run.StartedAt),
                Markup.Escape(run.Preset is null ? run.Route : $"{run.Route} ({run.Preset})"),
                CliFormat.Status(run.Outcome),
                run.Provider is null ? CliFormat.Nothing : $"{CliFormat.ProviderModel(run.Provider, run.ServedModel)}{Tier(run.Tier)}",
                CliFormat.Number(run.AttemptCount),
                CliFormat.Ms(run.DurationMs),
                CliFormat.Text(run.ErrorClass));
        }

        console.Write(table);
        console.MarkupLine(page.HasMore
            ? $"{page.Data.Count} runs shown; more with [bold]--after {Markup.Escape(page.NextCursor!)}[/]. One run's story: [bold]switchyard runs show RUN_ID[/]"
            : $"{page.Data.Count} runs. One run's story: [bold]switchyard runs show RUN_ID[/]");
    }

    /// <summary>One run on one screen: its header, then every attempt in order, then the story in one sentence.</summary>
    public static void WriteRun(IAnsiConsole console, RunView run)
    {
        var header = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string name, string value) => header.AddRow($"[bold]{name}[/]", value);

        Row("Run", Markup.Escape(run.Id));
        Row("Started", CliFormat.Time(run.StartedAt));
        Row("Route", CliFormat.Text(run.Route) + (run.Preset is null ? "" : $" (preset {Markup.Escape(run.Preset)})"));
        Row("Requested", $"{Markup.Escape(run.Endpoint)}, model \"{Markup.Escape(run.RequestedModel)}\"" + (run.KeyId is null ? "" : $", key {Markup.Escape(run.KeyId)}"));
        Row("Outcome", CliFormat.Status(run.Outcome) + (run.CacheHit ? " [grey](from the cache)[/]" : ""));
        Row("Served by", run.Provider is null ? CliFormat.Nothing : CliFormat.ProviderModel(run.Provider, run.ServedModel) + Tier(run.Tier));
        Row("Duration", CliFormat.Ms(run.DurationMs));
        if (run.HttpStatus is { } status)
        {
            Row("HTTP status", status.ToString(CultureInfo.InvariantCulture));
        }

        // A served run's error message repeats what its attempts met; the table below shows that.
        if (run.Outcome is "failed" or null && (run.ErrorClass is not null || run.ErrorMessage is not null))
        {
            Row("Error", $"[red]{Markup.Escape(run.ErrorClass ?? "error")}[/]" + (run.ErrorMessage is null ? "" : $": {Markup.Escape(run.ErrorMessage)}"));
        }

        if (run.PromptPreview is not null)
        {
            Row("Prompt", Markup.Escape(run.PromptPreview));
        }

        if (run.CostUsd is not null)
        {
            Row("Cost", CliFormat.Cost(run.CostUsd));
        }

        if (run.TraceId is not null)
        {
            Row("Trace", Markup.Escape(run.TraceId));
        }

        if (run.JobId is not null)
        {
            Row("Job", Markup.Escape(run.JobId) + (run.ItemId is null ? "" : $" item {Markup.Escape(run.ItemId)}"));
        }

        console.Write(header);
        console.WriteLine();

        var attempts = run.Attempts ?? [];
        if (attempts.Count == 0)
        {
            console.MarkupLine("No attempts: the request was refused before any provider was called.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Attempts, in order")
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn(new TableColumn("Tier").RightAligned()).AddColumn(new TableColumn("Retry").RightAligned())
            .AddColumn("Provider/model").AddColumn("Status").AddColumn("Error / skip")
            .AddColumn(new TableColumn("HTTP").RightAligned()).AddColumn("Code").AddColumn(new TableColumn("Time").RightAligned());
        foreach (var a in attempts)
        {
            table.AddRow(
                CliFormat.Number(a.Seq),
                CliFormat.Number(a.Tier),
                CliFormat.Number(a.Retry),
                CliFormat.ProviderModel(a.Provider, a.Model),
                CliFormat.Status(a.Status),
                CliFormat.Text(a.ErrorClass ?? a.SkipReason),
                a.HttpStatus is { } http ? http.ToString(CultureInfo.InvariantCulture) : CliFormat.Nothing,
                CliFormat.Text(a.ErrorCode),
                CliFormat.Ms(a.DurationMs));
        }

        console.Write(table);

        // Messages are long, so they follow the table; retries with the same message share one line ("#1-3").
        var withMessage = attempts.Where(static a => !string.IsNullOrEmpty(a.Message)).ToList();
        for (var i = 0; i < withMessage.Count;)
        {
            var j = i;
            while (j + 1 < withMessage.Count && withMessage[j + 1].Message == withMessage[i].Message && withMessage[j + 1].Seq == withMessage[j].Seq + 1)
            {
                j++;
            }

            var seqs = i == j ? CliFormat.Number(withMessage[i].Seq) : $"{CliFormat.Number(withMessage[i].Seq)}-{CliFormat.Number(withMessage[j].Seq)}";
            console.MarkupLine($"[grey]#{seqs}[/] {Markup.Escape(withMessage[i].Message!)}");
            i = j + 1;
        }

        console.WriteLine();
        console.MarkupLine(Markup.Escape(Story(run, attempts)));
    }

    /// <summary>The run in one sentence, for someone who has never seen the ledger before.</summary>
    internal static string Story(RunView run, IReadOnlyList<AttemptView> attempts)
    {
        // Retries that met the same thing are one step: "… failed with rate_limited (HTTP 429) 3 times".
        var steps = new List<(string Text, int Times)>();
        foreach (var a in attempts)
        {
            var who = a.Model is null ? a.Provider : $"{a.Provider}/{a.Model}";
            var text = a.Status switch
            {
                "success" => $"{who} answered",
                "failed" => $"{who} failed with {a.ErrorClass ?? "an error"}" + (a.HttpStatus is { } s ? $" (HTTP {s.ToString(CultureInfo.InvariantCulture)})" : ""),
                "skipped" => $"{who} was skipped ({a.SkipReason ?? "no reason recorded"})",
                _ => $"{who} never finished",
            };
            if (steps.Count > 0 && steps[^1].Text == text)
            {
                steps[^1] = (text, steps[^1].Times + 1);
            }
            else
            {
                steps.Add((text, 1));
            }
        }

        var end = run.Outcome switch
        {
            "success" => "served.",
            "degraded" => $"served degraded, by tier {run.Tier?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({run.Provider}).",
            "failed" => $"the run failed ({run.ErrorClass ?? "no class recorded"}).",
            _ => "the run has not finished (or the gateway stopped during it).",
        };
        return string.Join("; then ", steps.Select(static s => s.Times == 1 ? s.Text : $"{s.Text} {s.Times.ToString(CultureInfo.InvariantCulture)} times")) + ": " + end;
    }

    private static string Tier(int? tier) => tier is > 0 ? $" [yellow](tier {tier.Value.ToString(CultureInfo.InvariantCulture)})[/]" : "";
}
