using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Storage.Sqlite;

/// <summary>The ledger of runs and attempts in SQLite. Safe for many concurrent callers.</summary>
public sealed class SqliteLedger : ILedger, ILedgerBatchWriter
{
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

    private const string UpsertRun = "INSERT INTO runs (" + RunColumns + ") VALUES (" + RunValues + ") " + UpsertRunClause;

    // A finish leaves what the start fixed and the indexes are built on (start time, key, job and item), so updating a
    // run rewrites its row but none of its index entries; the same for an attempt's tier, retry, provider, model and
    // start time. Under a chat load a third of the requests finish in a later batch than they started (bench/README.md).
    private const string UpsertRunClause = """
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

    private const string UpsertAttempt = "INSERT INTO attempt_rows (" + AttemptColumns + """
        ) VALUES (
            @run_id, @seq, @tier, @retry, @provider, @provider_type, @model, @status, @error_class, @skip_reason,
            @http_status, @error_code, @message, @step, @started_at, @duration_ms, @bytes, @cost_usd)
        """ + UpsertAttemptClause;

    private const string UpsertAttemptClause = """
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

    // A run's own attempt (schema 8): positions follow RunColumns, then these.
    private const string CarriedAttemptColumns = """
        attempt_seq, attempt_tier, attempt_retry, attempt_provider, attempt_provider_type, attempt_model, attempt_http_status,
        attempt_error_code, attempt_message, attempt_step, attempt_started_at, attempt_duration_ms, attempt_bytes, attempt_cost_usd
        """;

    // A finish that carries the run's only attempt, when it is the run's first write: a run stored before (its start,
    // with its attempts in attempt_rows) is left to UpsertRun and its attempt goes to attempt_rows. Not an upsert with
    // RETURNING to tell the two apart: SQLite runs RETURNING as a trigger, and a statement that may fire one keeps a
    // statement journal, which cost more than the attempt's row saved (bench/README.md).
    private const string InsertRunCarryingAttempt = "INSERT INTO runs (" + RunColumns + ", " + CarriedAttemptColumns + ") VALUES (" + RunValues + """
        , ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41) ON CONFLICT (id) DO NOTHING;
        """;

    private static readonly int RunColumnCount = RunColumns.Split(',').Length;
    private static readonly int CarriedAttemptColumnCount = CarriedAttemptColumns.Split(',').Length;
    private static readonly int AttemptColumnCount = AttemptColumns.Split(',').Length;

    /// <summary>How many runs <see cref="DeleteRunsBeforeAsync"/> deletes per transaction.</summary>
    public const int DeleteBatchSize = 1000;

    private readonly SqliteDatabase _database;

    // WriteBatchAsync's per-batch collections, reused: only touched under the database's write lock.
    private readonly Dictionary<string, int> _soleAttempts = new(StringComparer.Ordinal);
    private readonly HashSet<int> _carried = [];

    /// <summary>Creates a ledger over a migrated database.</summary>
    public SqliteLedger(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    /// <remarks>A second start of the same run id fails: run ids are unique.</remarks>
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
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = UpsertAttempt;
                BindAttempt(command, attempt);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// SQLite's answers about the record: a constraint it breaks (a NOT NULL column, an attempt of an unknown run), a
    /// type or size it cannot hold, a parameter out of range. Busy, locked, full, read-only and I/O errors are about
    /// the database and pass.
    /// </remarks>
    public bool IsRejection(Exception exception) => exception switch
    {
        SqliteException sqlite => (sqlite.SqliteErrorCode & 0xFF) is raw.SQLITE_CONSTRAINT or raw.SQLITE_MISMATCH or raw.SQLITE_TOOBIG or raw.SQLITE_RANGE,
        _ => LedgerRejections.IsValueError(exception),
    };

    /// <inheritdoc />
    /// <remarks>
    /// One transaction under the process's write lock, on the database's held writer connection, with statements
    /// prepared once per connection and bound by position, one row per statement, in batch order: a start is skipped
    /// when its run is stored, a finish and an attempt replace their row. Single-row statements need no statement
    /// journal; a multi-row one inside the transaction made SQLite copy every page it changed into one, spilled to a
    /// temporary file on a database of real size (bench/README.md). Batches are idempotent, so a batch may be written
    /// again when it is unknown whether a failed try committed.
    /// </remarks>
    public async ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        foreach (var write in writes)
        {
            if (write is not (LedgerWrite.RunStarted or LedgerWrite.RunFinished or LedgerWrite.Attempt))
            {
                throw new ArgumentException($"Unknown ledger write {write.GetType().Name}.", nameof(writes));
            }
        }

        await _database.WriteHeldAsync(
            (writer, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                writer.Execute("BEGIN IMMEDIATE;");
                try
                {
                    var soleAttempts = SoleSuccessfulAttempts(writes, _soleAttempts);
                    var carried = _carried;
                    carried.Clear();
                    for (var i = 0; i < writes.Count; i++)
                    {
                        switch (writes[i])
                        {
                            case LedgerWrite.RunFinished finished when soleAttempts.TryGetValue(finished.RunId, out var at) && at > i:
                                var sole = ((LedgerWrite.Attempt)writes[at]).Record;
                                if (WriteRunCarrying(writer, finished.Run, sole))
                                {
                                    carried.Add(at);
                                }

                                break;
                            case LedgerWrite.RunFinished finished:
                                WriteRun(writer, UpsertRun, finished.Run);
                                break;
                            case LedgerWrite.RunStarted started:
                                WriteRun(writer, InsertRunIfNew, started.Run);
                                break;
                            case LedgerWrite.Attempt attempt when !carried.Contains(i):
                                var statement = writer.Prepare(UpsertAttempt, AttemptColumnCount);
                                BindAttempt(writer, statement, attempt.Record);
                                writer.Step(statement);
                                break;
                        }
                    }

                    writer.Execute("COMMIT;");
                }
                catch
                {
                    writer.RollBackIfOpen();
                    throw;
                }

                return writes.Count;
            },
            cancellationToken).ConfigureAwait(false);
    }

    // Per run of the batch whose attempts in it are exactly one successful attempt: the position of that attempt.
    private static Dictionary<string, int> SoleSuccessfulAttempts(IReadOnlyList<LedgerWrite> writes, Dictionary<string, int> sole)
    {
        sole.Clear();
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i] is LedgerWrite.Attempt { Record: var attempt })
            {
                if (!sole.TryAdd(attempt.RunId, i))
                {
                    sole[attempt.RunId] = -1;
                }
                else if (attempt is not { Status: AttemptStatus.Success, ErrorClass: null, SkipReason: null })
                {
                    sole[attempt.RunId] = -1;
                }
            }
        }

        return sole;
    }

    // Writes a finish with its run's only attempt in the run's row and returns true when the run is new; otherwise writes
    // the finish alone and returns false: the attempt then goes to attempt_rows (a replayed batch's too, which changes nothing).
    private static bool WriteRunCarrying(SqliteHeldWriter writer, RunRecord run, AttemptRecord attempt)
    {
        var statement = writer.Prepare(InsertRunCarryingAttempt, RunColumnCount + CarriedAttemptColumnCount);
        BindRun(writer, statement, run);
        writer.Integer(statement, 28, attempt.Seq);
        writer.Integer(statement, 29, attempt.Tier);
        writer.Integer(statement, 30, attempt.Retry);
        writer.Text(statement, 31, attempt.Provider);
        writer.Text(statement, 32, attempt.ProviderType);
        writer.Text(statement, 33, attempt.Model);
        writer.Integer(statement, 34, attempt.HttpStatus);
        writer.Text(statement, 35, attempt.ErrorCode);
        writer.Text(statement, 36, attempt.Message);
        writer.Text(statement, 37, attempt.Step);
        writer.Time(statement, 38, attempt.StartedAt);
        writer.Real(statement, 39, attempt.DurationMs);
        writer.Integer(statement, 40, attempt.Bytes);
        writer.Decimal(statement, 41, attempt.CostUsd);
        if (writer.StepCountingChanges(statement) == 1)
        {
            return true;
        }

        WriteRun(writer, UpsertRun, run);
        return false;
    }

    private static void WriteRun(SqliteHeldWriter writer, string sql, RunRecord run)
    {
        var statement = writer.Prepare(sql, RunColumnCount);
        BindRun(writer, statement, run);
        writer.Step(statement);
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
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + RunColumns + " FROM runs WHERE id = @id;";
        command.Bind("@id", runId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRun(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + AttemptColumns + " FROM attempts WHERE run_id = @run_id ORDER BY seq;"; // the view: attempt_rows and the run's own
        command.Bind("@run_id", runId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        using var command = connection.CreateCommand();

        // Only constant fragments are appended; every value is a parameter.
        var sql = new StringBuilder("SELECT " + RunColumns + " FROM runs WHERE 1 = 1");
        if (query.KeyId is not null)
        {
            sql.Append(" AND key_id = @key_id");
            command.Bind("@key_id", query.KeyId);
        }

        if (query.Since is { } since)
        {
            sql.Append(" AND started_at >= @since");
            command.BindTime("@since", since);
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND started_at < @until");
            command.BindTime("@until", until);
        }

        if (query.Outcome is { } outcome)
        {
            sql.Append(" AND outcome = @outcome");
            command.Bind("@outcome", outcome.ToWire());
        }

        if (query.Route is not null)
        {
            sql.Append(" AND route = @route");
            command.Bind("@route", query.Route);
        }

        if (query.Preset is not null)
        {
            sql.Append(" AND preset = @preset");
            command.Bind("@preset", query.Preset);
        }

        // IN (subquery) rather than EXISTS lets SQLite drive the search from the attempts' indexes when the value is rare.
        if (query.ErrorClass is { } errorClass)
        {
            sql.Append(" AND (error_class = @error_class OR id IN (SELECT run_id FROM attempt_rows WHERE error_class = @error_class AND status = 'failed'))");
            command.Bind("@error_class", errorClass.ToWire());
        }

        if (query.SkipReason is { } skipReason)
        {
            sql.Append(" AND id IN (SELECT run_id FROM attempt_rows WHERE skip_reason = @skip_reason AND status = 'skipped')");
            command.Bind("@skip_reason", skipReason.ToWire());
        }

        // No index on the attempts' provider or model (schema 7: they cost every request two b-tree writes): runs are
        // walked newest first and each one's attempts found in its row (schema 8) or by their key, until the page is full.
        // A run's own attempt only ever succeeded, so the error and skip filters above need only attempt_rows.
        if (query.Provider is not null)
        {
            sql.Append(" AND (attempt_provider = @provider OR EXISTS (SELECT 1 FROM attempt_rows a WHERE a.run_id = runs.id AND a.provider = @provider))");
            command.Bind("@provider", query.Provider);
        }

        if (query.Model is not null)
        {
            sql.Append(" AND (attempt_model = @model OR EXISTS (SELECT 1 FROM attempt_rows a WHERE a.run_id = runs.id AND a.model = @model))");
            command.Bind("@model", query.Model);
        }

        if (query.After is not null)
        {
            var afterStartedAt = await ReadStartedAtAsync(connection, query.After, cancellationToken).ConfigureAwait(false);
            if (afterStartedAt is { } afterTime)
            {
                sql.Append(" AND (started_at < @after_started_at OR (started_at = @after_started_at AND id < @after))");
                command.BindTime("@after_started_at", afterTime);
            }
            else
            {
                sql.Append(" AND id < @after");
            }

            command.Bind("@after", query.After);
        }

        sql.Append(" ORDER BY started_at DESC, id DESC LIMIT @limit;");
        command.Bind("@limit", query.Limit);
        command.CommandText = sql.ToString();

        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<RunRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(ReadRun(reader));
        }

        return runs;
    }

    /// <inheritdoc />
    /// <remarks>Runs come in start order. Both reads share one snapshot, so a run and its attempts are seen as of the same moment.</remarks>
    public async ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // A deferred transaction in WAL mode is a read snapshot; it takes no write lock.
        using var transaction = connection.BeginTransaction(deferred: true);
        var window = " WHERE r.started_at >= @since"
            + (query.Until is null ? string.Empty : " AND r.started_at < @until")
            + (query.KeyId is null ? string.Empty : " AND r.key_id = @key_id");

        var runs = new List<(string Id, RunFacts Facts, int? OwnSeq, AttemptFacts? Own)>();
        using (var command = CreateFactsCommand(connection, transaction, query, """
            SELECT r.id, r.key_id, r.route, r.preset, r.outcome, r.served_provider, r.served_model, r.served_tier, r.error_class, r.duration_ms,
                r.cache_hit, r.cost_usd, r.started_at, r.attempt_seq, r.attempt_provider, r.attempt_model, r.attempt_duration_ms
            FROM runs r
            """ + window + " ORDER BY r.started_at, r.id;"))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
                    CacheHit = reader.GetInt64(10) != 0,
                    CostUsd = reader.GetNullableDecimal(11),
                    StartedAt = reader.GetTime(12),
                    Attempts = [],
                }, reader.GetNullableInt32(13), reader.IsDBNull(13) ? null : new AttemptFacts(reader.GetString(14), reader.GetNullableString(15), AttemptStatus.Success, null, null, reader.GetNullableDouble(16))));
            }
        }

        // CROSS JOIN keeps SQLite from scanning every attempt: it walks the window's runs and looks their attempts up by key.
        var attempts = new Dictionary<string, List<(int Seq, AttemptFacts Facts)>>(StringComparer.Ordinal);
        using (var command = CreateFactsCommand(connection, transaction, query, """
            SELECT a.run_id, a.provider, a.model, a.status, a.error_class, a.skip_reason, a.duration_ms, a.seq
            FROM runs r CROSS JOIN attempt_rows a ON a.run_id = r.id
            """ + window + " ORDER BY r.started_at, r.id, a.seq;"))
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var runId = reader.GetString(0);
                if (!attempts.TryGetValue(runId, out var list))
                {
                    list = [];
                    attempts.Add(runId, list);
                }

                list.Add((reader.GetInt32(7), new AttemptFacts(
                    reader.GetString(1),
                    reader.GetNullableString(2),
                    WireNames.ParseStoredStatus(reader.GetString(3)),
                    reader.GetNullableString(4) is { } errorClass ? WireNames.ParseStoredErrorClass(errorClass) : null,
                    reader.GetNullableString(5) is { } skipReason ? WireNames.ParseStoredSkipReason(skipReason) : null,
                    reader.GetNullableDouble(6))));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. runs.Select(run => attempts.TryGetValue(run.Id, out var rows) || run.Own is not null
            ? run.Facts with { Attempts = MergeAttempts(rows, run.OwnSeq, run.Own) }
            : run.Facts)];
    }

    // A run's attempts in seq order: those of attempt_rows, and the run's own unless attempt_rows has its seq (then that row is newer).
    private static IReadOnlyList<AttemptFacts> MergeAttempts(List<(int Seq, AttemptFacts Facts)>? rows, int? ownSeq, AttemptFacts? own)
    {
        if (own is null || ownSeq is not { } seq || rows?.Exists(r => r.Seq == seq) == true)
        {
            return rows is null ? [] : [.. rows.Select(r => r.Facts)];
        }

        if (rows is null)
        {
            return [own];
        }

        var at = rows.FindIndex(r => r.Seq > seq);
        rows.Insert(at < 0 ? rows.Count : at, (seq, own));
        return [.. rows.Select(r => r.Facts)];
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes in batches of <see cref="DeleteBatchSize"/> runs, each its own transaction, and lets other writers in
    /// between, so a large first clean-up does not stall the gateway's ledger writes.
    /// </remarks>
    public async ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var deleted = await _database.WriteAsync(
                async (connection, ct) =>
                {
                    // The attempts go with their runs through ON DELETE CASCADE (foreign_keys is on for every connection).
                    using var command = connection.CreateCommand();
                    command.CommandText = "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE started_at < @cutoff LIMIT @batch);";
                    command.BindTime("@cutoff", cutoff);
                    command.Bind("@batch", DeleteBatchSize);
                    return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            total += deleted;
            if (deleted < DeleteBatchSize)
            {
                return total;
            }
        }
    }

    private static SqliteCommand CreateFactsCommand(SqliteConnection connection, SqliteTransaction transaction, StatsQuery query, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.BindTime("@since", query.Since);
        if (query.Until is { } until)
        {
            command.BindTime("@until", until);
        }

        if (query.KeyId is not null)
        {
            command.Bind("@key_id", query.KeyId);
        }

        return command;
    }

    private static async Task<DateTimeOffset?> ReadStartedAtAsync(SqliteConnection connection, string runId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT started_at FROM runs WHERE id = @id;";
        command.Bind("@id", runId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string text ? SqliteTime.Parse(text) : null;
    }

    private async Task WriteRunAsync(string sql, RunRecord run, CancellationToken cancellationToken)
    {
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                BindRun(command, run);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static void BindRun(SqliteCommand command, RunRecord run)
    {
        command.Bind("@id", run.Id);
        command.BindTime("@started_at", run.StartedAt);
        command.Bind("@key_id", run.KeyId);
        command.Bind("@route", run.Route);
        command.Bind("@preset", run.Preset);
        command.Bind("@modality", run.Modality.ToWire());
        command.Bind("@requested_model", run.RequestedModel);
        command.Bind("@endpoint", run.Endpoint);
        command.Bind("@outcome", run.Outcome?.ToWire());
        command.Bind("@served_provider", run.ServedProvider);
        command.Bind("@served_provider_type", run.ServedProviderType);
        command.Bind("@served_model", run.ServedModel);
        command.Bind("@served_tier", run.ServedTier);
        command.Bind("@duration_ms", run.DurationMs);
        command.Bind("@error_class", run.ErrorClass?.ToWire());
        command.Bind("@error_message", run.ErrorMessage);
        command.Bind("@http_status", run.HttpStatus);
        command.Bind("@prompt_hash", run.PromptHash);
        command.Bind("@prompt_preview", run.PromptPreview);
        command.Bind("@request_summary", run.RequestSummary);
        command.Bind("@response_summary", run.ResponseSummary);
        command.Bind("@attempt_count", run.AttemptCount);
        command.Bind("@cache_hit", run.CacheHit ? 1 : 0);
        command.Bind("@trace_id", run.TraceId);
        command.Bind("@job_id", run.JobId);
        command.Bind("@item_id", run.ItemId);
        command.BindDecimal("@cost_usd", run.CostUsd);
    }

    private static void BindAttempt(SqliteCommand command, AttemptRecord attempt)
    {
        command.Bind("@run_id", attempt.RunId);
        command.Bind("@seq", attempt.Seq);
        command.Bind("@tier", attempt.Tier);
        command.Bind("@retry", attempt.Retry);
        command.Bind("@provider", attempt.Provider);
        command.Bind("@provider_type", attempt.ProviderType);
        command.Bind("@model", attempt.Model);
        command.Bind("@status", attempt.Status.ToWire());
        command.Bind("@error_class", attempt.ErrorClass?.ToWire());
        command.Bind("@skip_reason", attempt.SkipReason?.ToWire());
        command.Bind("@http_status", attempt.HttpStatus);
        command.Bind("@error_code", attempt.ErrorCode);
        command.Bind("@message", attempt.Message);
        command.Bind("@step", attempt.Step);
        command.BindTime("@started_at", attempt.StartedAt);
        command.Bind("@duration_ms", attempt.DurationMs);
        command.Bind("@bytes", attempt.Bytes);
        command.BindDecimal("@cost_usd", attempt.CostUsd);
    }

    // Positions follow RunColumns.
    private static void BindRun(SqliteHeldWriter writer, sqlite3_stmt statement, RunRecord run)
    {
        writer.Text(statement, 1, run.Id);
        writer.Time(statement, 2, run.StartedAt);
        writer.Text(statement, 3, run.KeyId);
        writer.Text(statement, 4, run.Route);
        writer.Text(statement, 5, run.Preset);
        writer.Text(statement, 6, run.Modality.ToWire());
        writer.Text(statement, 7, run.RequestedModel);
        writer.Text(statement, 8, run.Endpoint);
        writer.Text(statement, 9, run.Outcome?.ToWire());
        writer.Text(statement, 10, run.ServedProvider);
        writer.Text(statement, 11, run.ServedProviderType);
        writer.Text(statement, 12, run.ServedModel);
        writer.Integer(statement, 13, run.ServedTier);
        writer.Real(statement, 14, run.DurationMs);
        writer.Text(statement, 15, run.ErrorClass?.ToWire());
        writer.Text(statement, 16, run.ErrorMessage);
        writer.Integer(statement, 17, run.HttpStatus);
        writer.Text(statement, 18, run.PromptHash);
        writer.Text(statement, 19, run.PromptPreview);
        writer.Text(statement, 20, run.RequestSummary);
        writer.Text(statement, 21, run.ResponseSummary);
        writer.Integer(statement, 22, run.AttemptCount);
        writer.Integer(statement, 23, run.CacheHit ? 1 : 0);
        writer.Text(statement, 24, run.TraceId);
        writer.Text(statement, 25, run.JobId);
        writer.Text(statement, 26, run.ItemId);
        writer.Decimal(statement, 27, run.CostUsd);
    }

    // Positions follow AttemptColumns.
    private static void BindAttempt(SqliteHeldWriter writer, sqlite3_stmt statement, AttemptRecord attempt)
    {
        writer.Text(statement, 1, attempt.RunId);
        writer.Integer(statement, 2, attempt.Seq);
        writer.Integer(statement, 3, attempt.Tier);
        writer.Integer(statement, 4, attempt.Retry);
        writer.Text(statement, 5, attempt.Provider);
        writer.Text(statement, 6, attempt.ProviderType);
        writer.Text(statement, 7, attempt.Model);
        writer.Text(statement, 8, attempt.Status.ToWire());
        writer.Text(statement, 9, attempt.ErrorClass?.ToWire());
        writer.Text(statement, 10, attempt.SkipReason?.ToWire());
        writer.Integer(statement, 11, attempt.HttpStatus);
        writer.Text(statement, 12, attempt.ErrorCode);
        writer.Text(statement, 13, attempt.Message);
        writer.Text(statement, 14, attempt.Step);
        writer.Time(statement, 15, attempt.StartedAt);
        writer.Real(statement, 16, attempt.DurationMs);
        writer.Integer(statement, 17, attempt.Bytes);
        writer.Decimal(statement, 18, attempt.CostUsd);
    }

    // Ordinals follow RunColumns.
    private static RunRecord ReadRun(SqliteDataReader reader) => new()
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
        CacheHit = reader.GetInt64(22) != 0,
        TraceId = reader.GetNullableString(23),
        JobId = reader.GetNullableString(24),
        ItemId = reader.GetNullableString(25),
        CostUsd = reader.GetNullableDecimal(26),
    };

    // Ordinals follow AttemptColumns.
    private static AttemptRecord ReadAttempt(SqliteDataReader reader) => new()
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
