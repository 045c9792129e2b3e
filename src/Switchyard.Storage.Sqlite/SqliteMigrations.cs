namespace Switchyard.Storage.Sqlite;

/// <summary>The schema scripts, in order: script <c>n</c> (from 1) brings the file to version <c>n</c>. Never edit a shipped script; add one.</summary>
internal static class SqliteMigrations
{
    // Times are UTC text of fixed width (see SqliteTime), so text order is time order.
    // Enums are their contract wire names (WireNames.ToWire).
    private const string V1 = """
        CREATE TABLE runs (
            id TEXT NOT NULL PRIMARY KEY,
            started_at TEXT NOT NULL,
            key_id TEXT NULL,
            route TEXT NOT NULL,
            preset TEXT NULL,
            modality TEXT NOT NULL,
            requested_model TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            outcome TEXT NULL,
            served_provider TEXT NULL,
            served_provider_type TEXT NULL,
            served_model TEXT NULL,
            served_tier INTEGER NULL,
            duration_ms REAL NULL,
            error_class TEXT NULL,
            error_message TEXT NULL,
            http_status INTEGER NULL,
            prompt_hash TEXT NULL,
            prompt_preview TEXT NULL,
            request_summary TEXT NULL,
            response_summary TEXT NULL,
            attempt_count INTEGER NOT NULL DEFAULT 0
        ) STRICT;

        CREATE INDEX ix_runs_started_at ON runs (started_at);
        CREATE INDEX ix_runs_key_id ON runs (key_id, started_at);

        CREATE TABLE attempts (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            tier INTEGER NOT NULL,
            retry INTEGER NOT NULL,
            provider TEXT NOT NULL,
            provider_type TEXT NOT NULL,
            model TEXT NULL,
            status TEXT NOT NULL,
            error_class TEXT NULL,
            skip_reason TEXT NULL,
            http_status INTEGER NULL,
            error_code TEXT NULL,
            message TEXT NULL,
            step TEXT NULL,
            started_at TEXT NOT NULL,
            duration_ms REAL NULL,
            bytes INTEGER NULL,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE api_keys (
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            prefix TEXT NOT NULL UNIQUE,
            hash BLOB NOT NULL,
            is_admin INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL
        ) STRICT;

        CREATE TABLE server_secrets (
            name TEXT NOT NULL PRIMARY KEY,
            value BLOB NOT NULL
        ) STRICT;
        """;

    // The ledger's filters and cursor: pages are read in (started_at, id) order, which the old
    // started_at index alone could not give without sorting; the attempt filters look runs up
    // from their attempts. Partial indexes keep the mostly-NULL columns cheap to write.
    private const string V2 = """
        DROP INDEX ix_runs_started_at;
        CREATE INDEX ix_runs_started_at_id ON runs (started_at, id);
        CREATE INDEX ix_attempts_provider ON attempts (provider, run_id);
        CREATE INDEX ix_attempts_model ON attempts (model, run_id) WHERE model IS NOT NULL;
        CREATE INDEX ix_attempts_error_class ON attempts (error_class, run_id) WHERE error_class IS NOT NULL;
        CREATE INDEX ix_attempts_skip_reason ON attempts (skip_reason, run_id) WHERE skip_reason IS NOT NULL;
        """;

    // Issue 4's remaining run facts: cache hit, trace, job and item, and the estimated cost of runs
    // and attempts. Costs are exact decimals as invariant text (REAL would round them).
    private const string V3 = """
        ALTER TABLE runs ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN trace_id TEXT NULL;
        ALTER TABLE runs ADD COLUMN job_id TEXT NULL;
        ALTER TABLE runs ADD COLUMN item_id TEXT NULL;
        ALTER TABLE runs ADD COLUMN cost_usd TEXT NULL;
        ALTER TABLE attempts ADD COLUMN cost_usd TEXT NULL;
        CREATE INDEX ix_runs_job_id ON runs (job_id, item_id) WHERE job_id IS NOT NULL;
        """;

    // Issue 8: per-key limits (NULL: none; routes comma-separated) and the secret a rotation replaced,
    // which keeps working until previous_expires_at; lookups go by either prefix.
    private const string KeyLimitsAndRotation = """
        ALTER TABLE api_keys ADD COLUMN rpm INTEGER NULL;
        ALTER TABLE api_keys ADD COLUMN concurrency INTEGER NULL;
        ALTER TABLE api_keys ADD COLUMN daily_quota INTEGER NULL;
        ALTER TABLE api_keys ADD COLUMN routes TEXT NULL;
        ALTER TABLE api_keys ADD COLUMN previous_prefix TEXT NULL;
        ALTER TABLE api_keys ADD COLUMN previous_hash BLOB NULL;
        ALTER TABLE api_keys ADD COLUMN previous_expires_at TEXT NULL;
        CREATE UNIQUE INDEX ix_api_keys_previous_prefix ON api_keys (previous_prefix) WHERE previous_prefix IS NOT NULL;
        """;

    /// <summary>The scripts; the count equals <see cref="SqliteDatabase.CurrentSchemaVersion"/>.</summary>
    public static IReadOnlyList<string> Scripts { get; } = [V1, V2, V3, KeyLimitsAndRotation];
}
