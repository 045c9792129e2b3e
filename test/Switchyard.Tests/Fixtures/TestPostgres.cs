using System.Diagnostics;
using Npgsql;

namespace Switchyard.Tests.Fixtures;

/// <summary>
/// A database of its own on the test PostgreSQL server (<c>SWITCHYARD_TEST_POSTGRES</c>, or the cluster of
/// <c>scripts/postgres.sh</c>, started when needed), created empty and dropped on dispose. When no server can be
/// had the tests fail and say why, as the storage suite does.
/// </summary>
public sealed class TestPostgres : IAsyncLifetime
{
    public const string EnvironmentVariable = "SWITCHYARD_TEST_POSTGRES";

    private string _serverUrl = null!;

    public string Name { get; } = "switchyard_gw_" + Guid.NewGuid().ToString("N");

    /// <summary>A <c>postgres://</c> URL of this database, as a config would name it.</summary>
    public string Url { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _serverUrl = await ResolveServerAsync();
        var server = new Uri(_serverUrl);
        Url = new UriBuilder(server) { Path = "/" + Name }.Uri.ToString();
        await ExecuteAsync($"CREATE DATABASE \"{Name}\";");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Url is not null)
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE);");
        }
    }

    /// <summary>One value read from this database.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(KeywordString(Url));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(KeywordString(_serverUrl));
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static string KeywordString(string url)
    {
        var uri = new Uri(url);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port, Database = uri.AbsolutePath.TrimStart('/') };
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

    private static async Task<string> ResolveServerAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");
        foreach (var verb in new[] { "url", "start" })
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(verb);
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = await process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode == 0 && output.Trim().Length > 0)
            {
                return output.Trim();
            }

            if (verb == "start")
            {
                throw new InvalidOperationException($"PostgreSQL for the tests could not be started by '{script} start': {error.Trim()}. Set {EnvironmentVariable} to a server URL whose user may create databases.");
            }
        }

        throw new UnreachableException();
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

        throw new InvalidOperationException($"No Switchyard.slnx above '{AppContext.BaseDirectory}'; set {EnvironmentVariable}.");
    }
}
