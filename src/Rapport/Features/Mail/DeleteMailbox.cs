using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>Removes a mailbox that has taken in no mail. Once it has, its ledger must stay: disable it instead. Owners only.</summary>
public sealed class DeleteMailbox(IDbContextFactory<RapportDb> contexts, AgentAccess access, MailboxDirectory mailboxes)
{
    public const string InUseMessage = "This mailbox has taken in mail; its ledger must stay. Disable it instead";

    public enum Outcome { Deleted, NotFound, InUse }

    public async Task<Outcome> HandleAsync(int id, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mailbox = await db.Mailboxes.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (mailbox is null)
        {
            return Outcome.NotFound;
        }
        if (await db.InboundMail.AnyAsync(m => m.MailboxId == id, ct))
        {
            return Outcome.InUse;
        }
        db.Mailboxes.Remove(mailbox);
        await db.SaveChangesAsync(ct);
        mailboxes.Forget();
        return Outcome.Deleted;
    }
}
