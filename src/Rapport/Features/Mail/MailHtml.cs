using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>The HTML of messages that arrived by mail, read from their raw message and sanitized when they are shown
/// (docs/decisions/0044-mail-html-shown-from-the-raw-message.md): intake keeps the raw message anyway, so the HTML is
/// not stored a second time, and what is shown is always cleaned by the sanitizer of the day. The sanitized HTML is
/// kept in memory (up to <see cref="CacheBytes"/>), so a ticket shown again costs a lookup.</summary>
public sealed partial class MailHtml(MessageContent content, FileStore files, TimeProvider time, ILogger<MailHtml> logger) : IDisposable
{
    /// <summary>About 2,500 typical HTML mails.</summary>
    public const long CacheBytes = 64L * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = CacheBytes });

    /// <summary>The HTML part intake and display both use: the mail's HTML body, unless it is too large to show.</summary>
    public static string? HtmlPartOf(MimeMessage mail) => mail.HtmlBody is { Length: <= Message.TextMaxLength * 2 } html ? html : null;

    /// <summary>Whether the mail has an HTML part, without decoding it: any text/html part counts (one that turns out
    /// empty or is not the body is shown as text, at the cost of one read of the raw message).</summary>
    public static bool MayHaveHtml(MimeMessage mail) => mail.BodyParts.Any(p => p is TextPart { IsHtml: true });

    /// <summary>The sanitized HTML of those of <paramref name="messages"/> that show it from their raw message, by
    /// message id; a message whose raw message has no HTML left after sanitizing (or is missing) is not in it.</summary>
    public async Task<IReadOnlyDictionary<long, string>> OfAsync(RapportDb db, IEnumerable<Message> messages, CancellationToken ct)
    {
        var shown = new Dictionary<long, string>();
        List<(long Id, string Sha)>? missing = null;
        foreach (var message in messages)
        {
            if (message.MailHtmlSha256 is not { } sha)
            {
                continue;
            }
            if (_cache.TryGetValue(sha, out string? html))
            {
                if (html!.Length > 0)
                {
                    shown[message.Id] = html;
                }
            }
            else
            {
                (missing ??= []).Add((message.Id, sha));
            }
        }
        if (missing is null)
        {
            return shown;
        }

        var shas = missing.Select(m => m.Sha).Distinct().ToList();
        var rows = await db.RawMail.AsNoTracking().Where(r => shas.Contains(r.Sha256))
            .Select(r => new { r.Sha256, r.Content, r.Length, r.Compression }).ToListAsync(ct);
        var rendered = rows.ToDictionary(r => r.Sha256, r => Render(r.Sha256, () => RawMail.Unpack(r.Content, r.Length, r.Compression), ct), StringComparer.Ordinal);
        foreach (var sha in shas.Where(s => !rendered.ContainsKey(s)))
        {
            // Taken before 0039 and reprocessed since: its raw bytes are in the file store.
            if (await files.ReadAllBytesAsync(sha, ct) is { } raw)
            {
                rendered[sha] = Render(sha, () => raw, ct);
            }
        }
        foreach (var (sha, html) in rendered)
        {
            // Also "no HTML" is remembered (as ""), so such a message is not read again on every view.
            _cache.Set(sha, html ?? "", new MemoryCacheEntryOptions { Size = 64 + 2L * (html?.Length ?? 0) });
        }
        foreach (var (id, sha) in missing)
        {
            if (rendered.GetValueOrDefault(sha) is { } html)
            {
                shown[id] = html;
            }
        }
        return shown;
    }

    /// <summary>Which of a ticket's messages came by mail: their raw message's hash, by message id.</summary>
    public static async Task<IReadOnlyDictionary<long, string>> RawOfAsync(RapportDb db, long ticketId, CancellationToken ct)
    {
        var rows = await db.InboundMail.AsNoTracking().Where(m => m.TicketId == ticketId && m.MessageId != null)
            .OrderBy(m => m.Id).Select(m => new { m.MessageId, m.RawSha256 }).ToListAsync(ct);
        var raw = new Dictionary<long, string>();
        foreach (var row in rows)
        {
            raw.TryAdd(row.MessageId!.Value, row.RawSha256);
        }
        return raw;
    }

    /// <summary>The whole text of a message as it came by mail, quoted history and signature included (what the ticket
    /// folds away, 0067), read from its raw message on demand; null when the raw message is gone or cannot be read.</summary>
    public async Task<string?> WholeTextAsync(RapportDb db, string rawSha256, CancellationToken ct)
    {
        var row = await db.RawMail.AsNoTracking().Where(r => r.Sha256 == rawSha256)
            .Select(r => new { r.Content, r.Length, r.Compression }).FirstOrDefaultAsync(ct);
        var raw = row is null ? await files.ReadAllBytesAsync(rawSha256, ct) : RawMail.Unpack(row.Content, row.Length, row.Compression);
        if (raw is null || MailReader.Parse(raw).Message is not { } mail)
        {
            return null;
        }
        var text = mail.TextBody is { } plain && !string.IsNullOrWhiteSpace(plain) ? plain : MailTextHtml.Mark(HtmlPartOf(mail), time, ct);
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
    }

    /// <summary>The sanitized HTML part, or null; a message that cannot be read is shown as its text, never breaks the page.</summary>
    private string? Render(string sha, Func<byte[]> raw, CancellationToken ct)
    {
        try
        {
            var (mail, _) = MailReader.Parse(raw());
            return mail is null ? null : content.Sanitize(HtmlPartOf(mail), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnreadable(sha, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The HTML of raw message {RawSha256} could not be read; its text is shown")]
    private partial void LogUnreadable(string rawSha256, Exception exception);

    public void Dispose() => _cache.Dispose();
}
