using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>Connects to a mailbox's IMAP and SMTP servers with its stored passwords and says what went wrong, if anything.
/// Owners only, like the rest of the mailbox settings.</summary>
public sealed class TestMailbox(IDbContextFactory<RapportDb> contexts, MailConnections connections, AgentAccess access)
{
    public sealed record Result(Mailbox Mailbox, ConnectionTest Test);

    /// <summary>Null when there is no such mailbox.</summary>
    public async Task<Result?> HandleAsync(int id, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mailbox = await db.Mailboxes.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        return mailbox is null ? null : new Result(mailbox, await connections.TestAsync(mailbox, ct));
    }
}
