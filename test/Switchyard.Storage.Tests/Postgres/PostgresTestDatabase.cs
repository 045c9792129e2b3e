using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Switchyard.Storage.Postgres;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>A database of its own on the test server, created empty (not migrated) with a random name and dropped on dispose.</summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private readonly List<PostgresDatabase> _opened = [];
    private string _serverUrl = null!;

    public string Name { get; } = "switchyard_test_" + Guid.NewGuid().ToString("N");

    /// <summary>A keyword connection string to this database.</summary>
    public string ConnectionString { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(StorageTestTime.Start);

    public async ValueTask InitializeAsync()
    {
        _serverUrl = await PostgresServer.GetUrlAsync();

        // Database names cannot be parameters; this one is ours (a GUID), quoted as an identifier.
        await ExecuteOnServerAsync($"CREATE DATABASE \"{Name}\";");
        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse(_serverUrl).ConnectionString) { Database = Name }.ConnectionString;
    }

    /// <summary>Another connection owner on the same database, as a second node would have.</summary>
    public PostgresDatabase Create()
    {
        var database = new PostgresDatabase(ConnectionString, Time);
        _opened.Add(database);
        return database;
    }

    public async Task<PostgresDatabase> OpenAsync()
    {
        var database = Create();
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return database;
    }

    /// <summary>Empties every table, for the next test of a class that shares this database.</summary>
    public async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("TRUNCATE runs, attempts, api_keys, server_secrets, webhook_deliveries, webhook_tries, webhook_key_secrets, jobs, job_items;", connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Closes the databases (and their connection pools) opened so far, so tests sharing this database do not pile up connections.</summary>
    public async Task CloseOpenedAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        _opened.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseOpenedAsync();
        NpgsqlConnection.ClearAllPools();
        if (ConnectionString is not null)
        {
            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE);");
        }
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_serverUrl).ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
