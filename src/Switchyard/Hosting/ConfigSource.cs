using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Providers;
using YamlDotNet.Core;

namespace Switchyard.Hosting;

/// <summary>
/// Reads <c>switchyard.yaml</c> (or the embedded default) through .NET configuration, so that
/// environment variables <c>SWITCHYARD__SECTION__KEY</c> override it, and validates it.
/// </summary>
internal static class ConfigSource
{
    public const string EmbeddedDefaultName = "switchyard.default.yaml";
    public const string EnvironmentPrefix = "SWITCHYARD__";

    /// <summary>The validated config; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static SwitchyardConfig Load(string? path, IEnumerable<IProviderFactory> factories, Func<string, string?> environment) =>
        new ConfigLoader(factories, environment).Load(Read(path));

    /// <summary>
    /// The raw configuration tree, before validation and before <c>${NAME}</c> references are resolved: the file (or the
    /// embedded default) overridden by <c>SWITCHYARD__</c> variables. Throws <see cref="ConfigException"/> when the file
    /// is missing or not YAML.
    /// </summary>
    public static IConfigurationRoot Read(string? path)
    {
        var builder = new ConfigurationBuilder();
        if (path is null)
        {
            builder.AddYamlStream(OpenEmbeddedDefault());
        }
        else
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new ConfigException([new ConfigProblem(path, $"the config file does not exist (looked at {full})")]);
            }

            builder.AddYamlFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is YamlException or FormatException or InvalidDataException)
        {
            var where = ex is YamlException yaml ? $" at line {yaml.Start.Line}, column {yaml.Start.Column}" : "";
            throw new ConfigException([new ConfigProblem(path ?? EmbeddedDefaultName, $"not valid YAML{where}: {ex.Message}")]);
        }
    }

    /// <summary>The settings the <c>SWITCHYARD__SECTION__KEY</c> environment variables override.</summary>
    public static IConfigurationRoot ReadOverrides() => new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build();

    /// <summary>The embedded default config, as written to <c>samples/switchyard.default.yaml</c>.</summary>
    public static Stream OpenEmbeddedDefault() =>
        typeof(ConfigSource).Assembly.GetManifestResourceStream(EmbeddedDefaultName)
        ?? throw new InvalidOperationException("The embedded default config is missing from the build.");
}
