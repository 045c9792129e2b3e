namespace Switchyard.Configuration;

/// <summary>
/// A secret value read from an environment variable named in the config as <c>${NAME}</c>.
/// It never prints its value: <see cref="ToString"/> shows only the variable's name.
/// </summary>
public sealed class Secret
{
    private readonly string? _value;

    /// <summary>Creates a secret read from <paramref name="variable"/>.</summary>
    public Secret(string? variable, string? value)
    {
        Variable = variable;
        _value = string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The environment variable it comes from, or null for a literal in the file.</summary>
    public string? Variable { get; }

    /// <summary>Whether a non-empty value is present.</summary>
    public bool IsPresent => _value is not null;

    /// <summary>The value, for the one place that sends it upstream. Never log it.</summary>
    public string? Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => Variable is null ? "<literal secret>" : $"${{{Variable}}}";
}
