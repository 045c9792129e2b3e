namespace Switchyard.Storage.Postgres;

/// <summary>The schema scripts, in order: script <c>n</c> (from 1) brings the database to version <c>n</c>. Never edit a shipped script; add one.</summary>
internal static class PostgresMigrations
{
    // Ids sort byte-wise (COLLATE "C"), as in SQLite, so the ledger's (started_at, id) order and its
    // cursor do not depend on the cluster's locale. Enums are their contract wire names.
    private const string V1 = """
        CREATE TABLE runs (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            started_at timestamptz NOT NULL,
            key_id text NULL,
            route text NOT NULL,
            preset text NULL,
            modality text NOT NULL,
            requested_model text NOT NULL,
            endpoint text NOT NULL,
            outcome text NULL,
            served_provider text NULL,
            served_provider_type text NULL,
            served_model text NULL,
            served_tier integer NULL,
            duration_ms double precision NULL,
            error_class text NULL,
            error_message text NULL,
            http_status integer NULL,
            prompt_hash text NULL,
            prompt_preview text NULL,
            request_summary text NULL,
            response_summary text NULL,
            attempt_count integer NOT NULL DEFAULT 0
        );

        CREATE INDEX ix_runs_started_at_id ON runs (started_at, id);
        CREATE INDEX ix_runs_key_id ON runs (key_id, started_at);

        CREATE TABLE attempts (
            run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            seq integer NOT NULL,
            tier integer NOT NULL,
            retry integer NOT NULL,
            provider text NOT NULL,
            provider_type text NOT NULL,
            model text NULL,
            status text NOT NULL,
            error_class text NULL,
            skip_reason text NULL,
            http_status integer NULL,
            error_code text NULL,
            message text NULL,
            step text NULL,
            started_at timestamptz NOT NULL,
            duration_ms double precision NULL,
            bytes bigint NULL,
            PRIMARY KEY (run_id, seq)
        );

        CREATE INDEX ix_attempts_provider ON attempts (provider, run_id);
        CREATE INDEX ix_attempts_model ON attempts (model, run_id) WHERE model IS NOT NULL;
        CREATE INDEX ix_attempts_error_class ON attempts (error_class, run_id) WHERE error_class IS NOT NULL;
        CREATE INDEX ix_attempts_skip_reason ON attempts (skip_reason, run_id) WHERE skip_reason IS NOT NULL;

        CREATE TABLE api_keys (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            name text NOT NULL,
            prefix text NOT NULL UNIQUE,
            hash bytea NOT NULL,
            is_admin boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz NULL
        );

        CREATE TABLE server_secrets (
            name text NOT NULL PRIMARY KEY,
            value bytea NOT NULL
        );
        """;

    // Issue 4's remaining run facts: cache hit, trace, job and item, and the estimated cost of runs
    // and attempts, as exact numeric.
    private const string V2 = """
        ALTER TABLE runs
            ADD COLUMN cache_hit boolean NOT NULL DEFAULT false,
            ADD COLUMN trace_id text NULL,
            ADD COLUMN job_id text NULL,
            ADD COLUMN item_id text NULL,
            ADD COLUMN cost_usd numeric NULL;
        ALTER TABLE attempts ADD COLUMN cost_usd numeric NULL;
        CREATE INDEX ix_runs_job_id ON runs (job_id, item_id) WHERE job_id IS NOT NULL;
        """;

    // Issue 8: per-key limits (NULL: none; routes comma-separated) and the secret a rotation replaced,
    // which keeps working until previous_expires_at; lookups go by either prefix.
    private const string KeyLimitsAndRotation = """
        ALTER TABLE api_keys
            ADD COLUMN rpm integer NULL,
            ADD COLUMN concurrency integer NULL,
            ADD COLUMN daily_quota integer NULL,
            ADD COLUMN routes text NULL,
            ADD COLUMN previous_prefix text NULL,
            ADD COLUMN previous_hash bytea NULL,
            ADD COLUMN previous_expires_at timestamptz NULL;
        CREATE UNIQUE INDEX ix_api_keys_previous_prefix ON api_keys (previous_prefix) WHERE previous_prefix IS NOT NULL;
        """;

    /// <summary>The scripts; the count equals <see cref="PostgresDatabase.CurrentSchemaVersion"/>.</summary>
    public static IReadOnlyList<string> Scripts { get; } = [V1, V2, KeyLimitsAndRotation];
}
