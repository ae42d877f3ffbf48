using System.Security.Claims;
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

public static class MailboxesApi
{
    /// <summary>Mailbox passwords are encrypted with Data Protection (<see cref="DataProtectionSetup"/>).</summary>
    public static IHostApplicationBuilder AddMailboxes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MailboxSecrets>();
        builder.Services.AddSingleton<MailConnections>();
        builder.Services.AddSingleton<SaveMailbox>();
        builder.Services.AddSingleton<DeleteMailbox>();
        builder.Services.AddSingleton<TestMailbox>();
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

    private static async Task<Results<Created<MailboxDetails>, ValidationProblem>> CreateAsync(SaveMailbox.Request request, SaveMailbox save, ClaimsPrincipal user,
        CancellationToken ct)
    {
        var (outcome, mailbox) = await save.HandleAsync(null, request, user.ToActor(), ct);
        return outcome == SaveMailbox.Outcome.NameTaken
            ? NameTaken(request.Name)
            : TypedResults.Created($"/api/v1/mailboxes/{mailbox!.Id}", MailboxDetails.Of(mailbox));
    }

    private static async Task<Results<Ok<MailboxDetails>, NotFound, ValidationProblem>> UpdateAsync(int id, SaveMailbox.Request request, SaveMailbox save,
        ClaimsPrincipal user, CancellationToken ct)
    {
        var (outcome, mailbox) = await save.HandleAsync(id, request, user.ToActor(), ct);
        return outcome switch
        {
            SaveMailbox.Outcome.NotFound => TypedResults.NotFound(),
            SaveMailbox.Outcome.NameTaken => NameTaken(request.Name),
            _ => TypedResults.Ok(MailboxDetails.Of(mailbox!)),
        };
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(int id, DeleteMailbox delete, ClaimsPrincipal user, CancellationToken ct) =>
        await delete.HandleAsync(id, user.ToActor(), ct) switch
        {
            DeleteMailbox.Outcome.NotFound => TypedResults.NotFound(),
            DeleteMailbox.Outcome.InUse => TypedResults.Problem(DeleteMailbox.InUseMessage + " (enabled: false).",
                statusCode: StatusCodes.Status409Conflict, title: "Mailbox in use", extensions: new Dictionary<string, object?> { ["code"] = "mailbox-in-use" }),
            _ => TypedResults.NoContent(),
        };

    private static async Task<Results<Ok<ConnectionTest>, NotFound>> TestAsync(int id, TestMailbox test, ClaimsPrincipal user, CancellationToken ct) =>
        await test.HandleAsync(id, user.ToActor(), ct) is { } result ? TypedResults.Ok(result.Test) : TypedResults.NotFound();

    private static ValidationProblem NameTaken(string name) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [SaveMailbox.NameTakenMessage(name)] });
}
