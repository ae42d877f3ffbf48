using System.ComponentModel.DataAnnotations;

namespace Rapport.Features.Account;

/// <summary>Section "Account": how fast sign-in attempts (passwords, two-factor codes and recovery codes) may come.
/// Each limit is a bucket: that many attempts at once, then one more per interval. Identity's lockout (five wrong
/// answers lock an account for 15 minutes) comes on top.</summary>
public sealed class AccountOptions
{
    public const string Section = "Account";

    /// <summary>Attempts from one IP address (one /64 network for IPv6). An office behind one address shares them.</summary>
    [Range(1, 100_000)]
    public int AttemptsPerIp { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IpAttemptInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts on one email address, from anywhere (whether or not an account has it).</summary>
    [Range(1, 100_000)]
    public int AttemptsPerAccount { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AccountAttemptInterval { get; set; } = TimeSpan.FromMinutes(2);
}
