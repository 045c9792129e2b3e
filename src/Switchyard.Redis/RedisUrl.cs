using System.Globalization;
using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>Reads <c>storage.redis</c> URLs: <c>redis://[:password@]host[:port][/db]</c> (or <c>rediss://</c> for TLS).</summary>
public static class RedisUrl
{
    /// <summary>The client options for <paramref name="url"/>; the password, when any, goes only into the options.</summary>
    /// <exception cref="FormatException">The URL is not a redis:// or rediss:// URL with a host.</exception>
    public static ConfigurationOptions Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("expected redis://[:password@]host[:port][/db]");
        }

        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            Ssl = uri.Scheme == "rediss",
            ConnectTimeout = 2000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
            ClientName = "switchyard",
        };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var info = Uri.UnescapeDataString(uri.UserInfo);
            var colon = info.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                options.User = colon > 0 ? info[..colon] : null;
                options.Password = info[(colon + 1)..];
            }
            else
            {
                options.Password = info;
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw new FormatException($"'/{path}' is not a database number");
            }

            options.DefaultDatabase = database;
        }

        return options;
    }

    /// <summary><paramref name="url"/> with any password replaced by <c>***</c>, for messages.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;
}
