using Npgsql;
using NpgsqlTypes;
using Switchyard.Generation;
using Switchyard.Jobs;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// Jobs and their items in PostgreSQL, shared by every node. Workers claim items with <c>FOR UPDATE SKIP LOCKED</c>
/// under a lease with a fencing token. Every write that finishes or gives back an item locks its job row first,
/// so dependents and the job's status are settled by one transaction at a time and locks are always taken job first.
/// </summary>
public sealed class PostgresJobStore : IJobStore
{
    private const string JobColumns = """
        id, owner_key_id, idempotency_key, request_hash, status, cancel_requested, created_at, completed_at,
        context, webhook_url, webhook_secret, webhook_per_item, webhook_state
        """;

    private const string ItemColumns = """
        job_id, item_id, seq, type, route, owner_key_id, spec, depends_on, status, attempts, run_ids,
        output_text, artifact_ids, error_class, error_message, available_at, lease_expires_at, completed_at
        """;

    private readonly PostgresDatabase _database;

    /// <summary>Creates a job store over a migrated database.</summary>
    public PostgresJobStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    /// <remarks>Two nodes storing the same idempotency key at once: the unique index lets one in, the other returns its job.</remarks>
    public async ValueTask<JobCreateResult> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int inserted;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO jobs (id, owner_key_id, idempotency_key, request_hash, status, created_at, context, webhook_url, webhook_secret, webhook_per_item)
            VALUES (@id, @owner, @key, @hash, 'queued', @created, @context, @url, @secret, @per_item)
            ON CONFLICT (owner_key_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING;
            """, connection, transaction))
        {
            insert.BindText("id", job.Id);
            insert.BindText("owner", job.OwnerKeyId);
            insert.BindText("key", job.IdempotencyKey);
            insert.BindText("hash", job.RequestHash);
            insert.BindTime("created", job.CreatedAt);
            insert.BindText("context", job.Context);
            insert.BindText("url", job.Webhook?.Url.ToString());
            insert.BindText("secret", job.Webhook?.ProtectedSecret);
            insert.BindBool("per_item", job.Webhook?.PerItem == true);
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (inserted == 0)
        {
            await using var find = new NpgsqlCommand("SELECT " + JobColumns + " FROM jobs WHERE owner_key_id = @owner AND idempotency_key = @key;", connection, transaction);
            find.BindText("owner", job.OwnerKeyId);
            find.BindText("key", job.IdempotencyKey);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var existing = ReadJob(reader);
            return new JobCreateResult(existing, Created: false, Conflict: existing.RequestHash != job.RequestHash);
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            for (var i = 0; i < job.Items.Count; i++)
            {
                var spec = job.Items[i];
                var command = new NpgsqlBatchCommand("""
                    INSERT INTO job_items (job_id, item_id, seq, type, route, owner_key_id, spec, depends_on, status, available_at)
                    VALUES (@job, @item, @seq, @type, @route, @owner, @spec, @deps, @status, @available);
                    """);
                command.Parameters.BindText("job", job.Id);
                command.Parameters.BindText("item", spec.ItemId);
                command.Parameters.BindInt("seq", i);
                command.Parameters.BindText("type", spec.Type.ToWire());
                command.Parameters.BindText("route", spec.Route);
                command.Parameters.BindText("owner", job.OwnerKeyId);
                command.Parameters.BindText("spec", spec.Spec);
                command.Parameters.BindText("deps", JsonStringList.Write(spec.DependsOn));
                command.Parameters.BindText("status", (spec.DependsOn.Count == 0 ? JobItemStatus.Queued : JobItemStatus.Waiting).ToWire());
                command.Parameters.BindTime("available", job.CreatedAt);
                batch.BatchCommands.Add(command);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var stored = await ReadJobAsync(connection, transaction, job.Id, forUpdate: false, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new JobCreateResult(stored!, Created: true, Conflict: false);
    }

    /// <inheritdoc />
    public async ValueTask<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadJobAsync(connection, null, jobId, forUpdate: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JobSummary>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var sql = new System.Text.StringBuilder("SELECT " + JobColumns + " FROM jobs WHERE " + StatusFilter(query.Status));
        await using var command = new NpgsqlCommand(string.Empty, connection);
        if (query.OwnerKeyId is not null)
        {
            sql.Append(" AND owner_key_id = @owner");
            command.BindText("owner", query.OwnerKeyId);
        }

        if (query.Status is { } status && status.IsTerminal())
        {
            command.BindText("status", status.ToWire());
        }

        if (query.After is not null)
        {
            sql.Append(" AND id < @after");
            command.BindText("after", query.After);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit;");
        command.BindInt("limit", Math.Max(0, query.Limit));
        command.CommandText = sql.ToString();
        var jobs = new List<JobRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                jobs.Add(ReadJob(reader));
            }
        }

        if (jobs.Count == 0)
        {
            return [];
        }

        var byStatus = jobs.ToDictionary(j => j.Id, _ => new Dictionary<JobItemStatus, int>(), StringComparer.Ordinal);
        var started = new HashSet<string>(StringComparer.Ordinal);
        await using (var count = new NpgsqlCommand("SELECT job_id, status, COUNT(*)::integer, MAX(attempts) FROM job_items WHERE job_id = ANY(@ids) GROUP BY job_id, status;", connection))
        {
            count.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.Id).ToArray() });
            await using var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var jobId = reader.GetString(0);
                byStatus[jobId][JobWire.ParseItemStatus(reader.GetString(1))] = reader.GetInt32(2);
                if (Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    started.Add(jobId);
                }
            }
        }

        return [.. jobs.Select(j => new JobSummary(j, new JobCounts { ByStatus = byStatus[j.Id], AnyStarted = started.Contains(j.Id) }))];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JobItemRecord>> GetItemsAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + ItemColumns + " FROM job_items WHERE job_id = @job ORDER BY seq;", connection);
        command.BindText("job", jobId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<JobItemRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(ReadItem(reader));
        }

        return items;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One statement: the oldest claimable row is locked with <c>FOR UPDATE SKIP LOCKED</c> (rows other nodes are
    /// claiming are passed over, never waited for) and updated with the new token.
    /// </remarks>
    public async ValueTask<JobLease?> ClaimAsync(JobClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            WITH candidate AS (
                SELECT job_id, item_id FROM job_items
                WHERE ((status = 'queued' AND available_at <= @now) OR (status = 'running' AND lease_expires_at <= @now AND attempts < @max))
                    AND NOT (route = ANY (@busy_routes)) AND NOT (owner_key_id = ANY (@busy_keys))
                ORDER BY CASE WHEN status = 'queued' THEN available_at ELSE lease_expires_at END, job_id, seq
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            UPDATE job_items i SET status = 'running', attempts = i.attempts + 1,
                run_ids = (i.run_ids::jsonb || jsonb_build_array(@run::text))::text,
                lease_token = @token, lease_expires_at = @expires
            FROM candidate c
            WHERE i.job_id = c.job_id AND i.item_id = c.item_id
            RETURNING
            """ + " " + string.Join(", ", ItemColumns.Split(',').Select(c => "i." + c.Trim())) + ";", connection);
        command.BindTime("now", claim.Now);
        command.BindInt("max", claim.MaxAttempts);
        command.Parameters.Add(new NpgsqlParameter("busy_routes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = claim.BusyRoutes.ToArray() });
        command.Parameters.Add(new NpgsqlParameter("busy_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = claim.BusyKeys.ToArray() });
        command.BindText("run", claim.RunId);
        command.BindText("token", claim.Token);
        command.BindTime("expires", claim.Now + claim.Lease);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new JobLease(ReadItem(reader), claim.Token, claim.RunId) : null;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenewAsync(JobLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("UPDATE job_items SET lease_expires_at = @expires WHERE job_id = @job AND item_id = @item AND status = 'running' AND lease_token = @token;", connection);
        command.BindTime("expires", now + duration);
        BindLease(command, lease);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<ItemTransition> CompleteAsync(JobLease lease, ItemResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(result);
        var status = result.Succeeded ? JobItemStatus.Succeeded : JobItemStatus.Failed;
        return await InTransactionAsync(lease.JobId, (c, t, job, ct) => FinishItemAsync(c, t, job, lease.ItemId, lease.Token, status, result, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ItemTransition> RetryAsync(JobLease lease, ItemResult failure, DateTimeOffset availableAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(failure);
        return await InTransactionAsync(lease.JobId, (c, t, job, ct) => RequeueAsync(c, t, job, lease, failure, availableAt, countAttempt: true, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ItemTransition> ReleaseAsync(JobLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await InTransactionAsync(lease.JobId, (c, t, job, ct) => RequeueAsync(c, t, job, lease, null, now, countAttempt: false, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> FailExpiredAsync(DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken)
    {
        var expired = new List<(string Job, string Item, string Token, int Attempts)>();
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var find = new NpgsqlCommand("SELECT job_id, item_id, lease_token, attempts FROM job_items WHERE status = 'running' AND lease_expires_at <= @now AND attempts >= @max;", connection);
            find.BindTime("now", now);
            find.BindInt("max", maxAttempts);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                expired.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
            }
        }

        var failed = 0;
        foreach (var (jobId, itemId, token, attempts) in expired)
        {
            // Under the job lock the token is checked again: a renewal or a completion in between wins.
            var failure = ItemResult.Failure(JobWire.LeaseExpired, $"the lease ran out on attempt {attempts} of {maxAttempts}: the worker running it stopped or crashed each time");
            var transition = await InTransactionAsync(jobId, (c, t, job, ct) => FinishItemAsync(c, t, job, itemId, token, JobItemStatus.Failed, failure, now, ct, requireExpiredAt: now), cancellationToken).ConfigureAwait(false);
            failed += transition.Accepted ? 1 : 0;
        }

        return failed;
    }

    /// <inheritdoc />
    public async ValueTask<JobRecord?> CancelAsync(string jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var job = await ReadJobAsync(connection, transaction, jobId, forUpdate: true, cancellationToken).ConfigureAwait(false);
        if (job is null || job.Status.IsTerminal())
        {
            return job;
        }

        await using (var flag = new NpgsqlCommand("UPDATE jobs SET cancel_requested = true WHERE id = @job;", connection, transaction))
        {
            flag.BindText("job", jobId);
            await flag.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var items = new NpgsqlCommand("""
            UPDATE job_items SET status = 'cancelled', error_class = @reason, error_message = 'cancelled with its job before it started',
                completed_at = @now, webhook_state = CASE WHEN @per_item THEN 'pending' END
            WHERE job_id = @job AND status IN ('waiting', 'queued');
            """, connection, transaction))
        {
            items.BindText("reason", JobWire.Cancelled);
            items.BindTime("now", now);
            items.BindBool("per_item", job.Webhook?.PerItem == true);
            items.BindText("job", jobId);
            await items.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await FinishJobAsync(connection, transaction, jobId, cancelRequested: true, now, cancellationToken).ConfigureAwait(false);
        var after = await ReadJobAsync(connection, transaction, jobId, forUpdate: false, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return after;
    }

    /// <inheritdoc />
    public async ValueTask<JobQueueStats> GetQueueStatsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            SELECT
                (SELECT COUNT(*) FROM job_items WHERE status = 'queued' AND available_at <= @now)
                    + (SELECT COUNT(*) FROM job_items WHERE status = 'running' AND lease_expires_at <= @now),
                LEAST(
                    (SELECT MIN(available_at) FROM job_items WHERE status = 'queued' AND available_at <= @now),
                    (SELECT MIN(lease_expires_at) FROM job_items WHERE status = 'running' AND lease_expires_at <= @now)),
                (SELECT COUNT(*) FROM job_items WHERE status = 'running' AND lease_expires_at > @now);
            """, connection);
        command.BindTime("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var oldest = reader.GetNullableTime(1);
        return new JobQueueStats(reader.GetInt64(0), oldest is { } at && at < now ? now - at : TimeSpan.Zero, reader.GetInt64(2));
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookDue>> ClaimWebhooksAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<WebhookDue>();

        // Items first, and a job only once its items are handed over, so a receiver sees each item before the job.
        await using (var items = new NpgsqlCommand("""
            WITH pending AS (
                SELECT job_id, item_id FROM job_items
                WHERE webhook_state = 'pending' AND (webhook_lease_until IS NULL OR webhook_lease_until <= @now)
                ORDER BY job_id, seq LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            UPDATE job_items i SET webhook_token = md5(random()::text || clock_timestamp()::text || i.item_id), webhook_lease_until = @until
            FROM pending p WHERE i.job_id = p.job_id AND i.item_id = p.item_id
            RETURNING i.job_id, i.item_id, i.webhook_token;
            """, connection))
        {
            items.BindTime("now", now);
            items.BindTime("until", now + lease);
            items.BindInt("limit", limit);
            await using var reader = await items.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add(new WebhookDue(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        await using (var jobs = new NpgsqlCommand("""
            WITH pending AS (
                SELECT id FROM jobs j
                WHERE webhook_state = 'pending' AND (webhook_lease_until IS NULL OR webhook_lease_until <= @now)
                    AND NOT EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = j.id AND i.webhook_state = 'pending')
                ORDER BY created_at LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            UPDATE jobs j SET webhook_token = md5(random()::text || clock_timestamp()::text || j.id), webhook_lease_until = @until
            FROM pending p WHERE j.id = p.id
            RETURNING j.id, j.webhook_token;
            """, connection))
        {
            jobs.BindTime("now", now);
            jobs.BindTime("until", now + lease);
            jobs.BindInt("limit", Math.Max(0, limit - due.Count));
            await using var reader = await jobs.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add(new WebhookDue(reader.GetString(0), null, reader.GetString(1)));
            }
        }

        return due;
    }

    /// <inheritdoc />
    public async ValueTask<bool> MarkWebhookSentAsync(WebhookDue due, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(due);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(due.ItemId is null
            ? "UPDATE jobs SET webhook_state = 'sent', webhook_lease_until = NULL WHERE id = @job AND webhook_state = 'pending' AND webhook_token = @token;"
            : "UPDATE job_items SET webhook_state = 'sent', webhook_lease_until = NULL WHERE job_id = @job AND item_id = @item AND webhook_state = 'pending' AND webhook_token = @token;", connection);
        command.BindText("job", due.JobId);
        command.BindText("item", due.ItemId);
        command.BindText("token", due.Token);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Runs <paramref name="work"/> in a transaction that first locks the job row; commits only an accepted write.</summary>
    private async Task<ItemTransition> InTransactionAsync(string jobId, Func<NpgsqlConnection, NpgsqlTransaction, JobRecord, CancellationToken, Task<ItemTransition>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var job = await ReadJobAsync(connection, transaction, jobId, forUpdate: true, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return ItemTransition.Lost;
        }

        var transition = await work(connection, transaction, job, cancellationToken).ConfigureAwait(false);
        if (transition.Accepted)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return transition;
    }

    private static async Task<ItemTransition> FinishItemAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JobRecord job, string itemId, string token, JobItemStatus status, ItemResult result, DateTimeOffset now, CancellationToken ct, DateTimeOffset? requireExpiredAt = null)
    {
        await using (var update = new NpgsqlCommand("""
            UPDATE job_items SET status = @status, output_text = @text, artifact_ids = @artifacts, error_class = @class, error_message = @message,
                completed_at = @now, lease_token = NULL, lease_expires_at = NULL, webhook_state = CASE WHEN @per_item THEN 'pending' END
            WHERE job_id = @job AND item_id = @item AND status = 'running' AND lease_token = @token
                AND (@expired_at::timestamptz IS NULL OR lease_expires_at <= @expired_at::timestamptz);
            """, connection, transaction))
        {
            update.BindText("status", status.ToWire());
            update.BindText("text", result.OutputText);
            update.BindText("artifacts", JsonStringList.Write(result.ArtifactIds));
            update.BindText("class", result.Succeeded ? null : result.ErrorClass);
            update.BindText("message", result.Succeeded ? null : result.ErrorMessage);
            update.BindTime("now", now);
            update.BindBool("per_item", job.Webhook?.PerItem == true);
            update.BindText("job", job.Id);
            update.BindText("item", itemId);
            update.BindText("token", token);
            update.BindTime("expired_at", requireExpiredAt);
            if (await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != 1)
            {
                return ItemTransition.Lost;
            }
        }

        var skipped = await SettleAsync(connection, transaction, job, now, ct).ConfigureAwait(false);
        var jobStatus = await FinishJobAsync(connection, transaction, job.Id, job.CancelRequested, now, ct).ConfigureAwait(false);
        return new ItemTransition(true, status, jobStatus) { Skipped = skipped };
    }

    private static async Task<ItemTransition> RequeueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JobRecord job, JobLease lease, ItemResult? failure, DateTimeOffset availableAt, bool countAttempt, DateTimeOffset now, CancellationToken ct)
    {
        if (job.CancelRequested)
        {
            var reason = ItemResult.Failure(JobWire.Cancelled, failure is null ? "cancelled with its job while it was running; it was not finished" : $"cancelled with its job after a failed attempt ({failure.ErrorClass}: {failure.ErrorMessage})");
            return await FinishItemAsync(connection, transaction, job, lease.ItemId, lease.Token, JobItemStatus.Cancelled, reason, now, ct).ConfigureAwait(false);
        }

        await using var update = new NpgsqlCommand("""
            UPDATE job_items SET status = 'queued', available_at = @available, lease_token = NULL, lease_expires_at = NULL,
                attempts = attempts - @uncount, error_class = COALESCE(@class, error_class), error_message = COALESCE(@message, error_message)
            WHERE job_id = @job AND item_id = @item AND status = 'running' AND lease_token = @token;
            """, connection, transaction);
        update.BindTime("available", availableAt);
        update.BindInt("uncount", countAttempt ? 0 : 1);
        update.BindText("class", failure?.ErrorClass);
        update.BindText("message", failure?.ErrorMessage);
        BindLease(update, lease);
        return await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1
            ? new ItemTransition(true, JobItemStatus.Queued, null)
            : ItemTransition.Lost;
    }

    private static async Task<int> SettleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JobRecord job, DateTimeOffset now, CancellationToken ct)
    {
        // Most completions have nothing waiting on them; the (job_id, status) index answers that without reading the job.
        if (!await AnyAsync(connection, transaction, job.Id, "'waiting'", ct).ConfigureAwait(false))
        {
            return 0;
        }

        var nodes = new List<JobGraph.Node>();
        await using (var read = new NpgsqlCommand("SELECT item_id, status, depends_on FROM job_items WHERE job_id = @job ORDER BY seq;", connection, transaction))
        {
            read.BindText("job", job.Id);
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                nodes.Add(new JobGraph.Node(reader.GetString(0), JobWire.ParseItemStatus(reader.GetString(1)), JsonStringList.Read(reader.GetString(2))));
            }
        }

        var changes = JobGraph.Settle(nodes);
        if (changes.Count == 0)
        {
            return 0;
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            foreach (var change in changes)
            {
                var queued = change.Status == JobItemStatus.Queued;
                var command = new NpgsqlBatchCommand(queued
                    ? "UPDATE job_items SET status = 'queued', available_at = @now WHERE job_id = @job AND item_id = @item AND status = 'waiting';"
                    : """
                      UPDATE job_items SET status = 'skipped', error_class = @class, error_message = @message, completed_at = @now,
                          webhook_state = CASE WHEN @per_item THEN 'pending' END
                      WHERE job_id = @job AND item_id = @item AND status = 'waiting';
                      """);
                command.Parameters.BindTime("now", now);
                command.Parameters.BindText("job", job.Id);
                command.Parameters.BindText("item", change.ItemId);
                if (!queued)
                {
                    command.Parameters.BindText("class", JobWire.DependencyFailed);
                    command.Parameters.BindText("message", change.Message);
                    command.Parameters.BindBool("per_item", job.Webhook?.PerItem == true);
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return changes.Count(c => c.Status == JobItemStatus.Skipped);
    }

    private static async Task<JobStatus?> FinishJobAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string jobId, bool cancelRequested, DateTimeOffset now, CancellationToken ct)
    {
        if (await AnyAsync(connection, transaction, jobId, "'waiting', 'queued', 'running'", ct).ConfigureAwait(false))
        {
            return null;
        }

        var counts = new Dictionary<JobItemStatus, int>();
        var started = false;
        await using (var read = new NpgsqlCommand("SELECT status, COUNT(*)::integer, MAX(attempts) FROM job_items WHERE job_id = @job GROUP BY status;", connection, transaction))
        {
            read.BindText("job", jobId);
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                counts[JobWire.ParseItemStatus(reader.GetString(0))] = reader.GetInt32(1);
                started |= reader.GetInt32(2) > 0;
            }
        }

        var status = new JobCounts { ByStatus = counts, AnyStarted = started }.Status(cancelRequested);
        if (!status.IsTerminal())
        {
            return null;
        }

        await using var finish = new NpgsqlCommand("""
            UPDATE jobs SET status = @status, completed_at = @now, webhook_state = CASE WHEN webhook_url IS NOT NULL THEN 'pending' END
            WHERE id = @job AND status = 'queued';
            """, connection, transaction);
        finish.BindText("status", status.ToWire());
        finish.BindTime("now", now);
        finish.BindText("job", jobId);
        await finish.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return status;
    }

    private static async Task<bool> AnyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string jobId, string statuses, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM job_items WHERE job_id = @job AND status IN ({statuses}));", connection, transaction);
        command.BindText("job", jobId);
        return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static async Task<JobRecord?> ReadJobAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, bool forUpdate, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT " + JobColumns + " FROM jobs WHERE id = @id" + (forUpdate ? " FOR UPDATE;" : ";"), connection, transaction);
        command.BindText("id", jobId);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadJob(reader) : null;
    }

    // Queued and running jobs are both stored as 'queued'; a job is running once any item was claimed or finished (JobCounts.Status).
    private static string StatusFilter(JobStatus? status) => status switch
    {
        null => "TRUE",
        JobStatus.Queued => "status = 'queued' AND NOT EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = jobs.id AND (i.attempts > 0 OR i.status NOT IN ('waiting', 'queued')))",
        JobStatus.Running => "status = 'queued' AND EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = jobs.id AND (i.attempts > 0 OR i.status NOT IN ('waiting', 'queued')))",
        _ => "status = @status",
    };

    private static void BindLease(NpgsqlCommand command, JobLease lease)
    {
        command.BindText("job", lease.JobId);
        command.BindText("item", lease.ItemId);
        command.BindText("token", lease.Token);
    }

    // Ordinals follow JobColumns.
    private static JobRecord ReadJob(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        OwnerKeyId = reader.GetString(1),
        IdempotencyKey = reader.GetNullableString(2),
        RequestHash = reader.GetString(3),
        Status = JobWire.ParseJobStatus(reader.GetString(4)),
        CancelRequested = reader.GetBoolean(5),
        CreatedAt = reader.GetTime(6),
        CompletedAt = reader.GetNullableTime(7),
        Context = reader.GetNullableString(8),
        Webhook = reader.GetNullableString(9) is { } url ? new JobWebhook(new Uri(url), reader.GetNullableString(10), reader.GetBoolean(11)) : null,
        CompletionWebhookSent = reader.GetNullableString(12) == "sent",
    };

    // Ordinals follow ItemColumns.
    private static JobItemRecord ReadItem(NpgsqlDataReader reader) => new()
    {
        JobId = reader.GetString(0),
        ItemId = reader.GetString(1),
        Seq = reader.GetInt32(2),
        Type = WireNames.ParseStoredModality(reader.GetString(3)),
        Route = reader.GetString(4),
        OwnerKeyId = reader.GetString(5),
        Spec = reader.GetString(6),
        DependsOn = JsonStringList.Read(reader.GetString(7)),
        Status = JobWire.ParseItemStatus(reader.GetString(8)),
        Attempts = reader.GetInt32(9),
        RunIds = JsonStringList.Read(reader.GetString(10)),
        OutputText = reader.GetNullableString(11),
        ArtifactIds = JsonStringList.Read(reader.GetString(12)),
        ErrorClass = reader.GetNullableString(13),
        ErrorMessage = reader.GetNullableString(14),
        AvailableAt = reader.GetTime(15),
        LeaseExpiresAt = reader.GetNullableTime(16),
        CompletedAt = reader.GetNullableTime(17),
    };
}
