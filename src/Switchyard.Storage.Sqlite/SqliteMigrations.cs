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

    // Durable webhook deliveries (issues 6 and 7): the exact body and a secret reference (never a
    // plain secret), their tries, and the rotation state of keys' webhook secrets (generations only:
    // the secrets are derived). Due deliveries are found through the partial index on next_try_at.
    private const string WebhooksSchema = """
        CREATE TABLE webhook_deliveries (
            id TEXT NOT NULL PRIMARY KEY,
            owner_key_id TEXT NULL,
            url TEXT NOT NULL,
            event_type TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            body BLOB NOT NULL,
            secret_ref TEXT NOT NULL,
            status TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            round_tries INTEGER NOT NULL DEFAULT 0,
            next_try_at TEXT NULL,
            lease_token TEXT NULL,
            last_http_status INTEGER NULL,
            last_error TEXT NULL,
            created_at TEXT NOT NULL,
            delivered_at TEXT NULL
        ) STRICT;

        CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_try_at, id) WHERE status = 'pending';
        CREATE INDEX ix_webhook_deliveries_owner ON webhook_deliveries (owner_key_id, id);
        CREATE INDEX ix_webhook_deliveries_subject ON webhook_deliveries (subject_id, id);

        CREATE TABLE webhook_tries (
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            duration_ms REAL NULL,
            http_status INTEGER NULL,
            error TEXT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (delivery_id, seq)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE webhook_key_secrets (
            key_id TEXT NOT NULL PRIMARY KEY,
            generation INTEGER NOT NULL,
            previous_generation INTEGER NULL,
            previous_until TEXT NULL,
            rotated_at TEXT NOT NULL
        ) STRICT;
        """;

    // Durable batch jobs (issue 6): jobs, their items with leases and fencing tokens, and the
    // completion webhooks' hand-over state. Lists (dependencies, run ids, artifact ids) are JSON arrays.
    // The partial indexes serve the claim (queued by availability, running by lease expiry) and the webhook sweep.
    private const string JobsSchema = """
        CREATE TABLE jobs (
            id TEXT NOT NULL PRIMARY KEY,
            owner_key_id TEXT NOT NULL,
            idempotency_key TEXT NULL,
            request_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            completed_at TEXT NULL,
            context TEXT NULL,
            webhook_url TEXT NULL,
            webhook_secret TEXT NULL,
            webhook_per_item INTEGER NOT NULL DEFAULT 0,
            webhook_state TEXT NULL,
            webhook_token TEXT NULL,
            webhook_lease_until TEXT NULL
        ) STRICT;

        CREATE UNIQUE INDEX ux_jobs_idempotency ON jobs (owner_key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_jobs_webhook_pending ON jobs (created_at) WHERE webhook_state = 'pending';

        CREATE TABLE job_items (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            route TEXT NOT NULL,
            owner_key_id TEXT NOT NULL,
            spec TEXT NOT NULL,
            depends_on TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            run_ids TEXT NOT NULL DEFAULT '[]',
            output_text TEXT NULL,
            artifact_ids TEXT NOT NULL DEFAULT '[]',
            error_class TEXT NULL,
            error_message TEXT NULL,
            available_at TEXT NOT NULL,
            lease_token TEXT NULL,
            lease_expires_at TEXT NULL,
            completed_at TEXT NULL,
            webhook_state TEXT NULL,
            webhook_token TEXT NULL,
            webhook_lease_until TEXT NULL,
            PRIMARY KEY (job_id, item_id)
        ) STRICT;

        CREATE INDEX ix_job_items_queued ON job_items (available_at, job_id, seq) WHERE status = 'queued';
        CREATE INDEX ix_job_items_running ON job_items (lease_expires_at) WHERE status = 'running';
        CREATE INDEX ix_job_items_job_status ON job_items (job_id, status);
        CREATE INDEX ix_job_items_webhook_pending ON job_items (job_id) WHERE webhook_state = 'pending';
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

    // Issue 4's write cost: every chat request wrote its attempt into two more b-trees (provider and model, each
    // keyed by the 36-character run id) that only the list's provider and model filters read. Those filters now
    // walk runs newest first and look each run's attempts up by their primary key, stopping at the page's limit
    // (bench/README.md: the store's CPU per request fell by about an eighth).
    private const string LedgerWriteCost = """
        DROP INDEX ix_attempts_provider;
        DROP INDEX ix_attempts_model;
        """;

    // Issue 4's write cost, second step: a run whose finish is its first write and whose only attempt succeeded (nearly
    // every request) keeps that attempt in its own row, so the request costs one row in the runs' b-trees and none in
    // the attempts' (bench/README.md: about a quarter of the store's CPU per request). The attempts table keeps every
    // other attempt and is renamed attempt_rows; the view named attempts shows both, as one table did before, for
    // ad-hoc SQL and old scripts. A row of attempt_rows with the same run and seq wins over the run's own (it is newer).
    private const string FoldedAttempts = """
        ALTER TABLE runs ADD COLUMN attempt_seq INTEGER NULL;
        ALTER TABLE runs ADD COLUMN attempt_tier INTEGER NULL;
        ALTER TABLE runs ADD COLUMN attempt_retry INTEGER NULL;
        ALTER TABLE runs ADD COLUMN attempt_provider TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_provider_type TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_model TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_http_status INTEGER NULL;
        ALTER TABLE runs ADD COLUMN attempt_error_code TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_message TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_step TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_started_at TEXT NULL;
        ALTER TABLE runs ADD COLUMN attempt_duration_ms REAL NULL;
        ALTER TABLE runs ADD COLUMN attempt_bytes INTEGER NULL;
        ALTER TABLE runs ADD COLUMN attempt_cost_usd TEXT NULL;
        ALTER TABLE attempts RENAME TO attempt_rows;
        CREATE VIEW attempts AS
            SELECT run_id, seq, tier, retry, provider, provider_type, model, status, error_class, skip_reason,
                http_status, error_code, message, step, started_at, duration_ms, bytes, cost_usd
            FROM attempt_rows
            UNION ALL
            SELECT r.id, r.attempt_seq, r.attempt_tier, r.attempt_retry, r.attempt_provider, r.attempt_provider_type, r.attempt_model,
                'success', NULL, NULL, r.attempt_http_status, r.attempt_error_code, r.attempt_message, r.attempt_step,
                r.attempt_started_at, r.attempt_duration_ms, r.attempt_bytes, r.attempt_cost_usd
            FROM runs r
            WHERE r.attempt_seq IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM attempt_rows x WHERE x.run_id = r.id AND x.seq = r.attempt_seq);
        """;

    /// <summary>The scripts; the count equals <see cref="SqliteDatabase.CurrentSchemaVersion"/>.</summary>
    public static IReadOnlyList<string> Scripts { get; } = [V1, V2, V3, WebhooksSchema, JobsSchema, KeyLimitsAndRotation, LedgerWriteCost, FoldedAttempts];
}
