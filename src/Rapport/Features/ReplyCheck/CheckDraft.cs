using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.ReplyCheck;

/// <summary>Checks a draft reply against what the customer wrote since our last reply, and the team's saved replies.
/// Used by the composer as the agent types, by the API, and when a reply is sent (to record what went unanswered).</summary>
public sealed class CheckDraft(IDbContextFactory<RapportDb> contexts)
{
    public sealed record Request
    {
        [Required, StringLength(Message.TextMaxLength)]
        public string Text { get; init; } = "";
    }

    public async Task<ReplyCheckResult?> HandleAsync(long ticketId, string draft, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Tickets.AnyAsync(t => t.Id == ticketId, ct))
        {
            return null;
        }
        return await CheckAsync(db, ticketId, draft, ct);
    }

    /// <summary>The check on an open context (the reply use case calls it inside its own unit of work).</summary>
    public static async Task<ReplyCheckResult> CheckAsync(RapportDb db, long ticketId, string draft, CancellationToken ct)
    {
        var lastReplyId = await db.Messages.Where(m => m.TicketId == ticketId && m.Kind == MessageKind.Reply)
            .MaxAsync(m => (long?)m.Id, ct) ?? 0;
        var customerTexts = await db.Messages.AsNoTracking()
            .Where(m => m.TicketId == ticketId && m.Kind == MessageKind.Customer && m.Id > lastReplyId)
            .OrderBy(m => m.Id).Select(m => m.Text).Take(50).ToListAsync(ct);
        var saved = await db.SavedReplies.AsNoTracking().Select(r => r.Text).Take(500).ToListAsync(ct);
        return ReplyChecker.Check(customerTexts, draft, saved);
    }

    public static IEndpointRouteBuilder MapReplyCheckApi(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/tickets/{id:long}/draft-check", PostAsync)
            .WithTags("Tickets")
            .RequireAuthorization(Policies.Read)
            .WithSummary("Check a draft reply: the customer's questions it leaves unanswered, form-letter, tone and empathy flags");
        return app;
    }

    private static async Task<Results<Ok<ReplyCheckResult>, NotFound>> PostAsync(long id, Request request, CheckDraft check, CancellationToken ct) =>
        await check.HandleAsync(id, request.Text, ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound();
}
