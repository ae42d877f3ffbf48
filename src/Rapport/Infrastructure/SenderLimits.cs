using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Rapport.Infrastructure;

/// <summary>Limits on a public form that anyone may post (contact form, portal link requests): so many per address and so
/// many per client IP in a sliding hour. A node's own count; with several nodes each limits what reaches it.</summary>
public sealed class SenderLimits(int perAddress, int perIp) : IDisposable
{
    public enum Outcome { Allowed, TooManyFromIp, TooManyForAddress }

    private readonly PartitionedRateLimiter<string> _perAddress = Hourly(perAddress);
    private readonly PartitionedRateLimiter<string> _perIp = Hourly(perIp);

    /// <summary>Takes a permit from the IP's limit, then from the address's; says which one was used up.</summary>
    public Outcome TryAcquire(string address, IPAddress? ip)
    {
        using var byIp = _perIp.AttemptAcquire("ip:" + IpKey(ip));
        if (!byIp.IsAcquired)
        {
            return Outcome.TooManyFromIp;
        }
        using var byAddress = _perAddress.AttemptAcquire("address:" + address.Trim().ToLowerInvariant());
        return byAddress.IsAcquired ? Outcome.Allowed : Outcome.TooManyForAddress;
    }

    /// <summary>The key a client's limits are kept under: its IPv4 address, or its IPv6 /64 network, since IPv6 clients
    /// usually hold a whole one (also used by the sign-in throttle).</summary>
    public static string IpKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perIp.Dispose();
    }

    private static PartitionedRateLimiter<string> Hourly(int permits) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = TimeSpan.FromHours(1), SegmentsPerWindow = 6, QueueLimit = 0,
        }));
}
