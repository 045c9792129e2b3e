using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Switchyard.Generation;
using Switchyard.Jobs;

namespace Switchyard.Storage.Sqlite;

/// <summary>
/// Jobs and their items in SQLite. Every write is one IMMEDIATE transaction under the process's write lock, so
/// claims and completions are serialized across processes on the same file; leases carry a fencing token.
/// </summary>
public sealed class SqliteJobStore : IJobStore
{
    private const string JobColumns = """
        id, owner_key_id, idempotency_key, request_hash, status, cancel_requested, created_at, completed_at,
        context, webhook_url, webhook_secret, webhook_per_item, webhook_state
        """;

    private const string ItemColumns = """
        job_id, item_id, seq, type, route, owner_key_id, spec, depends_on, status, attempts, run_ids,
        output_text, artifact_ids, error_class, error_message, available_at, lease_expires_at, completed_at
        """;

    private readonly SqliteDatabase _database;

    /// <summary>Creates a job store over a migrated database.</summary>
    public SqliteJobStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<JobCreateResult> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                if (job.IdempotencyKey is not null)
                {
                    using var find = Command(connection, transaction, "SELECT " + JobColumns + " FROM jobs WHERE owner_key_id = @owner AND idempotency_key = @key;");
                    find.Bind("@owner", job.OwnerKeyId);
                    find.Bind("@key", job.IdempotencyKey);
                    using var reader = await find.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        var existing = ReadJob(reader);
                        return new JobCreateResult(existing, Created: false, Conflict: existing.RequestHash != job.RequestHash);
                    }
                }

                using (var insert = Command(connection, transaction, """
                    INSERT INTO jobs (id, owner_key_id, idempotency_key, request_hash, status, created_at, context, webhook_url, webhook_secret, webhook_per_item)
                    VALUES (@id, @owner, @key, @hash, 'queued', @created, @context, @url, @secret, @per_item);
                    """))
                {
                    insert.Bind("@id", job.Id);
                    insert.Bind("@owner", job.OwnerKeyId);
                    insert.Bind("@key", job.IdempotencyKey);
                    insert.Bind("@hash", job.RequestHash);
                    insert.BindTime("@created", job.CreatedAt);
                    insert.Bind("@context", job.Context);
                    insert.Bind("@url", job.Webhook?.Url.ToString());
                    insert.Bind("@secret", job.Webhook?.ProtectedSecret);
                    insert.Bind("@per_item", job.Webhook?.PerItem == true ? 1 : 0);
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                using (var item = Command(connection, transaction, """
                    INSERT INTO job_items (job_id, item_id, seq, type, route, owner_key_id, spec, depends_on, status, available_at)
                    VALUES (@job, @item, @seq, @type, @route, @owner, @spec, @deps, @status, @available);
                    """))
                {
                    for (var i = 0; i < job.Items.Count; i++)
                    {
                        var spec = job.Items[i];
                        item.Bind("@job", job.Id);
                        item.Bind("@item", spec.ItemId);
                        item.Bind("@seq", i);
                        item.Bind("@type", spec.Type.ToWire());
                        item.Bind("@route", spec.Route);
                        item.Bind("@owner", job.OwnerKeyId);
                        item.Bind("@spec", spec.Spec);
                        item.Bind("@deps", JsonStringList.Write(spec.DependsOn));
                        item.Bind("@status", (spec.DependsOn.Count == 0 ? JobItemStatus.Queued : JobItemStatus.Waiting).ToWire());
                        item.BindTime("@available", job.CreatedAt);
                        await item.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    }
                }

                var stored = await ReadJobAsync(connection, transaction, job.Id, ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return new JobCreateResult(stored!, Created: true, Conflict: false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadJobAsync(connection, null, jobId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JobSummary>> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, null, "SELECT " + JobColumns + " FROM jobs WHERE (@owner IS NULL OR owner_key_id = @owner) AND (@after IS NULL OR id < @after) AND " + StatusFilter(query.Status) + " ORDER BY id DESC LIMIT @limit;");
        command.Bind("@owner", query.OwnerKeyId);
        if (query.Status is { } status && status.IsTerminal())
        {
            command.Bind("@status", status.ToWire());
        }

        command.Bind("@after", query.After);
        command.Bind("@limit", Math.Max(0, query.Limit));
        var jobs = new List<JobRecord>();
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
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

        var counts = jobs.ToDictionary(j => j.Id, _ => (ByStatus: new Dictionary<JobItemStatus, int>(), Started: false), StringComparer.Ordinal);
        using var count = Command(connection, null, "");
        var names = new List<string>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            var name = "@j" + i.ToString(CultureInfo.InvariantCulture);
            count.Bind(name, jobs[i].Id);
            names.Add(name);
        }

        count.CommandText = $"SELECT job_id, status, COUNT(*), MAX(attempts) FROM job_items WHERE job_id IN ({string.Join(", ", names)}) GROUP BY job_id, status;";
        using (var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var entry = counts[reader.GetString(0)];
                entry.ByStatus[JobWire.ParseItemStatus(reader.GetString(1))] = reader.GetInt32(2);
                counts[reader.GetString(0)] = entry with { Started = entry.Started || reader.GetInt64(3) > 0 };
            }
        }

        return [.. jobs.Select(j => new JobSummary(j, new JobCounts { ByStatus = counts[j.Id].ByStatus, AnyStarted = counts[j.Id].Started }))];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JobItemRecord>> GetItemsAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, null, "SELECT " + ItemColumns + " FROM job_items WHERE job_id = @job ORDER BY seq;");
        command.Bind("@job", jobId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<JobItemRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(ReadItem(reader));
        }

        return items;
    }

    /// <inheritdoc />
    public async ValueTask<JobLease?> ClaimAsync(JobClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var filters = new StringBuilder();
                using var find = Command(connection, transaction, "");
                AppendNotIn(find, filters, "route", "@r", claim.BusyRoutes);
                AppendNotIn(find, filters, "owner_key_id", "@k", claim.BusyKeys);
                find.CommandText = $"""
                    SELECT job_id, item_id FROM (
                        SELECT job_id, item_id, seq, available_at AS at FROM job_items
                        WHERE status = 'queued' AND available_at <= @now{filters}
                        UNION ALL
                        SELECT job_id, item_id, seq, lease_expires_at AS at FROM job_items
                        WHERE status = 'running' AND lease_expires_at <= @now AND attempts < @max{filters})
                    ORDER BY at, job_id, seq LIMIT 1;
                    """;
                find.BindTime("@now", claim.Now);
                find.Bind("@max", claim.MaxAttempts);
                string jobId, itemId;
                using (var reader = await find.ExecuteReaderAsync(ct).ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        return null;
                    }

                    jobId = reader.GetString(0);
                    itemId = reader.GetString(1);
                }

                using var update = Command(connection, transaction, """
                    UPDATE job_items SET status = 'running', attempts = attempts + 1, run_ids = json_insert(run_ids, '$[#]', @run),
                        lease_token = @token, lease_expires_at = @expires
                    WHERE job_id = @job AND item_id = @item
                    RETURNING
                    """ + " " + ItemColumns + ";");
                update.Bind("@run", claim.RunId);
                update.Bind("@token", claim.Token);
                update.BindTime("@expires", claim.Now + claim.Lease);
                update.Bind("@job", jobId);
                update.Bind("@item", itemId);
                JobItemRecord item;
                using (var reader = await update.ExecuteReaderAsync(ct).ConfigureAwait(false))
                {
                    await reader.ReadAsync(ct).ConfigureAwait(false);
                    item = ReadItem(reader);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return new JobLease(item, claim.Token, claim.RunId);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RenewAsync(JobLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var changed = await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = Command(connection, null, "UPDATE job_items SET lease_expires_at = @expires WHERE job_id = @job AND item_id = @item AND status = 'running' AND lease_token = @token;");
                command.BindTime("@expires", now + duration);
                BindLease(command, lease);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <inheritdoc />
    public async ValueTask<ItemTransition> CompleteAsync(JobLease lease, ItemResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(result);
        var status = result.Succeeded ? JobItemStatus.Succeeded : JobItemStatus.Failed;
        return await InTransactionAsync((c, t, ct) => FinishItemAsync(c, t, lease.JobId, lease.ItemId, lease.Token, status, result, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ItemTransition> RetryAsync(JobLease lease, ItemResult failure, DateTimeOffset availableAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(failure);
        return await InTransactionAsync((c, t, ct) => RequeueAsync(c, t, lease, failure, availableAt, countAttempt: true, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ItemTransition> ReleaseAsync(JobLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await InTransactionAsync((c, t, ct) => RequeueAsync(c, t, lease, null, now, countAttempt: false, now, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> FailExpiredAsync(DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken) =>
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var expired = new List<(string Job, string Item, string Token, int Attempts)>();
                using (var find = Command(connection, transaction, "SELECT job_id, item_id, lease_token, attempts FROM job_items WHERE status = 'running' AND lease_expires_at <= @now AND attempts >= @max;"))
                {
                    find.BindTime("@now", now);
                    find.Bind("@max", maxAttempts);
                    using var reader = await find.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        expired.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
                    }
                }

                foreach (var (job, item, token, attempts) in expired)
                {
                    var failure = ItemResult.Failure(JobWire.LeaseExpired, $"the lease ran out on attempt {attempts} of {maxAttempts}: the worker running it stopped or crashed each time");
                    await FinishItemAsync(connection, transaction, job, item, token, JobItemStatus.Failed, failure, now, ct).ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return expired.Count;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<JobRecord?> CancelAsync(string jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var job = await ReadJobAsync(connection, transaction, jobId, ct).ConfigureAwait(false);
                if (job is null || job.Status.IsTerminal())
                {
                    return job;
                }

                using (var flag = Command(connection, transaction, "UPDATE jobs SET cancel_requested = 1 WHERE id = @job;"))
                {
                    flag.Bind("@job", jobId);
                    await flag.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                using (var items = Command(connection, transaction, """
                    UPDATE job_items SET status = 'cancelled', error_class = @reason, error_message = 'cancelled with its job before it started',
                        completed_at = @now, webhook_state = CASE WHEN @per_item = 1 THEN 'pending' ELSE NULL END
                    WHERE job_id = @job AND status IN ('waiting', 'queued');
                    """))
                {
                    items.Bind("@reason", JobWire.Cancelled);
                    items.BindTime("@now", now);
                    items.Bind("@per_item", job.Webhook?.PerItem == true ? 1 : 0);
                    items.Bind("@job", jobId);
                    await items.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await FinishJobAsync(connection, transaction, jobId, now, ct).ConfigureAwait(false);
                var after = await ReadJobAsync(connection, transaction, jobId, ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return after;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<JobQueueStats> GetQueueStatsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, null, """
            SELECT
                (SELECT COUNT(*) FROM job_items WHERE status = 'queued' AND available_at <= @now)
                    + (SELECT COUNT(*) FROM job_items WHERE status = 'running' AND lease_expires_at <= @now),
                (SELECT MIN(at) FROM (
                    SELECT MIN(available_at) AS at FROM job_items WHERE status = 'queued' AND available_at <= @now
                    UNION ALL SELECT MIN(lease_expires_at) FROM job_items WHERE status = 'running' AND lease_expires_at <= @now)),
                (SELECT COUNT(*) FROM job_items WHERE status = 'running' AND lease_expires_at > @now);
            """);
        command.BindTime("@now", now);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var oldest = reader.GetNullableTime(1);
        return new JobQueueStats(reader.GetInt64(0), oldest is { } at && at < now ? now - at : TimeSpan.Zero, reader.GetInt64(2));
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookDue>> ClaimWebhooksAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken) =>
        await _database.WriteAsync<IReadOnlyList<WebhookDue>>(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var due = new List<WebhookDue>();

                // Items first, and a job only once its items are handed over, so a receiver sees each item before the job.
                using (var items = Command(connection, transaction, """
                    SELECT job_id, item_id FROM job_items
                    WHERE webhook_state = 'pending' AND (webhook_lease_until IS NULL OR webhook_lease_until <= @now)
                    ORDER BY job_id, seq LIMIT @limit;
                    """))
                {
                    items.BindTime("@now", now);
                    items.Bind("@limit", limit);
                    using var reader = await items.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        due.Add(new WebhookDue(reader.GetString(0), reader.GetString(1), NewToken()));
                    }
                }

                using (var jobs = Command(connection, transaction, """
                    SELECT id FROM jobs j
                    WHERE webhook_state = 'pending' AND (webhook_lease_until IS NULL OR webhook_lease_until <= @now)
                        AND NOT EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = j.id AND i.webhook_state = 'pending')
                    ORDER BY created_at LIMIT @limit;
                    """))
                {
                    jobs.BindTime("@now", now);
                    jobs.Bind("@limit", Math.Max(0, limit - due.Count));
                    using var reader = await jobs.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        due.Add(new WebhookDue(reader.GetString(0), null, NewToken()));
                    }
                }

                foreach (var entry in due)
                {
                    using var claim = Command(connection, transaction, entry.ItemId is null
                        ? "UPDATE jobs SET webhook_token = @token, webhook_lease_until = @until WHERE id = @job;"
                        : "UPDATE job_items SET webhook_token = @token, webhook_lease_until = @until WHERE job_id = @job AND item_id = @item;");
                    claim.Bind("@token", entry.Token);
                    claim.BindTime("@until", now + lease);
                    claim.Bind("@job", entry.JobId);
                    claim.Bind("@item", entry.ItemId);
                    await claim.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return due;
            },
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> MarkWebhookSentAsync(WebhookDue due, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(due);
        var changed = await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = Command(connection, null, due.ItemId is null
                    ? "UPDATE jobs SET webhook_state = 'sent', webhook_lease_until = NULL WHERE id = @job AND webhook_state = 'pending' AND webhook_token = @token;"
                    : "UPDATE job_items SET webhook_state = 'sent', webhook_lease_until = NULL WHERE job_id = @job AND item_id = @item AND webhook_state = 'pending' AND webhook_token = @token;");
                command.Bind("@job", due.JobId);
                command.Bind("@item", due.ItemId);
                command.Bind("@token", due.Token);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    private async Task<ItemTransition> InTransactionAsync(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<ItemTransition>> work, CancellationToken cancellationToken) =>
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                var transition = await work(connection, transaction, ct).ConfigureAwait(false);
                if (transition.Accepted)
                {
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                }

                return transition;
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>Finishes a running item under its lease token, settles its dependents and, when it was the last, the job.</summary>
    private static async Task<ItemTransition> FinishItemAsync(SqliteConnection connection, SqliteTransaction transaction, string jobId, string itemId, string token, JobItemStatus status, ItemResult result, DateTimeOffset now, CancellationToken ct)
    {
        using (var update = Command(connection, transaction, """
            UPDATE job_items SET status = @status, output_text = @text, artifact_ids = @artifacts, error_class = @class, error_message = @message,
                completed_at = @now, lease_token = NULL, lease_expires_at = NULL,
                webhook_state = (SELECT CASE WHEN webhook_per_item = 1 THEN 'pending' END FROM jobs WHERE id = @job)
            WHERE job_id = @job AND item_id = @item AND status = 'running' AND lease_token = @token;
            """))
        {
            update.Bind("@status", status.ToWire());
            update.Bind("@text", result.OutputText);
            update.Bind("@artifacts", JsonStringList.Write(result.ArtifactIds));
            update.Bind("@class", result.Succeeded ? null : result.ErrorClass);
            update.Bind("@message", result.Succeeded ? null : result.ErrorMessage);
            update.BindTime("@now", now);
            update.Bind("@job", jobId);
            update.Bind("@item", itemId);
            update.Bind("@token", token);
            if (await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != 1)
            {
                return ItemTransition.Lost;
            }
        }

        var skipped = await SettleAsync(connection, transaction, jobId, now, ct).ConfigureAwait(false);
        var jobStatus = await FinishJobAsync(connection, transaction, jobId, now, ct).ConfigureAwait(false);
        return new ItemTransition(true, status, jobStatus) { Skipped = skipped };
    }

    private static async Task<ItemTransition> RequeueAsync(SqliteConnection connection, SqliteTransaction transaction, JobLease lease, ItemResult? failure, DateTimeOffset availableAt, bool countAttempt, DateTimeOffset now, CancellationToken ct)
    {
        var cancelled = false;
        using (var job = Command(connection, transaction, "SELECT cancel_requested FROM jobs WHERE id = @job;"))
        {
            job.Bind("@job", lease.JobId);
            cancelled = Convert.ToInt64(await job.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) == 1;
        }

        if (cancelled)
        {
            var reason = ItemResult.Failure(JobWire.Cancelled, failure is null ? "cancelled with its job while it was running; it was not finished" : $"cancelled with its job after a failed attempt ({failure.ErrorClass}: {failure.ErrorMessage})");
            return await FinishItemAsync(connection, transaction, lease.JobId, lease.ItemId, lease.Token, JobItemStatus.Cancelled, reason, now, ct).ConfigureAwait(false);
        }

        using var update = Command(connection, transaction, $"""
            UPDATE job_items SET status = 'queued', available_at = @available, lease_token = NULL, lease_expires_at = NULL,
                attempts = attempts - @uncount, error_class = COALESCE(@class, error_class), error_message = COALESCE(@message, error_message)
            WHERE job_id = @job AND item_id = @item AND status = 'running' AND lease_token = @token;
            """);
        update.BindTime("@available", availableAt);
        update.Bind("@uncount", countAttempt ? 0 : 1);
        update.Bind("@class", failure?.ErrorClass);
        update.Bind("@message", failure?.ErrorMessage);
        BindLease(update, lease);
        return await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1
            ? new ItemTransition(true, JobItemStatus.Queued, null)
            : ItemTransition.Lost;
    }

    /// <summary>Queues waiting items whose dependencies all succeeded and skips those with a dependency that did not (transitively).</summary>
    private static async Task<int> SettleAsync(SqliteConnection connection, SqliteTransaction transaction, string jobId, DateTimeOffset now, CancellationToken ct)
    {
        // Most completions have nothing waiting on them; the (job_id, status) index answers that without reading the job.
        if (!await AnyAsync(connection, transaction, jobId, "'waiting'", ct).ConfigureAwait(false))
        {
            return 0;
        }

        var nodes = new List<JobGraph.Node>();
        using (var read = Command(connection, transaction, "SELECT item_id, status, depends_on FROM job_items WHERE job_id = @job ORDER BY seq;"))
        {
            read.Bind("@job", jobId);
            using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
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

        using var update = Command(connection, transaction, """
            UPDATE job_items SET status = @status, available_at = CASE WHEN @status = 'queued' THEN @now ELSE available_at END,
                error_class = @class, error_message = @message, completed_at = CASE WHEN @status = 'queued' THEN NULL ELSE @now END,
                webhook_state = CASE WHEN @status = 'queued' THEN NULL ELSE (SELECT CASE WHEN webhook_per_item = 1 THEN 'pending' END FROM jobs WHERE id = @job) END
            WHERE job_id = @job AND item_id = @item AND status = 'waiting';
            """);
        foreach (var change in changes)
        {
            update.Bind("@status", change.Status.ToWire());
            update.BindTime("@now", now);
            update.Bind("@class", change.Status == JobItemStatus.Skipped ? JobWire.DependencyFailed : null);
            update.Bind("@message", change.Message);
            update.Bind("@job", jobId);
            update.Bind("@item", change.ItemId);
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return changes.Count(c => c.Status == JobItemStatus.Skipped);
    }

    /// <summary>Sets the job's final status when no item is open; returns it, or null while the job goes on.</summary>
    private static async Task<JobStatus?> FinishJobAsync(SqliteConnection connection, SqliteTransaction transaction, string jobId, DateTimeOffset now, CancellationToken ct)
    {
        if (await AnyAsync(connection, transaction, jobId, "'waiting', 'queued', 'running'", ct).ConfigureAwait(false))
        {
            return null;
        }

        var counts = new Dictionary<JobItemStatus, int>();
        var started = false;
        using (var read = Command(connection, transaction, "SELECT status, COUNT(*), MAX(attempts) FROM job_items WHERE job_id = @job GROUP BY status;"))
        {
            read.Bind("@job", jobId);
            using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                counts[JobWire.ParseItemStatus(reader.GetString(0))] = reader.GetInt32(1);
                started |= reader.GetInt32(2) > 0;
            }
        }

        bool cancelRequested;
        using (var flag = Command(connection, transaction, "SELECT cancel_requested FROM jobs WHERE id = @job;"))
        {
            flag.Bind("@job", jobId);
            cancelRequested = Convert.ToInt64(await flag.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) == 1;
        }

        var status = new JobCounts { ByStatus = counts, AnyStarted = started }.Status(cancelRequested);
        if (!status.IsTerminal())
        {
            return null;
        }

        using var finish = Command(connection, transaction, """
            UPDATE jobs SET status = @status, completed_at = @now, webhook_state = CASE WHEN webhook_url IS NOT NULL THEN 'pending' END
            WHERE id = @job AND status = 'queued';
            """);
        finish.Bind("@status", status.ToWire());
        finish.BindTime("@now", now);
        finish.Bind("@job", jobId);
        await finish.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return status;
    }

    private static async Task<bool> AnyAsync(SqliteConnection connection, SqliteTransaction transaction, string jobId, string statuses, CancellationToken ct)
    {
        using var command = Command(connection, transaction, $"SELECT EXISTS (SELECT 1 FROM job_items WHERE job_id = @job AND status IN ({statuses}));");
        command.Bind("@job", jobId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) == 1;
    }

    private static async Task<JobRecord?> ReadJobAsync(SqliteConnection connection, SqliteTransaction? transaction, string jobId, CancellationToken ct)
    {
        using var command = Command(connection, transaction, "SELECT " + JobColumns + " FROM jobs WHERE id = @id;");
        command.Bind("@id", jobId);
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadJob(reader) : null;
    }

    // Queued and running jobs are both stored as 'queued'; a job is running once any item was claimed or finished (JobCounts.Status).
    private static string StatusFilter(JobStatus? status) => status switch
    {
        null => "1 = 1",
        JobStatus.Queued => "status = 'queued' AND NOT EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = jobs.id AND (i.attempts > 0 OR i.status NOT IN ('waiting', 'queued')))",
        JobStatus.Running => "status = 'queued' AND EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = jobs.id AND (i.attempts > 0 OR i.status NOT IN ('waiting', 'queued')))",
        _ => "status = @status",
    };

    private static void AppendNotIn(SqliteCommand command, StringBuilder filters, string column, string prefix, IReadOnlyCollection<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        var names = new List<string>(values.Count);
        var i = 0;
        foreach (var value in values)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            command.Bind(name, value);
            names.Add(name);
            i++;
        }

        filters.Append(" AND ").Append(column).Append(" NOT IN (").Append(string.Join(", ", names)).Append(')');
    }

    private static void BindLease(SqliteCommand command, JobLease lease)
    {
        command.Bind("@job", lease.JobId);
        command.Bind("@item", lease.ItemId);
        command.Bind("@token", lease.Token);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static string NewToken() => Guid.NewGuid().ToString("N");

    // Ordinals follow JobColumns.
    private static JobRecord ReadJob(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        OwnerKeyId = reader.GetString(1),
        IdempotencyKey = reader.GetNullableString(2),
        RequestHash = reader.GetString(3),
        Status = JobWire.ParseJobStatus(reader.GetString(4)),
        CancelRequested = reader.GetInt64(5) == 1,
        CreatedAt = reader.GetTime(6),
        CompletedAt = reader.GetNullableTime(7),
        Context = reader.GetNullableString(8),
        Webhook = reader.GetNullableString(9) is { } url ? new JobWebhook(new Uri(url), reader.GetNullableString(10), reader.GetInt64(11) == 1) : null,
        CompletionWebhookSent = reader.GetNullableString(12) == "sent",
    };

    // Ordinals follow ItemColumns.
    private static JobItemRecord ReadItem(SqliteDataReader reader) => new()
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
