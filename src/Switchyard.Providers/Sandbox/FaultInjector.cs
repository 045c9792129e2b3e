using Switchyard.Generation;

namespace Switchyard.Providers.Sandbox;

/// <summary>Draws the random faults of a sandbox provider; seeded, the sequence is reproducible.</summary>
internal sealed class FaultInjector
{
    private readonly (ErrorClass Class, double Ratio)[] _faults;
    private readonly Random? _random;
    private readonly Lock _lock = new();

    public FaultInjector(SandboxOptions options)
    {
        _faults = [.. SandboxOptions.FaultClasses
            .Where(c => options.Faults.TryGetValue(c, out var ratio) && ratio > 0)
            .Select(c => (c, options.Faults[c]))];
        _random = options.FaultSeed is { } seed ? new Random(seed) : null;
    }

    /// <summary>The fault for the next call, or null when it succeeds.</summary>
    public ErrorClass? Draw()
    {
        if (_faults.Length == 0)
        {
            return null;
        }

        double roll;
        if (_random is null)
        {
            roll = Random.Shared.NextDouble();
        }
        else
        {
            lock (_lock)
            {
                roll = _random.NextDouble();
            }
        }

        var cumulative = 0.0;
        foreach (var (faultClass, ratio) in _faults)
        {
            cumulative += ratio;
            if (roll < cumulative)
            {
                return faultClass;
            }
        }

        return null;
    }
}
