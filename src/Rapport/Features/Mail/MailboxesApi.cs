using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

public sealed record MailboxDetails(int Id, string Name, string Address, bool Enabled,
    MailboxDetails.Imap ImapSettings, MailboxDetails.Smtp SmtpSettings, DateTime CreatedAt, DateTime UpdatedAt)
{
    public sealed record Imap(string? Host, int Port, MailSecurity Security, string? User, bool HasPassword, string Folder, bool DeleteAfterFetch);

    public sealed record Smtp(string? Host, int Port, MailSecurity Security, string? User, bool HasPassword);

    public static MailboxDetails Of(Mailbox m) => new(m.Id, m.Name, m.Address, m.Enabled,
        new Imap(m.ImapHost, m.ImapPort, m.ImapSecurity, m.ImapUser, m.ImapPasswordProtected is not null, m.ImapFolder, m.DeleteAfterFetch),
        new Smtp(m.SmtpHost, m.SmtpPort, m.SmtpSecurity, m.SmtpUser, m.SmtpPasswordProtected is not null), m.CreatedAt, m.UpdatedAt);
}

/// <summary>The result of "test connection": each side either works or says why not.</summary>
public sealed record ConnectionTest(ConnectionTest.Check Imap, ConnectionTest.Check Smtp)
{
    public sealed record Check(bool Ok, string? Error, string? Detail);
}

public static class MailboxesApi
{
    /// <summary>Mailbox passwords are encrypted with keys kept in the data directory (keys/).</summary>
    public static IHostApplicationBuilder AddMailboxes(this IHostApplicationBuilder builder)
    {
        var dataDirectory = builder.Configuration.GetSection(DataOptions.Section).Get<DataOptions>()?.FullPath ?? new DataOptions().FullPath;
        builder.Services.AddDataProtection().SetApplicationName("Rapport")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        builder.Services.AddSingleton<MailboxSecrets>();
        builder.Services.AddSingleton<MailConnections>();
        builder.Services.AddSingleton<SaveMailbox>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMailboxesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/mailboxes").WithTags("Mailboxes").RequireAuthorization(Policies.Owner);
        group.MapGet("/", ListAsync).WithSummary("The mailboxes the desk reads and answers from (passwords never shown)");
        group.MapGet("/{id:int}", GetAsync).WithSummary("One mailbox");
        group.MapPost("/", CreateAsync).WithSummary("Add a mailbox");
        group.MapPut("/{id:int}", UpdateAsync).WithSummary("Change a mailbox; leave a password out to keep it, send \"\" to clear it");
        group.MapDelete("/{id:int}", DeleteAsync).WithSummary("Remove a mailbox that has taken in no mail (otherwise disable it)");
        group.MapPost("/{id:int}/test", TestAsync).WithSummary("Connect to the IMAP and SMTP servers and sign in, and say what went wrong if anything did");
        return app;
    }

    private static async Task<Ok<List<MailboxDetails>>> ListAsync(RapportDb db, CancellationToken ct)
    {
        var boxes = await db.Mailboxes.AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct);
        return TypedResults.Ok(boxes.Select(MailboxDetails.Of).ToList());
    }

    private static async Task<Results<Ok<MailboxDetails>, NotFound>> GetAsync(int id, RapportDb db, CancellationToken ct) =>
        await db.Mailboxes.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is { } m ? TypedResults.Ok(MailboxDetails.Of(m)) : TypedResults.NotFound();

    private static async Task<Results<Created<MailboxDetails>, ValidationProblem>> CreateAsync(SaveMailbox.Request request, SaveMailbox save, CancellationToken ct)
    {
        var (outcome, mailbox) = await save.HandleAsync(null, request, ct);
        return outcome == SaveMailbox.Outcome.NameTaken
            ? NameTaken(request.Name)
            : TypedResults.Created($"/api/v1/mailboxes/{mailbox!.Id}", MailboxDetails.Of(mailbox));
    }

    private static async Task<Results<Ok<MailboxDetails>, NotFound, ValidationProblem>> UpdateAsync(int id, SaveMailbox.Request request, SaveMailbox save, CancellationToken ct)
    {
        var (outcome, mailbox) = await save.HandleAsync(id, request, ct);
        return outcome switch
        {
            SaveMailbox.Outcome.NotFound => TypedResults.NotFound(),
            SaveMailbox.Outcome.NameTaken => NameTaken(request.Name),
            _ => TypedResults.Ok(MailboxDetails.Of(mailbox!)),
        };
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(int id, RapportDb db, CancellationToken ct)
    {
        var mailbox = await db.Mailboxes.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (mailbox is null)
        {
            return TypedResults.NotFound();
        }
        if (await db.InboundMail.AnyAsync(m => m.MailboxId == id, ct))
        {
            return TypedResults.Problem("This mailbox has taken in mail; its ledger must stay. Disable it instead (enabled: false).",
                statusCode: StatusCodes.Status409Conflict, title: "Mailbox in use", extensions: new Dictionary<string, object?> { ["code"] = "mailbox-in-use" });
        }
        db.Mailboxes.Remove(mailbox);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ConnectionTest>, NotFound>> TestAsync(int id, RapportDb db, MailConnections connections, CancellationToken ct)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        if (mailbox is null)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok(new ConnectionTest(await TestImapAsync(mailbox, connections, ct), await TestSmtpAsync(mailbox, connections, ct)));
    }

    private static async Task<ConnectionTest.Check> TestImapAsync(Mailbox mailbox, MailConnections connections, CancellationToken ct)
    {
        try
        {
            using var client = await connections.OpenImapAsync(mailbox, ct);
            var folder = await client.GetFolderAsync(mailbox.ImapFolder, ct);
            var status = await folder.OpenAsync(MailKit.FolderAccess.ReadOnly, ct);
            var detail = $"{folder.FullName}: {folder.Count} messages, UIDVALIDITY {folder.UidValidity}" +
                (client.Capabilities.HasFlag(MailKit.Net.Imap.ImapCapabilities.Idle) ? ", IDLE supported" : ", no IDLE (polling)");
            await client.DisconnectAsync(true, ct);
            return new ConnectionTest.Check(true, null, detail);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ConnectionTest.Check(false, MailConnections.Describe(e, "IMAP", mailbox.ImapHost, mailbox.ImapPort), null);
        }
    }

    private static async Task<ConnectionTest.Check> TestSmtpAsync(Mailbox mailbox, MailConnections connections, CancellationToken ct)
    {
        try
        {
            using var client = await connections.OpenSmtpAsync(mailbox, ct);
            var detail = $"{mailbox.SmtpHost}:{mailbox.SmtpPort}" + (client.IsSecure ? " over TLS" : " without TLS")
                + (client.IsAuthenticated ? ", signed in" : "");
            await client.DisconnectAsync(true, ct);
            return new ConnectionTest.Check(true, null, detail);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ConnectionTest.Check(false, MailConnections.Describe(e, "SMTP", mailbox.SmtpHost, mailbox.SmtpPort), null);
        }
    }

    private static ValidationProblem NameTaken(string name) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"There is already a mailbox named '{name.Trim().ToLowerInvariant()}'."] });
}
