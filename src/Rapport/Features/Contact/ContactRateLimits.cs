using System.Threading.RateLimiting;

namespace Rapport.Features.Contact;

/// <summary>Limits on the public contact form instead of a captcha: per sender address and per client IP, sliding hourly windows.</summary>
public sealed class ContactRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAddress = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = 5, Window = TimeSpan.FromHours(1), SegmentsPerWindow = 6, QueueLimit = 0,
        }));

    private readonly PartitionedRateLimiter<string> _perIp = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetSlidingWindowLimiter(ip, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = 20, Window = TimeSpan.FromHours(1), SegmentsPerWindow = 6, QueueLimit = 0,
        }));

    /// <summary>Takes one permit from both limits; false when either is used up.</summary>
    public bool TryAcquire(string address, string ip)
    {
        using var byIp = _perIp.AttemptAcquire("ip:" + ip);
        if (!byIp.IsAcquired)
        {
            return false;
        }
        using var byAddress = _perAddress.AttemptAcquire("address:" + address.Trim().ToLowerInvariant());
        return byAddress.IsAcquired;
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perIp.Dispose();
    }
}
