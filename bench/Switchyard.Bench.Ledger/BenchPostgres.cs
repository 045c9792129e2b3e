using System.Diagnostics;
using Npgsql;

namespace Switchyard.Bench.Ledger;

/// <summary>A throwaway database on SWITCHYARD_BENCH_POSTGRES, SWITCHYARD_TEST_POSTGRES, or the cluster of scripts/postgres.sh (started when needed).</summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string _server;

    private BenchPostgres(string server, string name)
    {
        _server = server;
        Name = name;
        Url = new UriBuilder(new Uri(server)) { Path = "/" + name }.Uri.ToString();
    }

    public string Name { get; }

    public string Url { get; }

    public static async Task<BenchPostgres?> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("SWITCHYARD_BENCH_POSTGRES") is { Length: > 0 } a ? a
            : Environment.GetEnvironmentVariable("SWITCHYARD_TEST_POSTGRES") is { Length: > 0 } b ? b
            : await StartScriptAsync();
        if (server is null)
        {
            return null;
        }

        var database = new BenchPostgres(server, "switchyard_bench_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(server, $"CREATE DATABASE \"{database.Name}\";");
        return database;
    }

    public static string KeywordString(string url)
    {
        var uri = new Uri(url);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.TrimStart('/'), Pooling = false };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        return builder.ConnectionString;
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(KeywordString(Url));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {table};", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE);");
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(KeywordString(server));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> StartScriptAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("start");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"PostgreSQL not available ({error.Trim()}); skipping the PostgreSQL figures.");
            return null;
        }

        return output.Trim();
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
