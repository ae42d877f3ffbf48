using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Rapport.Features.Agents;
using Rapport.Infrastructure;

namespace Rapport.Features.Account;

/// <summary>Identity's sign-in, closing what let a caller learn which addresses have accounts, counting wrong recovery codes
/// toward lockout like wrong passwords and authenticator codes, and ending the session on the server at sign-out (ADR 0049).</summary>
public sealed class AgentSignInManager(UserManager<Agent> users, IHttpContextAccessor contextAccessor, IUserClaimsPrincipalFactory<Agent> claimsFactory,
    IOptions<IdentityOptions> options, ILogger<SignInManager<Agent>> logger, IAuthenticationSchemeProvider schemes, IUserConfirmation<Agent> confirmation,
    IPasswordHasher<Agent> hasher, IMemoryCache cache, TimeProvider time, AgentSessionCheck sessions)
    : SignInManager<Agent>(users, contextAccessor, claimsFactory, options, logger, schemes, confirmation)
{
    private static readonly Agent Nobody = new();
    private static string? _dummyHash;

    /// <summary>A hash of a random password made by this app's hasher, so that checking against it costs what a real check costs.</summary>
    private string DummyHash => _dummyHash ??= hasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32));

    /// <summary>Signs in by user name (an agent's email address). An unknown address gets the same answers, after the same
    /// work, as an account with a wrong password: a failure, and after as many failures a lockout.</summary>
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure) =>
        await UserManager.FindByNameAsync(userName) is { } agent
            ? await PasswordSignInAsync(agent, password, isPersistent, lockoutOnFailure)
            : UnknownAccount(userName, password);

    /// <summary>Only the right password learns that an account is deactivated (the answer is then NotAllowed).</summary>
    public override async Task<SignInResult> CheckPasswordSignInAsync(Agent user, string password, bool lockoutOnFailure)
    {
        if (user.PasswordHash is null && !await IsLockedOut(user))
        {
            // An invited agent who has not chosen a password yet: Identity would answer at once.
            hasher.VerifyHashedPassword(Nobody, DummyHash, password);
        }
        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        return result.Succeeded && !user.IsActive ? SignInResult.NotAllowed : result;
    }

    /// <summary>Identity does not count wrong recovery codes ("codes are expected to be random"), and takes them even from a
    /// locked account; here they lock like any wrong answer.</summary>
    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var agent = await GetTwoFactorAuthenticationUserAsync();
        if (agent is null)
        {
            return SignInResult.Failed;
        }
        if (await IsLockedOut(agent))
        {
            return await LockedOut(agent);
        }
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        if (result.Succeeded || !UserManager.SupportsUserLockout)
        {
            return result;
        }
        await UserManager.AccessFailedAsync(agent);
        return await UserManager.IsLockedOutAsync(agent) ? await LockedOut(agent) : result;
    }

    /// <summary>Signing out changes the agent's security stamp, which every request checks: copies of the cookie (on other
    /// devices too) stop working at once.</summary>
    public override async Task SignOutAsync()
    {
        if (IsSignedIn(Context.User) && await UserManager.GetUserAsync(Context.User) is { } agent)
        {
            await UserManager.UpdateSecurityStampAsync(agent);
            sessions.Forget(agent.Id);
        }
        await base.SignOutAsync();
    }

    private SignInResult UnknownAccount(string userName, string password)
    {
        var key = "rapport:unknown-account:" + UserManager.NormalizeName(userName);
        var now = time.GetUtcNow();
        var failures = cache.Get<Failures>(key);
        if (failures?.LockedUntil > now)
        {
            return SignInResult.LockedOut;
        }
        hasher.VerifyHashedPassword(Nobody, DummyHash, password);
        var count = (failures?.Count ?? 0) + 1;
        var lockout = Options.Lockout;
        var locked = lockout.AllowedForNewUsers && count >= lockout.MaxFailedAccessAttempts;
        // A real account keeps its count until a lockout or a success; a day is long enough to look the same.
        cache.Set(key, locked ? new Failures(0, now + lockout.DefaultLockoutTimeSpan) : new Failures(count, null), TimeSpan.FromDays(1));
        return locked ? SignInResult.LockedOut : SignInResult.Failed;
    }

    private sealed record Failures(int Count, DateTimeOffset? LockedUntil);
}
