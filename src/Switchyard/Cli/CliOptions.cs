using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Questions;

namespace Switchyard.Cli;

/// <summary>The options every ledger command shares, and the way they report a bad value.</summary>
internal static class CliOptions
{
    public static Option<string?> Config() => new("--config")
    {
        Description = "The config file the gateway runs with (its storage.database is read). Default: $SWITCHYARD_CONFIG, else the embedded default (./data/switchyard.db).",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document (the API's shape) instead of tables." };

    /// <summary>Says which option is wrong (the problem names the API parameter; the option is its dashed form).</summary>
    public static async Task<int> BadOptionAsync(CliEnvironment env, ParameterProblem problem)
    {
        var option = problem.Param is "outcome" or "status" ? "--status" : "--" + problem.Param.Replace('_', '-');
        await env.Error.WriteLineAsync($"{option}: {problem.Message}");
        return CliExitCodes.BadConfig;
    }

    /// <summary>Writes exactly one JSON document, and a newline, to standard output.</summary>
    public static async Task WriteJsonAsync<T>(CliEnvironment env, T value, JsonTypeInfo<T> type)
    {
        await env.Out.WriteLineAsync(JsonSerializer.Serialize(value, type));
        await env.Out.FlushAsync();
    }
}
