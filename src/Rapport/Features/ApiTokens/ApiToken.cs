using System.Security.Cryptography;
using System.Text;

namespace Rapport.Features.ApiTokens;

public enum ApiTokenScope { Read, Write }

/// <summary>A bearer token for integrations. Only a SHA-256 of the secret is stored; the token is shown once.
/// Tokens are 256-bit random, so a fast hash is enough (no password stretching needed).</summary>
public sealed class ApiToken
{
    public const string TokenPrefix = "rpt_";
    public const int NameMaxLength = 100;

    private ApiToken() { }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>Public lookup key, the part between "rpt_" and the second underscore.</summary>
    public string KeyId { get; private set; } = "";
    public byte[] SecretHash { get; private set; } = [];
    public ApiTokenScope Scope { get; private set; }
    public int? CreatedByAgentId { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? RevokedAt { get; private set; }
    public DateTime? LastUsedAt { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>Creates a token and returns it with its plain text, which is never stored.</summary>
    public static (ApiToken Token, string PlainText) Create(string name, ApiTokenScope scope, int? agentId, DateTime now)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            throw new ArgumentException($"A token needs a name of 1 to {NameMaxLength} characters.", nameof(name));
        }
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = trimmed,
            KeyId = keyId,
            SecretHash = Hash(secret),
            Scope = scope,
            CreatedByAgentId = agentId,
            CreatedAt = now,
        };
        return (token, $"{TokenPrefix}{keyId}_{secret}");
    }

    public static bool TryParse(string plainText, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (!plainText.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = plainText.AsSpan(TokenPrefix.Length);
        var split = rest.IndexOf('_');
        if (split != 12 || rest.Length - split - 1 < 20)
        {
            return false;
        }
        keyId = rest[..split].ToString();
        secret = rest[(split + 1)..].ToString();
        return true;
    }

    public bool Matches(string secret) => CryptographicOperations.FixedTimeEquals(Hash(secret), SecretHash);

    public void Revoke(DateTime now) => RevokedAt ??= now;

    public void MarkUsed(DateTime now) => LastUsedAt = now;

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
