namespace Switchyard.Jobs;

/// <summary>
/// What follows from an item finishing, for the stores to apply in the same transaction: waiting items whose
/// dependencies all succeeded become queued; items that depend, directly or not, on an item that did not succeed
/// are skipped with reason <c>dependency_failed</c>, never left waiting.
/// </summary>
public static class JobGraph
{
    /// <summary>A change to apply to a waiting item.</summary>
    /// <param name="ItemId">The item.</param>
    /// <param name="Status">Its new status: queued or skipped.</param>
    /// <param name="Message">Why it was skipped.</param>
    public sealed record Change(string ItemId, JobItemStatus Status, string? Message);

    /// <summary>The item's state as the graph needs it.</summary>
    /// <param name="ItemId">The item.</param>
    /// <param name="Status">Its status, with the finished item's new status already applied.</param>
    /// <param name="DependsOn">What it needs.</param>
    public sealed record Node(string ItemId, JobItemStatus Status, IReadOnlyList<string> DependsOn);

    /// <summary>The changes that follow from the current statuses, applied until nothing changes (so skips are transitive).</summary>
    public static IReadOnlyList<Change> Settle(IReadOnlyList<Node> nodes)
    {
        var status = nodes.ToDictionary(n => n.ItemId, n => n.Status, StringComparer.Ordinal);
        var changes = new List<Change>();

        // Items depend only on earlier ones, so one pass in submitted order settles everything.
        foreach (var node in nodes)
        {
            if (status[node.ItemId] != JobItemStatus.Waiting)
            {
                continue;
            }

            var failed = node.DependsOn.FirstOrDefault(d => status.TryGetValue(d, out var s) && s is JobItemStatus.Failed or JobItemStatus.Skipped or JobItemStatus.Cancelled);
            if (failed is not null)
            {
                status[node.ItemId] = JobItemStatus.Skipped;
                var what = status[failed] switch
                {
                    JobItemStatus.Skipped => "was skipped",
                    JobItemStatus.Cancelled => "was cancelled",
                    _ => "failed",
                };
                changes.Add(new Change(node.ItemId, JobItemStatus.Skipped, $"not run: it depends on '{failed}', which {what}"));
            }
            else if (node.DependsOn.All(d => status.TryGetValue(d, out var s) && s == JobItemStatus.Succeeded))
            {
                status[node.ItemId] = JobItemStatus.Queued;
                changes.Add(new Change(node.ItemId, JobItemStatus.Queued, null));
            }
        }

        return changes;
    }
}
