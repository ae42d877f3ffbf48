using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Rapport.Features.Account;

/// <summary>Slows down guessing: every sign-in attempt (password, two-factor code, recovery code) takes a permit from its
/// IP address and from the email address it is for, before anything is looked up or checked. Kept in memory per node.</summary>
public sealed partial class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perIp;
    private readonly PartitionedRateLimiter<string> _perAccount;
    private readonly IMemoryCache _logged;
    private readonly ILogger<SignInThrottle> _logger;

    public SignInThrottle(IOptions<AccountOptions> options, IMemoryCache cache, ILogger<SignInThrottle> logger)
    {
        var limits = options.Value;
        _perIp = Buckets(limits.AttemptsPerIp, limits.IpAttemptInterval);
        _perAccount = Buckets(limits.AttemptsPerAccount, limits.AccountAttemptInterval);
        _logged = cache;
        _logger = logger;
    }

    private static PartitionedRateLimiter<string> Buckets(int attempts, TimeSpan interval) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = attempts, TokensPerPeriod = 1, ReplenishmentPeriod = interval, QueueLimit = 0, AutoReplenishment = true,
        }));

    /// <summary>Takes one attempt for <paramref name="account"/> (an email address) from this request's address. Null when
    /// the attempt may go ahead; else the message to show, with the response set to 429 and Retry-After.</summary>
    public string? Refuse(HttpContext http, string account)
    {
        var ip = Infrastructure.SenderLimits.IpKey(http.Connection.RemoteIpAddress);
        using var byIp = _perIp.AttemptAcquire(ip);
        if (!byIp.IsAcquired)
        {
            return Refused(http, byIp, "ip:" + ip, "IP address");
        }
        var key = account.Trim().ToUpperInvariant();
        using var byAccount = _perAccount.AttemptAcquire(key);
        return byAccount.IsAcquired ? null : Refused(http, byAccount, "account:" + key, "account");
    }

    private string Refused(HttpContext http, RateLimitLease lease, string partition, string limit)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        // Once per partition and minute: an attack must not flood the log. Neither the address nor the account is logged.
        if (!_logged.TryGetValue("rapport:signin-throttled:" + partition, out _))
        {
            _logged.Set("rapport:signin-throttled:" + partition, true, TimeSpan.FromMinutes(1));
            LogThrottled(_logger, limit);
        }
        return $"Too many sign-in attempts, try again in {minutes} {(minutes == 1 ? "minute" : "minutes")}.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in attempts throttled: too many for one {Limit}")]
    private static partial void LogThrottled(ILogger logger, string limit);

    public void Dispose()
    {
        _perIp.Dispose();
        _perAccount.Dispose();
    }
}
