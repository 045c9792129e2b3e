namespace Switchyard.Ui;

/// <summary>One entry of the dashboard's navigation.</summary>
/// <param name="Id">What pages pass as their active entry.</param>
/// <param name="Path">Where it leads.</param>
/// <param name="Label">What it reads.</param>
internal sealed record UiNavItem(string Id, string Path, string Label);

/// <summary>
/// The dashboard's pages in navigation order. A new page adds its entry here and maps its routes in
/// <see cref="UiEndpoints.MapDashboard"/> (see the pattern there).
/// </summary>
internal static class UiNavigation
{
    public static readonly IReadOnlyList<UiNavItem> Items =
    [
        new("overview", "/ui", "Overview"),
        new("runs", "/ui/runs", "Runs"),
        new("providers", "/ui/providers", "Providers"),
        new("alerts", "/ui/alerts", "Alerts"),
        new("jobs", "/ui/jobs", "Jobs"),
        new("webhooks", "/ui/webhooks", "Webhooks"),
        new("keys", "/ui/keys", "Keys"),
    ];
}
