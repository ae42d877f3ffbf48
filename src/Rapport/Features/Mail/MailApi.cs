using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

public static class MailApi
{
    public const int MaxPageSize = 200;

    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MailboxDirectory>();
        builder.Services.AddSingleton<MailPreparer>();
        builder.Services.AddSingleton<IngestMail>();
        builder.Services.AddSingleton<MailHtml>();
        builder.Services.AddSingleton<SyncMailbox>();
        builder.Services.AddHostedService<MailboxReader>();
        builder.Services.AddSingleton<MailAlerts>();
        builder.Services.AddSingleton<MailAlertMailer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MailAlertMailer>());
        builder.Services.AddSingleton<ReplyOutbox>();
        builder.Services.AddSingleton<NoticeOutbox>();
        builder.Services.AddSingleton<SendOutbox>();
        builder.Services.AddHostedService<OutboxSender>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMailApi(this IEndpointRouteBuilder app)
    {
        var maxSize = app.ServiceProvider.GetRequiredService<IOptions<MailOptions>>().Value.MaxMessageSize;
        var inbound = app.MapGroup("/api/v1/inbound").WithTags("Inbound mail").RequireAuthorization(Policies.Read);
        inbound.MapPost("/mime", IngestAsync).RequireAuthorization(Policies.Write)
            .Accepts<Stream>("message/rfc822")
            .WithMetadata(new RequestSizeLimitAttribute(maxSize))
            .WithSummary("Take in one raw email (body: message/rfc822)")
            .WithDescription("Answers what became of it: ticket, message, duplicate, ignored or quarantined. Name the mailbox it arrived in with ?mailbox=NAME.");
        inbound.MapGet("/", ListAsync).WithSummary("The ledger: every inbound message seen and its outcome, newest first");
        inbound.MapGet("/counts", CountsAsync).WithSummary("Ledger counts per mailbox and outcome");
        app.MapGet("/api/v1/mail/alerts", async (MailAlerts alerts, CancellationToken ct) => TypedResults.Ok(await alerts.CurrentAsync(ct)))
            .WithTags("Inbound mail").RequireAuthorization(Policies.Read)
            .WithSummary("What the owner must look at: mailboxes failing to be read, quarantined messages, undelivered replies");
        app.MapGet("/api/v1/outbound", ListOutboundAsync).WithTags("Outbound mail").RequireAuthorization(Policies.Read)
            .WithSummary("Replies mailed to customers and what became of them (pending, sent with the server's reply, failed, bounced)");
        inbound.MapPost("/{id:long}/reprocess", ReprocessAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Run a ledger entry (typically quarantined) through the pipeline again from its stored raw message");
        return app;
    }

    private static async Task<Results<Ok<IngestMail.Result>, ValidationProblem, ProblemHttpResult>> IngestAsync(
        HttpRequest request, IngestMail ingest, MailboxDirectory mailboxes, IOptions<MailOptions> options, CancellationToken ct, string? mailbox = null)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "message/rfc822", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"Send the raw message with Content-Type: message/rfc822 (got '{request.ContentType}').",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }
        int? mailboxId = null;
        if (mailbox is not null)
        {
            mailboxId = await mailboxes.MailboxIdAsync(mailbox, ct);
            if (mailboxId is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["mailbox"] = [$"There is no mailbox named '{mailbox}'."] });
            }
        }
        var result = await ingest.HandleAsync(mailboxId, request.Body, MailSource.Direct, ct, request.ContentLength);
        if (result is null)
        {
            return TypedResults.Problem($"The message is larger than the limit of {options.Value.MaxMessageSize:N0} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Message too large");
        }
        return TypedResults.Ok(result);
    }

    public sealed record LedgerEntry(long Id, string? Mailbox, string? Folder, long? UidValidity, long? Uid, string MessageId,
        string? From, string? Subject, InboundOutcome Outcome, string? Reason, long? TicketId, long RawLength,
        DateTime ReceivedAt, DateTime ProcessedAt, int Attempts);

    public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Items, long? Next);

    private static async Task<Results<Ok<LedgerPage>, ValidationProblem>> ListAsync(RapportDb db, CancellationToken ct,
        string? mailbox = null, InboundOutcome? outcome = null, int? limit = null, long? before = null)
    {
        var pageSize = limit ?? 50;
        if (pageSize is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxPageSize}."] });
        }
        var query = db.InboundMail.AsNoTracking();
        if (mailbox is not null)
        {
            var name = mailbox.Trim().ToLowerInvariant();
            var id = await db.Mailboxes.Where(m => m.Name == name).Select(m => (int?)m.Id).FirstOrDefaultAsync(ct);
            if (id is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["mailbox"] = [$"There is no mailbox named '{mailbox}'."] });
            }
            query = query.Where(m => m.MailboxId == id);
        }
        if (outcome is { } wanted)
        {
            query = query.Where(m => m.Outcome == wanted);
        }
        if (before is { } b)
        {
            query = query.Where(m => m.Id < b);
        }
        var names = await db.Mailboxes.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct);
        var rows = await query.OrderByDescending(m => m.Id).Take(pageSize + 1).ToListAsync(ct);
        var items = rows.Take(pageSize).Select(m => new LedgerEntry(m.Id, m.MailboxId is { } mid ? names.GetValueOrDefault(mid) : null,
            m.Folder, m.UidValidity, m.Uid, m.DedupKey, m.FromAddress, m.Subject, m.Outcome, m.Reason, m.TicketId, m.RawLength,
            m.ReceivedAt, m.ProcessedAt, m.Attempts)).ToList();
        return TypedResults.Ok(new LedgerPage(items, rows.Count > pageSize ? items[^1].Id : null));
    }

    public sealed record LedgerCounts(string? Mailbox, int Total, IReadOnlyDictionary<string, int> Outcomes);

    private static async Task<Ok<List<LedgerCounts>>> CountsAsync(RapportDb db, CancellationToken ct)
    {
        var names = await db.Mailboxes.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct);
        var grouped = await db.InboundMail.AsNoTracking().GroupBy(m => new { m.MailboxId, m.Outcome })
            .Select(g => new { g.Key.MailboxId, g.Key.Outcome, Count = g.Count() }).ToListAsync(ct);
        var result = grouped.GroupBy(g => g.MailboxId).OrderBy(g => g.Key)
            .Select(g => new LedgerCounts(g.Key is { } id ? names.GetValueOrDefault(id) : null, g.Sum(x => x.Count),
                Enum.GetValues<InboundOutcome>().ToDictionary(o => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(o.ToString()),
                    o => g.Where(x => x.Outcome == o).Sum(x => x.Count))))
            .ToList();
        return TypedResults.Ok(result);
    }

    public sealed record OutboundEntry(long Id, long? TicketId, long? MessageId, string InternetMessageId, string Recipient,
        OutboundStatus Status, int Attempts, DateTime NextAttemptAt, string? LastError, string? ServerReply, DateTime CreatedAt, DateTime? SentAt);

    private static async Task<Ok<List<OutboundEntry>>> ListOutboundAsync(RapportDb db, CancellationToken ct, long? ticketId = null, OutboundStatus? status = null)
    {
        var query = db.OutboundMail.AsNoTracking();
        if (ticketId is { } t)
        {
            query = query.Where(o => o.TicketId == t);
        }
        if (status is { } s)
        {
            query = query.Where(o => o.Status == s);
        }
        var rows = await query.OrderByDescending(o => o.Id).Take(MaxPageSize)
            .Select(o => new OutboundEntry(o.Id, o.TicketId, o.MessageId, o.InternetMessageId, o.Recipient, o.Status, o.Attempts,
                o.NextAttemptAt, o.LastError, o.ServerReply, o.CreatedAt, o.SentAt)).ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<IngestMail.Result>, NotFound>> ReprocessAsync(long id, IngestMail ingest, CancellationToken ct)
    {
        var result = await ingest.ReprocessAsync(id, ct);
        return result is null ? TypedResults.NotFound() : TypedResults.Ok(result);
    }
}
