using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Account;

/// <summary>The real password hasher, counting how often a password is checked against a hash.</summary>
public sealed class CountingHasher(PasswordHasher<Agent> inner) : IPasswordHasher<Agent>
{
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(Agent user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(Agent user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public static class AccountTestKit
{
    /// <summary>The app with extra services (and the same database and clock); dispose it.</summary>
    public static WebApplicationFactory<Program> With(this RapportFactory app, Action<IServiceCollection> services, params (string Key, string Value)[] settings) =>
        app.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureServices(services);
        });

    /// <summary>Turns on two-factor sign-in for the agent; returns the authenticator key and the recovery codes.</summary>
    public static async Task<(string Key, List<string> RecoveryCodes)> EnableTwoFactorAsync(this RapportFactory app, Agent agent)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var saved = (await users.FindByIdAsync(agent.Id.ToString(CultureInfo.InvariantCulture)))!;
        await users.ResetAuthenticatorKeyAsync(saved);
        await users.SetTwoFactorEnabledAsync(saved, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(saved, 8))!.ToList();
        return ((await users.GetAuthenticatorKeyAsync(saved))!, codes);
    }

    public static async Task<bool> IsTwoFactorEnabledAsync(this RapportFactory app, Agent agent)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        return await users.GetTwoFactorEnabledAsync((await users.FindByIdAsync(agent.Id.ToString(CultureInfo.InvariantCulture)))!);
    }

    /// <summary>The current RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 key, on the real clock as Identity checks it.</summary>
    public static string Totp(string base32Key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var key = new List<byte>();
        int bits = 0, value = 0;
        foreach (var c in base32Key.TrimEnd('=').ToUpperInvariant())
        {
            value = (value << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                key.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        var counter = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 30;
        var message = BitConverter.GetBytes(counter);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(message);
        }
        var hash = HMACSHA1.HashData(key.ToArray(), message);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }
}
