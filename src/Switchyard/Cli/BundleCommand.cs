using System.CommandLine;
using Spectre.Console;
using Switchyard.Bundle;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard bundle -o FILE.zip [--config FILE] [--url URL] [--key KEY] [--json]</c>: a support bundle (versions,
/// redacted config, doctor, 24 h stats, the last failed or degraded runs with attempts, alerts) that holds no secret.
/// Exit 0 when the zip is written, even if some part could not be collected (the manifest says which and why);
/// 2 for a bad option; 1 when the zip cannot be written.
/// </summary>
internal static class BundleCommand
{
    public static Command Create(CliEnvironment env)
    {
        var output = new Option<string>("--output", "-o") { Description = "The zip file to write (replaced if it exists).", Required = true };
        var config = CliOptions.Config();
        var json = CliOptions.Json();
        var url = new Option<string?>("--url") { Description = "The running gateway, to read its alerts (GET /v1/alerts). Default: the config's server.urls." };
        var key = new Option<string?>("--key") { Description = "An admin key for reading the alerts. Default: $SWITCHYARD_ADMIN_KEY. It is never written into the bundle." };
        var timeout = new Option<int>("--probe-timeout") { Description = "Seconds to wait for each provider's probe in the doctor part (default 10).", DefaultValueFactory = _ => 10 };
        var command = new Command("bundle", "Write a support bundle: versions, the redacted config, doctor, 24 h of stats, the last failed or degraded runs, alerts. Never a secret.")
        {
            output, config, url, key, timeout, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            Uri? server = null;
            if (result.GetValue(url) is { Length: > 0 } rawUrl
                && (!Uri.TryCreate(rawUrl, UriKind.Absolute, out server) || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps)))
            {
                await env.Error.WriteLineAsync($"--url: '{rawUrl}' is not an http(s) URL; give the gateway's address, e.g. http://127.0.0.1:8080");
                return CliExitCodes.BadConfig;
            }

            var options = new BundleOptions(result.GetValue(config), server, result.GetValue(key), TimeSpan.FromSeconds(Math.Clamp(result.GetValue(timeout), 1, 120)));
            return await RunAsync(env, result.GetRequiredValue(output), options, result.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, string output, BundleOptions options, bool json, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(output) || Directory.Exists(output))
        {
            await env.Error.WriteLineAsync($"--output: '{output}' is not a file name; give the zip to write, e.g. -o switchyard-bundle.zip");
            return CliExitCodes.BadConfig;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(folder))
        {
            await env.Error.WriteLineAsync($"--output: the folder {folder} does not exist; create it or write the bundle elsewhere");
            return CliExitCodes.BadConfig;
        }

        BundleResult result;
        try
        {
            result = await new SupportBundle(env, options).WriteAsync(output, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await env.Error.WriteLineAsync($"The bundle could not be written to {Path.GetFullPath(output)}: {ex.Message}");
            return CliExitCodes.NotFound;
        }

        if (json)
        {
            await CliOptions.WriteJsonAsync(env, result, BundleJsonContext.Readable.BundleResult);
            return CliExitCodes.Ok;
        }

        env.Human.MarkupLine($"wrote [bold]{Markup.Escape(result.Path)}[/] ({result.Manifest.Files.Count + 2} files, {result.Bytes / 1024.0:0.#} KiB); secrets masked");
        foreach (var section in result.Manifest.Sections)
        {
            env.Human.MarkupLine(section.Collected
                ? $"  [green]{Markup.Escape(section.Name)}[/]: {Markup.Escape(section.Detail)}"
                : $"  [yellow]{Markup.Escape(section.Name)}: not collected[/]: {Markup.Escape(section.Detail)}");
        }

        return CliExitCodes.Ok;
    }
}
