using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace Switchyard.Storage.Sqlite;

/// <summary>
/// SQLite's bind, step, reset and changes called on the native pointers of <see cref="SqliteHeldWriter"/>'s connection
/// and statements, from the same <c>e_sqlite3</c> library that SQLitePCLRaw loads. Through SQLitePCLRaw every call
/// took and released the statement's <see cref="SafeHandle"/>, about a twentieth of the store's CPU per gateway
/// request (bench/README.md). The held writer keeps its statements as long as its connection and uses them only under
/// the database's write lock, so no handle can be released during a call.
/// </summary>
internal static unsafe partial class NativeBinds
{
    private const string Library = "e_sqlite3";

    // SQLITE_TRANSIENT: SQLite copies the value before the call returns (the bytes are on the caller's stack).
    private static readonly nint Transient = -1;

    // An empty span pins to a null pointer, which SQLite binds as NULL: empty text is bound from a real (empty) buffer.
    public static int BindText(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8)
    {
        byte none = 0;
        fixed (byte* text = utf8)
        {
            return sqlite3_bind_text(statement.DangerousGetHandle(), index, text is null ? &none : text, utf8.Length, Transient);
        }
    }

    public static int BindText16(sqlite3_stmt statement, int index, ReadOnlySpan<char> utf16)
    {
        char none = '\0';
        fixed (char* text = utf16)
        {
            return sqlite3_bind_text16(statement.DangerousGetHandle(), index, text is null ? &none : text, utf16.Length * sizeof(char), Transient);
        }
    }

    // Binds neither block nor call back into .NET, so they skip the GC transition; step does I/O and keeps it.
    [LibraryImport(Library)]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int sqlite3_bind_text(nint statement, int index, byte* text, int bytes, nint destructor);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int sqlite3_bind_text16(nint statement, int index, char* text, int bytes, nint destructor);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int sqlite3_bind_int64(nint statement, int index, long value);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int sqlite3_bind_double(nint statement, int index, double value);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int sqlite3_bind_null(nint statement, int index);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int sqlite3_step(nint statement);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int sqlite3_reset(nint statement);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int sqlite3_changes(nint connection);
}
