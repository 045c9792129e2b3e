using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchyard.Configuration;

namespace Switchyard.Artifacts;

/// <summary>
/// Signs and checks the expiring artifact links returned for <c>response_format: url</c>, which
/// work without the API key: <c>/v1/artifacts/{id}?expires=UNIX&amp;sig=HMAC</c>.
/// </summary>
internal sealed class ArtifactLinks
{
    public const string SecretName = "artifact-links";

    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private byte[]? _key;

    public ArtifactLinks(SwitchyardConfig config, TimeProvider time)
    {
        _time = time;
        _lifetime = config.Storage.ArtifactUrlTtl;
    }

    /// <summary>Sets the signing key (read from the key store at start-up, shared by every node).</summary>
    public void UseKey(byte[] key) => _key = key;

    public string CreatePath(string artifactId)
    {
        var expires = _time.GetUtcNow().Add(_lifetime).ToUnixTimeSeconds();
        return $"/v1/artifacts/{artifactId}?expires={expires}&sig={Sign(artifactId, expires)}";
    }

    public bool Verify(string artifactId, string? expires, string? signature)
    {
        if (signature is null || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            return false;
        }

        if (_time.GetUtcNow().ToUnixTimeSeconds() > expiresAt)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(artifactId, expiresAt));
        var presented = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private string Sign(string artifactId, long expires)
    {
        var key = _key ?? throw new InvalidOperationException("The artifact link key is not loaded yet.");
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{artifactId}.{expires.ToString(CultureInfo.InvariantCulture)}"));
        return Base64Url.EncodeToString(mac);
    }
}
