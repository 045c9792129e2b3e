namespace Switchyard.Configuration;

/// <summary>One problem in the config, with its path in the file (e.g. <c>providers.openai.timeout</c>).</summary>
/// <param name="Path">Where it is.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record ConfigProblem(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when the config has problems; lists every one.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(IReadOnlyList<ConfigProblem> problems)
        : base("The configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException()
        : this([])
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException(string message)
        : this([new ConfigProblem("", message)])
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new ConfigProblem("", message)];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; } = [];
}
