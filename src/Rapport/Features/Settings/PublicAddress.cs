using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Rapport.Data;

namespace Rapport.Features.Settings;

/// <summary>The desk's public address (<c>https://help.example.com</c>): the one base of every link Rapport puts in mail or
/// hands out (portal links, quotes, job news, follow-ups). It is never taken from the request, whose <c>Host</c> header
/// the caller chooses (docs/decisions/0052). The owner sets it at first run and in Settings; the <c>PublicUrl</c> setting
/// of the server's configuration, when given, overrides it for every node.</summary>
public sealed class PublicAddress(IDbContextFactory<RapportDb> contexts, IMemoryCache cache, IConfiguration configuration)
{
    public const int MaxLength = 300;
    public const string ConfigurationKey = "PublicUrl";
    private const string CacheKey = "rapport:public-url";

    /// <summary>The address set in the server's configuration, normalized; null when none is (or it is not valid, which start-up reports).</summary>
    public string? Configured => TryNormalize(configuration[ConfigurationKey], out var url, out _) ? url : null;

    /// <summary>The public address without a trailing slash, or null when none is set.</summary>
    public async Task<string?> GetAsync(CancellationToken ct)
    {
        if (Configured is { } configured)
        {
            return configured;
        }
        return await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10);
            await using var db = await contexts.CreateDbContextAsync(ct);
            return await db.BusinessProfiles.AsNoTracking().Select(b => b.PublicUrl).FirstOrDefaultAsync(ct);
        });
    }

    /// <summary>An absolute link to a path of the desk ("/portal/link/…"), or null when no public address is set.</summary>
    public async Task<string?> LinkAsync(string path, CancellationToken ct) =>
        await GetAsync(ct) is { } baseUrl ? baseUrl + (path.StartsWith('/') ? path : "/" + path) : null;

    /// <summary>Drops the cached address, so that a change applies to the next link.</summary>
    public void Forget() => cache.Remove(CacheKey);

    /// <summary>Checks an address the owner typed: an absolute http or https URL with a host, no user name, query or
    /// fragment; a path is kept (a desk behind a proxy under /help). Returns it without a trailing slash.</summary>
    public static bool TryNormalize(string? input, out string url, out string error)
    {
        url = "";
        var text = (input ?? "").Trim();
        if (text.Length == 0)
        {
            error = "Enter the address customers use to reach the desk, for example https://help.example.com.";
            return false;
        }
        if (text.Length > MaxLength)
        {
            error = $"The public address must be at most {MaxLength} characters.";
            return false;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' is not a web address: write it with https:// (or http://) and the host, e.g. https://help.example.com.";
            return false;
        }
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            error = "The public address is a host and optionally a path: no user name, no ?query and no #fragment.";
            return false;
        }
        url = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        error = "";
        return true;
    }
}
