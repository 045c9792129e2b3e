using Microsoft.Extensions.Time.Testing;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>A database file in a temporary folder of its own, deleted on dispose.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly List<SqliteDatabase> _opened = [];

    public SqliteTestDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "switchyard-storage-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Folder, "data", "switchyard.db");
    }

    public static DateTimeOffset Start => StorageTestTime.Start;

    public string Folder { get; }

    public string FilePath { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Another connection owner on the same file, as a second process would have.</summary>
    public SqliteDatabase Create()
    {
        var database = new SqliteDatabase(FilePath, Time);
        _opened.Add(database);
        return database;
    }

    public async Task<SqliteDatabase> OpenAsync()
    {
        var database = Create();
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return database;
    }

    public void Dispose()
    {
        foreach (var database in _opened)
        {
            database.Dispose();
        }

        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
