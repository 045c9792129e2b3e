using System.Net;
using System.Net.Sockets;

namespace Switchyard.Outbound;

/// <summary>
/// Which addresses the gateway may connect to when it fetches a URL a client gave it (image
/// inputs) or calls one back (webhooks): public addresses only, unless a private range is
/// allow-listed in <c>outbound.allow_private</c>. Loopback, private, link-local (cloud metadata
/// at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges are refused.
/// </summary>
public sealed class AddressPolicy
{
    private static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("64:ff9b::/96"),
        IPNetwork.Parse("100::/64"),
        IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    private readonly IPNetwork[] _allowed;

    /// <summary>Creates the policy with the allow-listed private ranges (CIDR or single addresses).</summary>
    public AddressPolicy(IEnumerable<string> allowPrivate)
    {
        _allowed = [.. allowPrivate.Select(ParseRange)];
    }

    /// <summary>Parses <c>127.0.0.1/32</c>, <c>10.0.0.0/8</c> or a bare address; throws <see cref="FormatException"/> otherwise.</summary>
    public static IPNetwork ParseRange(string range)
    {
        if (IPNetwork.TryParse(range, out var network))
        {
            return network;
        }

        if (IPAddress.TryParse(range, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new FormatException($"'{range}' is not an address range; write e.g. 127.0.0.1/32 or 10.0.0.0/8");
    }

    /// <summary>Null when the gateway may connect to <paramref name="address"/>; otherwise why not.</summary>
    public string? Check(IPAddress address)
    {
        // IPv4 mapped into IPv6 (::ffff:127.0.0.1) is the IPv4 address for this purpose.
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (_allowed.Any(range => range.Contains(candidate)))
        {
            return null;
        }

        var blocked = Blocked.FirstOrDefault(range => range.Contains(candidate), default);
        return blocked == default(IPNetwork)
            ? null
            : $"{candidate} is in {blocked}, a private, loopback, link-local or reserved range; allow it with outbound.allow_private if it is meant";
    }
}
