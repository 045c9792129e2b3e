using Spectre.Console;
using Switchyard.Questions;

namespace Switchyard.Cli;

/// <summary>The human output of <c>stats</c>: one row per group and the overall row.</summary>
internal static class StatsTable
{
    public static void Write(IAnsiConsole console, StatsView stats)
    {
        var scope = stats.KeyId is null ? "" : $" for key {Markup.Escape(stats.KeyId)}";
        console.MarkupLine($"Runs started {CliFormat.Time(stats.Since)} to {CliFormat.Time(stats.Until)}{scope}, by [bold]{Markup.Escape(stats.By)}[/]");
        if (stats.Overall.Runs == 0)
        {
            console.MarkupLine("No runs in this window. [grey](Widen --since.)[/]");
            return;
        }

        var perProvider = stats.By is "provider" or "model";
        var withCost = stats.Overall.CostUsd is not null;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(Capitalized(stats.By))
            .AddColumn(new TableColumn("Runs").RightAligned())
            .AddColumn(new TableColumn("Success").RightAligned())
            .AddColumn(new TableColumn("Degraded").RightAligned())
            .AddColumn(new TableColumn("Failed").RightAligned())
            .AddColumn(new TableColumn("Fallback").RightAligned())
            .AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p95").RightAligned())
            .AddColumn(new TableColumn("p99").RightAligned());
        if (perProvider)
        {
            table.AddColumn(new TableColumn("Attempts ok/failed/skipped").RightAligned());
        }

        table.AddColumn("Errors met / skipped");
        if (withCost)
        {
            table.AddColumn(new TableColumn("Cost").RightAligned());
        }

        foreach (var group in stats.Groups)
        {
            AddRow(table, group.Group is null ? "[grey](none)[/]" : Markup.Escape(group.Group), group, perProvider, withCost);
        }

        if (stats.Groups.Count > 0)
        {
            table.AddEmptyRow();
        }

        AddRow(table, "[bold]all[/]", stats.Overall, perProvider, withCost);
        console.Write(table);
        console.MarkupLine(perProvider
            ? "[grey]Rates are of finished runs the provider took part in; attempts, errors and skips are its own; p50/p95/p99 are run durations.[/]"
            : "[grey]Rates are of finished runs; fallback is the share of served runs served by a later tier; p50/p95/p99 are run durations.[/]");
    }

    private static void AddRow(Table table, string name, StatsGroupView g, bool perProvider, bool withCost)
    {
        var cells = new List<string>
        {
            name,
            CliFormat.Number(g.Runs) + (g.Running > 0 ? $" [blue]({CliFormat.Number(g.Running)} running)[/]" : ""),
            Rate(g.Success, g.SuccessRate, "green"),
            Rate(g.Degraded, g.DegradedRate, "yellow"),
            Rate(g.Failed, g.FailedRate, "red"),
            CliFormat.Percent(g.FallbackRate),
            CliFormat.Ms(g.LatencyMs.P50),
            CliFormat.Ms(g.LatencyMs.P95),
            CliFormat.Ms(g.LatencyMs.P99),
        };
        if (perProvider)
        {
            cells.Add($"{CliFormat.Number(g.Attempts.Success)}/{CliFormat.Number(g.Attempts.Failed)}/{CliFormat.Number(g.Attempts.Skipped)}");
        }

        var met = new List<string>();
        if (g.ErrorClasses.Count > 0)
        {
            met.Add($"[red]{CliFormat.Counts(g.ErrorClasses)}[/]");
        }

        if (g.SkipReasons.Count > 0)
        {
            met.Add($"[yellow]skipped: {CliFormat.Counts(g.SkipReasons)}[/]");
        }

        cells.Add(met.Count == 0 ? CliFormat.Nothing : string.Join("; ", met));
        if (withCost)
        {
            cells.Add(CliFormat.Cost(g.CostUsd));
        }

        table.AddRow([.. cells]);
    }

    // The count when there is one, coloured; its share only as a percentage, to keep the table narrow.
    private static string Rate(int count, double? rate, string colour) =>
        count == 0 ? CliFormat.Percent(rate) : $"[{colour}]{CliFormat.Percent(rate)}[/]";

    private static string Capitalized(string by) => by.Length == 0 ? by : char.ToUpperInvariant(by[0]) + by[1..];
}
