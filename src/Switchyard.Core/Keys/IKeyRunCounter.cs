namespace Switchyard.Keys;

/// <summary>Counts a key's runs that used its daily quota since a time: how a limiter starts its day after a restart.</summary>
public interface IKeyRunCounter
{
    /// <summary>The runs of <paramref name="keyId"/> started at or after <paramref name="since"/> that count toward its daily quota.</summary>
    ValueTask<int> CountRunsAsync(string keyId, DateTimeOffset since, CancellationToken cancellationToken);
}
