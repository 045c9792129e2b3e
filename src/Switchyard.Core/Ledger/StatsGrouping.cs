namespace Switchyard.Ledger;

/// <summary>How <see cref="LedgerStatistics"/> groups the ledger. The wire names are the lowercase member names.</summary>
public enum StatsGrouping
{
    /// <summary>One group for everything: only the overall row.</summary>
    None,

    /// <summary>By provider, from its attempts: a run counts in every provider it attempted or skipped.</summary>
    Provider,

    /// <summary>By <c>provider/model</c>, from its attempts: a run counts in every model it attempted or skipped.</summary>
    Model,

    /// <summary>By the run's route.</summary>
    Route,

    /// <summary>By the run's preset (null: runs without one).</summary>
    Preset,

    /// <summary>By the run's API key id.</summary>
    Key,

    /// <summary>By each error class a run met (a failed attempt's, or the run's own); runs that met none are in the null group.</summary>
    Error,
}
