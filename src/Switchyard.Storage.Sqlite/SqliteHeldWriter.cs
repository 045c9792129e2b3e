using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Switchyard.Storage.Sqlite;

/// <summary>
/// The connection that the process's batch writes use, kept open between batches with its statements prepared once,
/// so a batch pays neither a connection open, nor the pragmas, nor a parse. Statements are bound by position on
/// SQLite's native handle: no parameter is looked up by name and no value is boxed or copied to a string on the way.
/// Used only under <see cref="SqliteDatabase"/>'s write lock; any failure discards it (see <see cref="SqliteDatabase.WriteHeldAsync"/>).
/// </summary>
/// <remarks>
/// The connection is SQLite's own handle opened without its per-connection mutex (<c>SQLITE_OPEN_NOMUTEX</c>): the
/// write lock already keeps it to one thread at a time, and in the default serialized mode every bind and step took
/// and released that mutex, about fifty times per gateway request (bench/README.md).
/// </remarks>
internal sealed class SqliteHeldWriter : IDisposable
{
    private readonly Dictionary<string, sqlite3_stmt> _statements = new(StringComparer.Ordinal);
    private SqliteHeldWriter(sqlite3 handle)
    {
        Handle = handle;
    }

    private sqlite3 Handle { get; }

    /// <summary>Opens the file (which must exist and be migrated) for writing, with <paramref name="pragmas"/> applied.</summary>
    public static SqliteHeldWriter Open(string path, string pragmas)
    {
        var rc = raw.sqlite3_open_v2(path, out var handle, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX | raw.SQLITE_OPEN_PRIVATECACHE, null);
        try
        {
            SqliteException.ThrowExceptionForRC(rc, handle);
            var writer = new SqliteHeldWriter(handle);
            writer.Execute(pragmas);
            return writer;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The statement for <paramref name="sql"/>, prepared on first use; it must have exactly <paramref name="parameters"/> parameters.</summary>
    public sqlite3_stmt Prepare(string sql, int parameters)
    {
        if (_statements.TryGetValue(sql, out var statement))
        {
            return statement;
        }

        var rc = raw.sqlite3_prepare_v3(Handle, sql, raw.SQLITE_PREPARE_PERSISTENT, out statement);
        SqliteException.ThrowExceptionForRC(rc, Handle);

        // Binding is by position, so the count is checked once against what the binder assumes.
        var count = raw.sqlite3_bind_parameter_count(statement);
        if (count != parameters)
        {
            statement.Dispose();
            throw new InvalidOperationException($"The statement has {count} parameters, expected {parameters}.");
        }

        _statements.Add(sql, statement);
        return statement;
    }

    /// <summary>Runs SQL without results (BEGIN, COMMIT).</summary>
    public void Execute(string sql)
    {
        var rc = raw.sqlite3_exec(Handle, sql);
        SqliteException.ThrowExceptionForRC(rc, Handle);
    }

    /// <summary>Rolls back the open transaction, when there is one.</summary>
    public void RollBackIfOpen()
    {
        if (raw.sqlite3_get_autocommit(Handle) == 0)
        {
            raw.sqlite3_exec(Handle, "ROLLBACK;");
        }
    }

    /// <summary>Runs a bound statement that returns no rows, then resets it for its next use.</summary>
    public void Step(sqlite3_stmt statement)
    {
        var rc = NativeBinds.sqlite3_step(statement.DangerousGetHandle());
        if (rc != raw.SQLITE_DONE)
        {
            try
            {
                SqliteException.ThrowExceptionForRC(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc, Handle);
            }
            finally
            {
                _ = NativeBinds.sqlite3_reset(statement.DangerousGetHandle()); // returns the step's code, handled above
            }
        }

        _ = NativeBinds.sqlite3_reset(statement.DangerousGetHandle()); // returns the step's code, handled above
    }

    /// <summary>Runs a bound statement that returns no rows, resets it, and returns how many rows it inserted, changed or deleted.</summary>
    public int StepCountingChanges(sqlite3_stmt statement)
    {
        Step(statement);
        return NativeBinds.sqlite3_changes(Handle.DangerousGetHandle());
    }

    /// <summary>Binds text as UTF-8 (the database's encoding, so SQLite stores it without converting), encoded on the stack when short.</summary>
    public void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            Check(NativeBinds.sqlite3_bind_null(statement.DangerousGetHandle(), index));
            return;
        }

        if (value.Length <= 256)
        {
            Span<byte> bytes = stackalloc byte[256 * 3];
            var written = Encoding.UTF8.GetBytes(value, bytes);
            Check(NativeBinds.BindText(statement, index, bytes[..written]));
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var written = Encoding.UTF8.GetBytes(value, rented);
            Check(NativeBinds.BindText(statement, index, rented.AsSpan(0, written)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Integer(sqlite3_stmt statement, int index, long? value) =>
        Check(value is { } number ? NativeBinds.sqlite3_bind_int64(statement.DangerousGetHandle(), index, number) : NativeBinds.sqlite3_bind_null(statement.DangerousGetHandle(), index));

    public void Real(sqlite3_stmt statement, int index, double? value) =>
        Check(value is { } number ? NativeBinds.sqlite3_bind_double(statement.DangerousGetHandle(), index, number) : NativeBinds.sqlite3_bind_null(statement.DangerousGetHandle(), index));

    /// <summary>A time as <see cref="SqliteTime"/> text, formatted on the stack.</summary>
    public void Time(sqlite3_stmt statement, int index, DateTimeOffset? value)
    {
        if (value is not { } time)
        {
            Check(NativeBinds.sqlite3_bind_null(statement.DangerousGetHandle(), index));
            return;
        }

        Span<byte> text = stackalloc byte[32];
        if (!SqliteTime.TryFormat(time, text, out var written))
        {
            throw new FormatException($"The time {time:O} does not fit the stored form.");
        }

        Check(NativeBinds.BindText(statement, index, text[..written]));
    }

    /// <summary>An exact decimal as invariant text (as <see cref="SqliteParameters.BindDecimal"/>), formatted on the stack.</summary>
    public void Decimal(sqlite3_stmt statement, int index, decimal? value)
    {
        if (value is not { } number)
        {
            Check(NativeBinds.sqlite3_bind_null(statement.DangerousGetHandle(), index));
            return;
        }

        Span<char> text = stackalloc char[48];
        if (!number.TryFormat(text, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new FormatException($"The decimal {number} does not fit the stored form.");
        }

        Check(NativeBinds.BindText16(statement, index, text[..written]));
    }

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
        Handle.Dispose();
    }

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, Handle);
}
