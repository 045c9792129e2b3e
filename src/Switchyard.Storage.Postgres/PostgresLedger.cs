using System.Data;
using System.Text;
using Npgsql;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Storage.Postgres;

/// <summary>The ledger of runs and attempts in PostgreSQL, shared by every node. Safe for many concurrent callers.</summary>
public sealed class PostgresLedger : ILedger, ILedgerBatchWriter
{
    /// <summary>How many runs <see cref="DeleteRunsBeforeAsync"/> deletes per statement.</summary>
    public const int DeleteBatchSize = 1000;

    private const string RunColumns = """
        id, started_at, key_id, route, preset, modality, requested_model, endpoint, outcome,
        served_provider, served_provider_type, served_model, served_tier, duration_ms, error_class,
        error_message, http_status, prompt_hash, prompt_preview, request_summary, response_summary, attempt_count,
        cache_hit, trace_id, job_id, item_id, cost_usd
        """;

    private const string RunValues = """
        @id, @started_at, @key_id, @route, @preset, @modality, @requested_model, @endpoint, @outcome,
        @served_provider, @served_provider_type, @served_model, @served_tier, @duration_ms, @error_class,
        @error_message, @http_status, @prompt_hash, @prompt_preview, @request_summary, @response_summary, @attempt_count,
        @cache_hit, @trace_id, @job_id, @item_id, @cost_usd
        """;

    private const string InsertRun = "INSERT INTO runs (" + RunColumns + ") VALUES (" + RunValues + ");";

    // In a batch a start that is already stored is a replay of a batch whose first try failed after its commit
    // (run ids are unique), so it is skipped: that makes every batch idempotent and safe to retry.
    private const string InsertRunIfNew = "INSERT INTO runs (" + RunColumns + ") VALUES (" + RunValues + ") ON CONFLICT (id) DO NOTHING;";

    // A finish leaves what the start fixed (start time, key, job and item; an attempt's tier, retry, provider, model and
    // start time): the same contract as the SQLite ledger, whose indexes this spares.
    private const string UpsertRun = "INSERT INTO runs (" + RunColumns + ") VALUES (" + RunValues + """
        )
        ON CONFLICT (id) DO UPDATE SET
            route = excluded.route,
            preset = excluded.preset,
            modality = excluded.modality,
            requested_model = excluded.requested_model,
            endpoint = excluded.endpoint,
            outcome = excluded.outcome,
            served_provider = excluded.served_provider,
            served_provider_type = excluded.served_provider_type,
            served_model = excluded.served_model,
            served_tier = excluded.served_tier,
            duration_ms = excluded.duration_ms,
            error_class = excluded.error_class,
            error_message = excluded.error_message,
            http_status = excluded.http_status,
            prompt_hash = excluded.prompt_hash,
            prompt_preview = excluded.prompt_preview,
            request_summary = excluded.request_summary,
            response_summary = excluded.response_summary,
            attempt_count = excluded.attempt_count,
            cache_hit = excluded.cache_hit,
            trace_id = excluded.trace_id,
            cost_usd = excluded.cost_usd;
        """;

    private const string AttemptColumns = """
        run_id, seq, tier, retry, provider, provider_type, model, status, error_class, skip_reason,
        http_status, error_code, message, step, started_at, duration_ms, bytes, cost_usd
        """;

    private const string UpsertAttempt = "INSERT INTO attempts (" + AttemptColumns + """
        ) VALUES (
            @run_id, @seq, @tier, @retry, @provider, @provider_type, @model, @status, @error_class, @skip_reason,
            @http_status, @error_code, @message, @step, @started_at, @duration_ms, @bytes, @cost_usd)
        ON CONFLICT (run_id, seq) DO UPDATE SET
            status = excluded.status,
            error_class = excluded.error_class,
            skip_reason = excluded.skip_reason,
            http_status = excluded.http_status,
            error_code = excluded.error_code,
            message = excluded.message,
            step = excluded.step,
            duration_ms = excluded.duration_ms,
            bytes = excluded.bytes,
            cost_usd = excluded.cost_usd;
        """;

    private readonly PostgresDatabase _database;

