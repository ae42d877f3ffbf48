using Rapport.Infrastructure;

namespace Rapport.Features.Contact;

/// <summary>Limits on the public contact form instead of a captcha: 5 per sender address and 20 per client IP, sliding hourly windows.</summary>
public sealed class ContactRateLimits : IDisposable
{
    private readonly SenderLimits _limits = new(perAddress: 5, perIp: 20);

    /// <summary>Takes one permit from both limits; false when either is used up.</summary>
    public bool TryAcquire(string address, System.Net.IPAddress? ip) => _limits.TryAcquire(address, ip) == SenderLimits.Outcome.Allowed;

    public void Dispose() => _limits.Dispose();
}
