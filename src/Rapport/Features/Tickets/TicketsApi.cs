using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

public static class TicketsApi
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    public static IHostApplicationBuilder AddTickets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MessageContent>();
        builder.Services.AddSingleton<TicketChanges>();
        builder.Services.AddSingleton<TicketPresence>();
        builder.Services.AddHostedService<LiveTicketUpdates>();
        builder.Services.AddSingleton<ReplyCheck.CheckDraft>();
        builder.Services.AddSingleton<CreateTicket>();
        builder.Services.AddSingleton<UpdateTicket>();
        builder.Services.AddSingleton<AddTicketMessage>();
        // Inserted into replies on the ticket page; kept on the settings page.
        builder.Services.AddSingleton<SavedReplies.ManageSavedReplies>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var tickets = app.MapGroup("/api/v1/tickets").WithTags("Tickets").RequireAuthorization(Policies.Read);
        tickets.MapPost("/", CreateAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Open a ticket").WithDescription("Send an Idempotency-Key header to make retries safe: a retried request returns the ticket the first one created.");
        tickets.MapGet("/", ListAsync).WithSummary("List tickets, newest activity first, with keyset paging");
        tickets.MapGet("/{id:long}", GetAsync).WithSummary("A ticket with its messages");
        tickets.MapPatch("/{id:long}", UpdateAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Change status, priority, subject, owner or tags").WithDescription("Send If-Match: \"<version>\" (or version in the body) to refuse the change when someone changed the ticket since you read it.");
        tickets.MapPost("/{id:long}/replies", ReplyAsync).RequireAuthorization(Policies.Write).WithSummary("Reply to the customer");
        tickets.MapPost("/{id:long}/notes", AddNoteAsync).RequireAuthorization(Policies.Write).WithSummary("Add an internal note (never shown to the customer)");
        tickets.MapGet("/{id:long}/events", GetHistoryAsync).WithSummary("The ticket's history: who did what, when");
        return app;
    }

    private static async Task<Results<Created<TicketDetails>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTicket.Request request, CreateTicket createTicket, HttpContext http, CancellationToken ct)
    {
        string? key = http.Request.Headers["Idempotency-Key"];
        if (key is { Length: 0 or > IdempotencyRecord.KeyMaxLength })
        {
            return TypedResults.ValidationProblem(Error("Idempotency-Key", $"An idempotency key has 1 to {IdempotencyRecord.KeyMaxLength} characters."));
        }
        if (request.Message.IsEmpty && request.Message.AttachmentIds is not { Count: > 0 })
        {
            return TypedResults.ValidationProblem(Error("message", "A message needs text or html."));
        }
        var result = await createTicket.HandleAsync(request, http.User.ToActor(), http.User.CallerKey(), key, ct);
        switch (result.Outcome)
        {
            case CreateTicket.Outcome.KeyReusedWithOtherRequest:
                return TypedResults.Problem(result.Problem, statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused", extensions: new Dictionary<string, object?> { ["code"] = "idempotency-key-reused" });
            case CreateTicket.Outcome.AttachmentsInvalid:
                return TypedResults.ValidationProblem(Error("message.attachmentIds", result.Problem!));
            case CreateTicket.Outcome.Replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                break;
        }
        var ticket = result.Ticket!;
        SetETag(http, ticket.Version);
        return TypedResults.Created($"/api/v1/tickets/{ticket.Id}", TicketMapping.ToDetails(ticket));
    }

    private static async Task<Results<Ok<Page<TicketSummary>>, ValidationProblem>> ListAsync(
        RapportDb db, CancellationToken ct,
        [FromQuery] string[]? status = null,
        int? ownerId = null,
        bool? unassigned = null,
        long? customerId = null,
        string? tag = null,
        DateTimeOffset? updatedSince = null,
        int? limit = null,
        string? after = null,
        string? sort = null)
    {
        var errors = new Dictionary<string, string[]>();
        var statuses = new List<TicketStatus>();
        foreach (var value in (status ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (TicketMapping.TryParseStatus(value, out var parsed))
            {
                statuses.Add(parsed);
            }
            else
            {
                errors["status"] = [$"'{value}' is not a status. Use new, open, waiting-on-customer, resolved or closed."];
            }
        }
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }
        ListTickets.Cursor? cursor = null;
        if (after is not null && (cursor = ListTickets.Cursor.Parse(after)) is null)
        {
            errors["after"] = ["This is not a cursor from a previous page's \"next\"."];
        }
        if (ownerId is not null && unassigned == true)
        {
            errors["unassigned"] = ["Filter by ownerId or unassigned, not both."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var filter = new ListTickets.Filter(statuses, ownerId, unassigned == true, customerId,
            string.IsNullOrWhiteSpace(tag) ? null : TicketTag.NormalizeOne(tag), updatedSince?.UtcDateTime);
        if (sort is "due")
        {
            if (after is not null)
            {
                return TypedResults.ValidationProblem(Error("after", "sort=due returns one page (the nearest deadlines first); it has no cursor."));
            }
            return TypedResults.Ok(new Page<TicketSummary>(await ListTickets.ByDueAsync(db, filter, pageSize, ct), null));
        }
        if (sort is not (null or "activity"))
        {
            return TypedResults.ValidationProblem(Error("sort", "Use sort=activity (newest activity first, the default) or sort=due (nearest deadline first)."));
        }
        return TypedResults.Ok(await ListTickets.PageAsync(db, filter, pageSize, cursor, ct));
    }

    private static async Task<Results<Ok<TicketDetails>, NotFound>> GetAsync(long id, RapportDb db, MailHtml mailHtml, HttpContext http, CancellationToken ct)
    {
        var ticket = await TicketMapping.LoadDetailsAsync(db, id, ct);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }
        SetETag(http, ticket.Version);
        return TypedResults.Ok(TicketMapping.ToDetails(ticket, await mailHtml.OfAsync(db, ticket.Messages, ct)));
    }

    private static async Task<Results<Ok<TicketDetails>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> UpdateAsync(
        long id, UpdateTicket.Request request, UpdateTicket updateTicket, RapportDb db, MailHtml mailHtml, HttpContext http, CancellationToken ct)
    {
        if (!TryExpectedVersion(http, request.Version, out var expected, out var versionError))
        {
            return TypedResults.ValidationProblem(versionError!);
        }
        var result = await updateTicket.HandleAsync(id, request, expected, http.User.ToActor(), ct);
        switch (result.Outcome)
        {
            case UpdateTicket.Outcome.NotFound:
                return TypedResults.NotFound();
            case UpdateTicket.Outcome.Invalid:
                return TypedResults.ValidationProblem(result.Errors!);
            case UpdateTicket.Outcome.VersionMismatch:
                return VersionConflict(expected!.Value, result.CurrentVersion);
            case UpdateTicket.Outcome.FieldConflict:
                return TypedResults.Conflict(new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Someone else changed this ticket first",
                    Detail = $"Meanwhile someone else set {string.Join(" and ", result.Fields!)} to another value. Reload the ticket and decide again.",
                    Extensions = { ["code"] = "concurrency-conflict", ["currentVersion"] = result.CurrentVersion, ["fields"] = result.Fields },
                });
        }
        var ticket = (await TicketMapping.LoadDetailsAsync(db, id, ct))!;
        SetETag(http, ticket.Version);
        return TypedResults.Ok(TicketMapping.ToDetails(ticket, await mailHtml.OfAsync(db, ticket.Messages, ct)));
    }

    private static Task<Results<Created<MessageDetails>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> ReplyAsync(
        long id, AddTicketMessage.ReplyRequest request, AddTicketMessage addMessage, HttpContext http, CancellationToken ct) =>
        AddMessageAsync(id, request, http, (expected, actor) => addMessage.ReplyAsync(id, request, expected, actor, ct));

    private static Task<Results<Created<MessageDetails>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> AddNoteAsync(
        long id, MessageInput request, AddTicketMessage addMessage, HttpContext http, CancellationToken ct) =>
        AddMessageAsync(id, request, http, (expected, actor) => addMessage.AddNoteAsync(id, request, expected, actor, ct));

    private static async Task<Results<Created<MessageDetails>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> AddMessageAsync(
        long id, MessageInput request, HttpContext http, Func<int?, Actor, Task<AddTicketMessage.Result>> add)
    {
        if (request.IsEmpty && request.AttachmentIds is not { Count: > 0 })
        {
            return TypedResults.ValidationProblem(Error("text", "A message needs text or html."));
        }
        if (!TryExpectedVersion(http, null, out var expected, out var versionError))
        {
            return TypedResults.ValidationProblem(versionError!);
        }
        var result = await add(expected, http.User.ToActor());
        switch (result.Outcome)
        {
            case AddTicketMessage.Outcome.NotFound:
                return TypedResults.NotFound();
            case AddTicketMessage.Outcome.Invalid:
                return TypedResults.ValidationProblem(Error("attachmentIds", result.Problem!));
            case AddTicketMessage.Outcome.VersionMismatch:
                return VersionConflict(expected!.Value, result.Ticket!.Version);
        }
        SetETag(http, result.Ticket!.Version);
        return TypedResults.Created($"/api/v1/tickets/{id}", TicketMapping.ToDetails(result.Message!, null));
    }

    private static async Task<Results<Ok<IReadOnlyList<TicketEventDetails>>, NotFound>> GetHistoryAsync(long id, RapportDb db, CancellationToken ct)
    {
        if (!await db.Tickets.AnyAsync(t => t.Id == id, ct))
        {
            return TypedResults.NotFound();
        }
        var events = await (from e in db.TicketEvents.AsNoTracking()
                            where e.TicketId == id
                            orderby e.Id
                            join a in db.Users on e.AgentId equals a.Id into agents
                            from a in agents.DefaultIfEmpty()
                            select new TicketEventDetails(e.Id, e.Kind, a == null ? null : new AgentRef(a.Id, a.DisplayName),
                                e.ApiTokenId, e.CustomerId, e.Via, e.Detail, e.At)).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<TicketEventDetails>>(events);
    }

    private static bool TryExpectedVersion(HttpContext http, int? fromBody, out int? expected, out Dictionary<string, string[]>? error)
    {
        expected = fromBody;
        error = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length == 0)
        {
            return true;
        }
        var raw = ifMatch.Trim().TrimStart('W', '/').Trim('"');
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            error = Error("If-Match", "If-Match must carry the ticket's version as an ETag, for example \"7\".");
            return false;
        }
        expected = version;
        return true;
    }

    private static Conflict<ProblemDetails> VersionConflict(int expected, int current) => TypedResults.Conflict(new ProblemDetails
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Someone else changed this ticket first",
        Detail = $"You sent version {expected}, but the ticket is at version {current}. Reload it and apply your change again.",
        Extensions = { ["code"] = "concurrency-conflict", ["currentVersion"] = current },
    });

    private static void SetETag(HttpContext http, int version) => http.Response.Headers.ETag = $"\"{version}\"";

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };
}