    /// <summary>Creates a ledger over a migrated database.</summary>
    public PostgresLedger(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    /// <remarks>A second start of the same run id fails: run ids are unique. Times are kept to the microsecond.</remarks>
    public async ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await WriteRunAsync(InsertRun, run, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The run must have been started: an attempt of an unknown run fails rather than being dropped.</remarks>
    public async ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(UpsertAttempt, connection);
        BindAttempt(command.Parameters, attempt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// PostgreSQL's classes 22 (data exception: a value out of range, bad encoding, a string too long) and 23 (integrity:
    /// a NOT NULL column, an attempt of an unknown run) are about the record; a lost connection, a shutdown, a full disk
    /// or a serialization failure pass.
    /// </remarks>
    public bool IsRejection(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("22", StringComparison.Ordinal) || postgres.SqlState.StartsWith("23", StringComparison.Ordinal),
        NpgsqlException => false,
        _ => LedgerRejections.IsValueError(exception),
    };

    /// <inheritdoc />
    /// <remarks>
    /// One transaction, sent as one <see cref="NpgsqlBatch"/>: a single round trip for the whole batch. Batches are
    /// idempotent: a run start whose id is already stored is skipped, and attempts and finishes replace, so a batch
    /// may be written again when it is unknown whether a failed try committed (a connection lost during COMMIT).
    /// </remarks>
    public async ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var write in writes)
        {
            NpgsqlBatchCommand command;
            switch (write)
            {
                case LedgerWrite.RunStarted started:
                    command = new NpgsqlBatchCommand(InsertRunIfNew);
                    BindRun(command.Parameters, started.Run);
                    break;
                case LedgerWrite.RunFinished finished:
                    command = new NpgsqlBatchCommand(UpsertRun);
                    BindRun(command.Parameters, finished.Run);
                    break;
                case LedgerWrite.Attempt attempt:
                    command = new NpgsqlBatchCommand(UpsertAttempt);
                    BindAttempt(command.Parameters, attempt.Record);
                    break;
                default:
                    throw new ArgumentException($"Unknown ledger write {write.GetType().Name}.", nameof(writes));
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>A run finished without a recorded start is stored as well.</remarks>
    public async ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await WriteRunAsync(UpsertRun, run, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + RunColumns + " FROM runs WHERE id = @id;", connection);
        command.BindText("id", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRun(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + AttemptColumns + " FROM attempts WHERE run_id = @run_id ORDER BY seq;", connection);
        command.BindText("run_id", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var attempts = new List<AttemptRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            attempts.Add(ReadAttempt(reader));
        }

        return attempts;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Runs with the same start time are ordered by id, descending. A limit below 1 returns nothing.
    /// <see cref="RunQuery.After"/> continues strictly after that run in this order; when that run no longer
    /// exists (retention removed it), the page continues by id alone, which works because run ids sort by start time.
    /// </remarks>
    public async ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 1)
        {
            return [];
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };

        // Only constant fragments are appended; every value is a parameter.
        var sql = new StringBuilder("SELECT " + RunColumns + " FROM runs r WHERE true");
        if (query.KeyId is not null)
        {
            sql.Append(" AND r.key_id = @key_id");
            command.BindText("key_id", query.KeyId);
        }

        if (query.Since is { } since)
        {
            sql.Append(" AND r.started_at >= @since");
            command.BindTime("since", since);
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND r.started_at < @until");
            command.BindTime("until", until);
        }

        if (query.Outcome is { } outcome)
        {
            sql.Append(" AND r.outcome = @outcome");
            command.BindText("outcome", outcome.ToWire());
        }

        if (query.Route is not null)
        {
            sql.Append(" AND r.route = @route");
            command.BindText("route", query.Route);
        }

        if (query.Preset is not null)
        {
            sql.Append(" AND r.preset = @preset");
            command.BindText("preset", query.Preset);
        }

        if (query.ErrorClass is { } errorClass)
        {
            sql.Append(" AND (r.error_class = @error_class OR EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = r.id AND a.error_class = @error_class AND a.status = 'failed'))");
            command.BindText("error_class", errorClass.ToWire());
        }

        if (query.SkipReason is { } skipReason)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = r.id AND a.skip_reason = @skip_reason AND a.status = 'skipped')");
            command.BindText("skip_reason", skipReason.ToWire());
        }

        if (query.Provider is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = r.id AND a.provider = @provider)");
            command.BindText("provider", query.Provider);
        }

        if (query.Model is not null)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = r.id AND a.model = @model)");
            command.BindText("model", query.Model);
        }

        if (query.After is not null)
        {
            var afterStartedAt = await ReadStartedAtAsync(connection, query.After, cancellationToken).ConfigureAwait(false);
            if (afterStartedAt is { } afterTime)
            {
                // A row comparison, which PostgreSQL answers from the (started_at, id) index.
                sql.Append(" AND (r.started_at, r.id) < (@after_started_at, @after)");
                command.BindTime("after_started_at", afterTime);
            }
            else
            {
                sql.Append(" AND r.id < @after");
            }

            command.BindText("after", query.After);
        }

        sql.Append(" ORDER BY r.started_at DESC, r.id DESC LIMIT @limit;");
        command.BindInt("limit", query.Limit);
        command.CommandText = sql.ToString();

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<RunRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(ReadRun(reader));
        }

        return runs;
    }

    /// <inheritdoc />
    /// <remarks>Runs come in start order. Both reads run in one repeatable-read transaction, so a run and its attempts are seen as of the same moment.</remarks>
    public async ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var window = " WHERE r.started_at >= @since"
            + (query.Until is null ? string.Empty : " AND r.started_at < @until")
            + (query.KeyId is null ? string.Empty : " AND r.key_id = @key_id");

        var runs = new List<(string Id, RunFacts Facts)>();
        await using (var command = CreateFactsCommand(connection, transaction, query, """
            SELECT r.id, r.key_id, r.route, r.preset, r.outcome, r.served_provider, r.served_model, r.served_tier, r.error_class, r.duration_ms,
                r.cache_hit, r.cost_usd, r.started_at
            FROM runs r
            """ + window + " ORDER BY r.started_at, r.id;"))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                runs.Add((id, new RunFacts
                {
                    RunId = id,
                    KeyId = reader.GetNullableString(1),
                    Route = reader.GetString(2),
                    Preset = reader.GetNullableString(3),
                    Outcome = reader.GetNullableString(4) is { } outcome ? WireNames.ParseStoredOutcome(outcome) : null,
                    ServedProvider = reader.GetNullableString(5),
                    ServedModel = reader.GetNullableString(6),
                    ServedTier = reader.GetNullableInt32(7),
                    ErrorClass = reader.GetNullableString(8) is { } errorClass ? WireNames.ParseStoredErrorClass(errorClass) : null,
                    DurationMs = reader.GetNullableDouble(9),
                    CacheHit = reader.GetBoolean(10),
                    CostUsd = reader.GetNullableDecimal(11),
                    StartedAt = reader.GetTime(12),
                    Attempts = [],
                }));
            }
        }

        var attempts = new Dictionary<string, List<AttemptFacts>>(StringComparer.Ordinal);
        await using (var command = CreateFactsCommand(connection, transaction, query, """
            SELECT a.run_id, a.provider, a.model, a.status, a.error_class, a.skip_reason, a.duration_ms
            FROM runs r JOIN attempts a ON a.run_id = r.id
            """ + window + " ORDER BY r.started_at, r.id, a.seq;"))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var runId = reader.GetString(0);
                if (!attempts.TryGetValue(runId, out var list))
                {
                    list = [];
                    attempts.Add(runId, list);
                }

                list.Add(new AttemptFacts(
                    reader.GetString(1),
                    reader.GetNullableString(2),
                    WireNames.ParseStoredStatus(reader.GetString(3)),
                    reader.GetNullableString(4) is { } errorClass ? WireNames.ParseStoredErrorClass(errorClass) : null,
                    reader.GetNullableString(5) is { } skipReason ? WireNames.ParseStoredSkipReason(skipReason) : null,
                    reader.GetNullableDouble(6)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. runs.Select(run => attempts.TryGetValue(run.Id, out var list) ? run.Facts with { Attempts = list } : run.Facts)];
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes in batches of <see cref="DeleteBatchSize"/> runs so no single transaction grows large. Rows another node
    /// is already deleting are skipped rather than waited for, so nodes running retention at once do not queue up.
    /// </remarks>
    public async ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        while (true)
        {
            // The attempts go with their runs through ON DELETE CASCADE.
            await using var command = new NpgsqlCommand(
                "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE started_at < @cutoff LIMIT @batch FOR UPDATE SKIP LOCKED);", connection);
            command.BindTime("cutoff", cutoff);
            command.BindInt("batch", DeleteBatchSize);
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            total += deleted;
            if (deleted < DeleteBatchSize)
            {
                return total;
            }
        }
    }

    private static NpgsqlCommand CreateFactsCommand(NpgsqlConnection connection, NpgsqlTransaction transaction, StatsQuery query, string sql)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.BindTime("since", query.Since);
        if (query.Until is { } until)
        {
            command.BindTime("until", until);
        }

        if (query.KeyId is not null)
        {
            command.BindText("key_id", query.KeyId);
        }

        return command;
    }

    private static async Task<DateTimeOffset?> ReadStartedAtAsync(NpgsqlConnection connection, string runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT started_at FROM runs WHERE id = @id;", connection);
        command.BindText("id", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetTime(0) : null;
    }

    private async Task WriteRunAsync(string sql, RunRecord run, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        BindRun(command.Parameters, run);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void BindRun(NpgsqlParameterCollection command, RunRecord run)
    {
        command.BindText("id", run.Id);
        command.BindTime("started_at", run.StartedAt);
        command.BindText("key_id", run.KeyId);
        command.BindText("route", run.Route);
        command.BindText("preset", run.Preset);
        command.BindText("modality", run.Modality.ToWire());
        command.BindText("requested_model", run.RequestedModel);
        command.BindText("endpoint", run.Endpoint);
        command.BindText("outcome", run.Outcome?.ToWire());
        command.BindText("served_provider", run.ServedProvider);
        command.BindText("served_provider_type", run.ServedProviderType);
        command.BindText("served_model", run.ServedModel);
        command.BindInt("served_tier", run.ServedTier);
        command.BindDouble("duration_ms", run.DurationMs);
        command.BindText("error_class", run.ErrorClass?.ToWire());
        command.BindText("error_message", run.ErrorMessage);
        command.BindInt("http_status", run.HttpStatus);
        command.BindText("prompt_hash", run.PromptHash);
        command.BindText("prompt_preview", run.PromptPreview);
        command.BindText("request_summary", run.RequestSummary);
        command.BindText("response_summary", run.ResponseSummary);
        command.BindInt("attempt_count", run.AttemptCount);
        command.BindBool("cache_hit", run.CacheHit);
        command.BindText("trace_id", run.TraceId);
        command.BindText("job_id", run.JobId);
        command.BindText("item_id", run.ItemId);
        command.BindDecimal("cost_usd", run.CostUsd);
    }

    private static void BindAttempt(NpgsqlParameterCollection command, AttemptRecord attempt)
    {
        command.BindText("run_id", attempt.RunId);
        command.BindInt("seq", attempt.Seq);
        command.BindInt("tier", attempt.Tier);
        command.BindInt("retry", attempt.Retry);
        command.BindText("provider", attempt.Provider);
        command.BindText("provider_type", attempt.ProviderType);
        command.BindText("model", attempt.Model);
        command.BindText("status", attempt.Status.ToWire());
        command.BindText("error_class", attempt.ErrorClass?.ToWire());
        command.BindText("skip_reason", attempt.SkipReason?.ToWire());
        command.BindInt("http_status", attempt.HttpStatus);
        command.BindText("error_code", attempt.ErrorCode);
        command.BindText("message", attempt.Message);
        command.BindText("step", attempt.Step);
        command.BindTime("started_at", attempt.StartedAt);
        command.BindDouble("duration_ms", attempt.DurationMs);
        command.BindLong("bytes", attempt.Bytes);
        command.BindDecimal("cost_usd", attempt.CostUsd);
    }

    // Ordinals follow RunColumns.
    private static RunRecord ReadRun(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        StartedAt = reader.GetTime(1),
        KeyId = reader.GetNullableString(2),
        Route = reader.GetString(3),
        Preset = reader.GetNullableString(4),
        Modality = WireNames.ParseStoredModality(reader.GetString(5)),
        RequestedModel = reader.GetString(6),
        Endpoint = reader.GetString(7),
        Outcome = reader.GetNullableString(8) is { } outcome ? WireNames.ParseStoredOutcome(outcome) : null,
        ServedProvider = reader.GetNullableString(9),
        ServedProviderType = reader.GetNullableString(10),
        ServedModel = reader.GetNullableString(11),
        ServedTier = reader.GetNullableInt32(12),
        DurationMs = reader.GetNullableDouble(13),
        ErrorClass = reader.GetNullableString(14) is { } errorClass ? WireNames.ParseStoredErrorClass(errorClass) : null,
        ErrorMessage = reader.GetNullableString(15),
        HttpStatus = reader.GetNullableInt32(16),
        PromptHash = reader.GetNullableString(17),
        PromptPreview = reader.GetNullableString(18),
        RequestSummary = reader.GetNullableString(19),
        ResponseSummary = reader.GetNullableString(20),
        AttemptCount = reader.GetInt32(21),
        CacheHit = reader.GetBoolean(22),
        TraceId = reader.GetNullableString(23),
        JobId = reader.GetNullableString(24),
        ItemId = reader.GetNullableString(25),
        CostUsd = reader.GetNullableDecimal(26),
    };

    // Ordinals follow AttemptColumns.
    private static AttemptRecord ReadAttempt(NpgsqlDataReader reader) => new()
    {
        RunId = reader.GetString(0),
        Seq = reader.GetInt32(1),
        Tier = reader.GetInt32(2),
        Retry = reader.GetInt32(3),
        Provider = reader.GetString(4),
        ProviderType = reader.GetString(5),
        Model = reader.GetNullableString(6),
        Status = WireNames.ParseStoredStatus(reader.GetString(7)),
        ErrorClass = reader.GetNullableString(8) is { } errorClass ? WireNames.ParseStoredErrorClass(errorClass) : null,
        SkipReason = reader.GetNullableString(9) is { } skipReason ? WireNames.ParseStoredSkipReason(skipReason) : null,
        HttpStatus = reader.GetNullableInt32(10),
        ErrorCode = reader.GetNullableString(11),
        Message = reader.GetNullableString(12),
        Step = reader.GetNullableString(13),
        StartedAt = reader.GetTime(14),
        DurationMs = reader.GetNullableDouble(15),
        Bytes = reader.GetNullableInt64(16),
        CostUsd = reader.GetNullableDecimal(17),
    };
}
