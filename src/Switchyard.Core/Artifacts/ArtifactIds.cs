using System.Security.Cryptography;

namespace Switchyard.Artifacts;

/// <summary>Artifact ids: <c>art_</c> followed by random ASCII letters and digits, safe as a file name and an object key.</summary>
public static class ArtifactIds
{
    /// <summary>What every id starts with.</summary>
    public const string Prefix = "art_";

    private const int RandomLength = 22;
    private const int MaxRandomLength = 64;
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new id with 22 random base-62 characters (about 131 bits).</summary>
    public static string New() => Prefix + RandomNumberGenerator.GetString(Base62, RandomLength);

    /// <summary>Random base-62 characters, e.g. for temporary file names.</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Base62, length);

    /// <summary>Whether <paramref name="id"/> is <c>art_</c> followed by 2 to 64 ASCII letters and digits only, so it cannot leave a folder or prefix.</summary>
    public static bool IsValid(string? id)
    {
        if (id is null || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var random = id.AsSpan(Prefix.Length);
        if (random.Length < 2 || random.Length > MaxRandomLength)
        {
            return false;
        }

        foreach (var c in random)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
