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

    // Durable webhook deliveries (issues 6 and 7): the exact body and a secret reference (never a
    // plain secret), their tries, and the rotation state of keys' webhook secrets (generations only:
    // the secrets are derived). Ids sort byte-wise, so the newest-first cursor is locale-independent.
    private const string WebhooksSchema = """
        CREATE TABLE webhook_deliveries (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            owner_key_id text NULL,
            url text NOT NULL,
            event_type text NOT NULL,
            subject_id text NOT NULL,
            body bytea NOT NULL,
            secret_ref text NOT NULL,
            status text NOT NULL,
            tries integer NOT NULL DEFAULT 0,
            round_tries integer NOT NULL DEFAULT 0,
            next_try_at timestamptz NULL,
            lease_token text NULL,
            last_http_status integer NULL,
            last_error text NULL,
            created_at timestamptz NOT NULL,
            delivered_at timestamptz NULL
        );

        CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_try_at, id) WHERE status = 'pending';
        CREATE INDEX ix_webhook_deliveries_owner ON webhook_deliveries (owner_key_id, id);
        CREATE INDEX ix_webhook_deliveries_subject ON webhook_deliveries (subject_id, id);

        CREATE TABLE webhook_tries (
            delivery_id text COLLATE "C" NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
            seq integer NOT NULL,
            started_at timestamptz NOT NULL,
            duration_ms double precision NULL,
            http_status integer NULL,
            error text NULL,
            result text NOT NULL,
            PRIMARY KEY (delivery_id, seq)
        );

        CREATE TABLE webhook_key_secrets (
            key_id text NOT NULL PRIMARY KEY,
            generation integer NOT NULL,
            previous_generation integer NULL,
            previous_until timestamptz NULL,
            rotated_at timestamptz NOT NULL
        );
        """;

    // Durable batch jobs (issue 6): jobs, their items with leases and fencing tokens, and the
    // completion webhooks' hand-over state. Lists (dependencies, run ids, artifact ids) are JSON arrays as text.
    // The partial indexes serve the claim (queued by availability, running by lease expiry) and the webhook sweep.
    private const string JobsSchema = """
        CREATE TABLE jobs (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            owner_key_id text NOT NULL,
            idempotency_key text NULL,
            request_hash text NOT NULL,
            status text NOT NULL,
            cancel_requested boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL,
            completed_at timestamptz NULL,
            context text NULL,
            webhook_url text NULL,
            webhook_secret text NULL,
            webhook_per_item boolean NOT NULL DEFAULT false,
            webhook_state text NULL,
            webhook_token text NULL,
            webhook_lease_until timestamptz NULL
        );

        CREATE UNIQUE INDEX ux_jobs_idempotency ON jobs (owner_key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_jobs_webhook_pending ON jobs (created_at) WHERE webhook_state = 'pending';

        CREATE TABLE job_items (
            job_id text COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            item_id text COLLATE "C" NOT NULL,
            seq integer NOT NULL,
            type text NOT NULL,
            route text NOT NULL,
            owner_key_id text NOT NULL,
            spec text NOT NULL,
            depends_on text NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            run_ids text NOT NULL DEFAULT '[]',
            output_text text NULL,
            artifact_ids text NOT NULL DEFAULT '[]',
            error_class text NULL,
            error_message text NULL,
            available_at timestamptz NOT NULL,
            lease_token text NULL,
            lease_expires_at timestamptz NULL,
            completed_at timestamptz NULL,
            webhook_state text NULL,
            webhook_token text NULL,
            webhook_lease_until timestamptz NULL,
            PRIMARY KEY (job_id, item_id)
        );

        CREATE INDEX ix_job_items_queued ON job_items (available_at, job_id, seq) WHERE status = 'queued';
        CREATE INDEX ix_job_items_running ON job_items (lease_expires_at) WHERE status = 'running';
        CREATE INDEX ix_job_items_job_status ON job_items (job_id, status);
        CREATE INDEX ix_job_items_webhook_pending ON job_items (job_id) WHERE webhook_state = 'pending';
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
    public static IReadOnlyList<string> Scripts { get; } = [V1, V2, WebhooksSchema, JobsSchema, KeyLimitsAndRotation];
}
