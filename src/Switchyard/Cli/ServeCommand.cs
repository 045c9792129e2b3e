using System.CommandLine;
using Switchyard.Configuration;
using Switchyard.Hosting;

namespace Switchyard.Cli;

/// <summary><c>switchyard serve [--config FILE] [--urls URL] [--strict]</c>.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "The config file (switchyard.yaml). Without it the embedded default runs: SQLite and artifacts under ./data, sandbox providers and the placeholder." };
        var urls = new Option<string?>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:8080 (overrides server.urls)." };
        var strict = new Option<bool>("--strict") { Description = "Refuse to start when a provider's secret is missing, instead of skipping that provider as misconfigured." };
        var command = new Command("serve", "Run the gateway.") { config, urls, strict };

        // Further host arguments (e.g. --environment) pass through to ASP.NET Core.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new ServeOptions(result.GetValue(config), result.GetValue(urls), result.GetValue(strict));
            return await ServeAsync(options, [.. result.UnmatchedTokens], cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// The ASP.NET Core test host starts the entry point with only host settings (<c>--key=value</c>);
    /// those are a <c>serve</c>. Anything else is left to the parser.
    /// </summary>
    public static string[] AdaptHostArguments(string[] args) =>
        args.Length > 0 && args.All(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))
            ? ["serve", .. args]
            : args;

    private static async Task<int> ServeAsync(ServeOptions options, string[] hostArgs, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = GatewayHost.Build(options, hostArgs);
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync("switchyard did not start: fix the problems above (each names its place in the config).");
            return 2;
        }

        if (options.Strict && app.Services.GetRequiredService<SwitchyardConfig>().Providers.Values.Where(p => p.MissingSecrets.Count > 0).ToList() is { Count: > 0 } missing)
        {
            foreach (var provider in missing)
            {
                await Console.Error.WriteLineAsync($"providers.{provider.Name}: missing environment variable(s) {string.Join(", ", provider.MissingSecrets)}");
            }

            await Console.Error.WriteLineAsync("switchyard did not start (--strict): set the variables above, or start without --strict to skip those providers as misconfigured.");
            return 2;
        }

        await app.RunAsync(cancellationToken);
        return 0;
    }
}
