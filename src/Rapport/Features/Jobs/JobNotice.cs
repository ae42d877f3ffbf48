using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Features.Portal;

namespace Rapport.Features.Jobs;

/// <summary>Mails the customer of a job a short note with a portal link to their request, through the durable outbox.
/// Without a mailbox that can send, nothing is mailed and the portal is the only way they see it.</summary>
public sealed partial class JobNotice(IDbContextFactory<RapportDb> contexts, PortalSessions sessions, NoticeOutbox outbox,
    ReplyOutbox replies, Settings.PublicAddress publicAddress, ILogger<JobNotice> logger)
{
    /// <summary>Sends the note; <paramref name="body"/> gets the business name and the portal link and returns the text between greeting and signature.</summary>
    /// <returns>Whether a mail was queued.</returns>
    public async Task<bool> SendAsync(long jobId, string subject, Func<string, string, string> body, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await QueueAsync(db, jobId, subject, body, ct))
        {
            return false;
        }
        await db.SaveChangesAsync(ct);
        replies.Notify();
        return true;
    }

    /// <summary>As <see cref="SendAsync"/>, in the caller's unit of work: the portal link and the outbox row are added to
    /// <paramref name="db"/>, to commit with the change the note tells of; after the commit, call <see cref="ReplyOutbox.Notify"/>.</summary>
    /// <returns>Whether a mail was queued.</returns>
    public async Task<bool> QueueAsync(RapportDb db, long jobId, string subject, Func<string, string, string> body, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.TicketId, j.CustomerId }).FirstAsync(ct);
        var customer = await db.Customers.AsNoTracking().Include(c => c.Emails).FirstAsync(c => c.Id == job.CustomerId, ct);
        if (customer.PrimaryEmail is not { } address)
        {
            return false;
        }
        // Links in mail start with the desk's public address, never with the Host of the request that caused the mail.
        if (await publicAddress.GetAsync(ct) is not { } baseUrl)
        {
            LogNoPublicAddress(jobId);
            return false;
        }
        if (!await outbox.CanSendAsync(ct))
        {
            LogNotMailed(jobId);
            return false;
        }
        var business = await db.BusinessProfiles.AsNoTracking().Select(b => b.Name).FirstOrDefaultAsync(ct) ?? "Support";
        var link = baseUrl + sessions.AddLink(db, customer.Id, job.TicketId);
        var greeting = SavedReplies.SavedReply.FirstName(customer.Name) is { Length: > 0 } first ? $"Hello {first}," : "Hello,";
        var text = $"{greeting}\n\n{body(business, link)}\n\n{business}\n";
        return await outbox.QueueToCustomerAsync(db, customer.Id, customer.Name, address, $"{subject} ({business})", text, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: no mailbox can send mail; the customer sees the news in the portal only")]
    private partial void LogNotMailed(long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: not mailed, because the desk's public address (the base of links in mail) is not set: the owner sets it in Settings")]
    private partial void LogNoPublicAddress(long jobId);
}
