using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Sla;
using Rapport.Infrastructure;

namespace Rapport.Features.Promises;

public static class PromisesApi
{
    public static IHostApplicationBuilder AddPromises(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PromiseLedger>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPromisesApi(this IEndpointRouteBuilder app)
    {
        var promises = app.MapGroup("/api/v1/promises").WithTags("Promises").RequireAuthorization(Policies.Read);
        promises.MapGet("/", ListAsync).WithSummary("The promise ledger: written promises, follow-ups and SLA deadlines, open ones soonest first")
            .WithDescription("Filter with agent, ticket, customer, status (open, kept, broken, cancelled) and due-before. Running SLA deadlines have no id: they live on the ticket.");
        promises.MapPost("/{id:long}/settle", SettleAsync).RequireAuthorization(Policies.Write).WithSummary("Mark a promise kept, broken or cancelled");
        promises.MapPatch("/{id:long}", RescheduleAsync).RequireAuthorization(Policies.Write).WithSummary("Move a promise's due instant (agreed with the customer)");
        promises.MapGet("/kept-rate", KeptRateAsync).WithSummary("Kept-rate of promises settled in a range, overall or per agent, customer or week")
            .WithDescription("from and to are dates (yyyy-MM-dd, to exclusive; default the last 8 weeks); by is overall, agent, customer or week; kinds is all, sla or written.");
        app.MapPost("/api/v1/tickets/{id:long}/promises", MakeAsync).WithTags("Promises").RequireAuthorization(Policies.Write)
            .WithSummary("Record a promise made to the customer on this ticket (a call, a reply by a date, a follow-up)");
        return app;
    }

    public sealed record PromiseView(long Id, PromiseKind Kind, long TicketId, long CustomerId, int? AgentId, string Text, DateTime DueAt,
        PromiseStatus Status, DateTime CreatedAt, DateTime? SettledAt, int? SettledById, string? SettleNote)
    {
        public static PromiseView Of(Promise p) =>
            new(p.Id, p.Kind, p.TicketId, p.CustomerId, p.AgentId, p.Text, p.DueAt, p.Status, p.CreatedAt, p.SettledAt, p.SettledById, p.SettleNote);
    }

    public sealed record RescheduleRequest(DateTime? DueAt);

    public sealed record RatesView(DateOnly From, DateOnly To, string By, IReadOnlyList<PromiseLedger.Rate> Rates);

    private static async Task<Results<Created<PromiseView>, NotFound>> MakeAsync(long id, PromiseLedger.MakeRequest request, PromiseLedger ledger,
        ClaimsPrincipal user, CancellationToken ct) =>
        await ledger.MakeAsync(id, request, user.ToActor(), ct) is { } promise
            ? TypedResults.Created($"/api/v1/promises/{promise.Id}", PromiseView.Of(promise))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<PromiseView>, NotFound>> SettleAsync(long id, PromiseLedger.SettleRequest request, PromiseLedger ledger,
        ClaimsPrincipal user, CancellationToken ct) =>
        await ledger.SettleAsync(id, request, user.ToActor(), ct) is { } promise ? TypedResults.Ok(PromiseView.Of(promise)) : TypedResults.NotFound();

    private static async Task<Results<Ok<PromiseView>, NotFound, ValidationProblem>> RescheduleAsync(long id, RescheduleRequest request, PromiseLedger ledger,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (request.DueAt is not { } due)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["dueAt"] = ["Give the new due instant (ISO 8601 with an offset or Z)."] });
        }
        return await ledger.RescheduleAsync(id, due, user.ToActor(), ct) is { } promise ? TypedResults.Ok(PromiseView.Of(promise)) : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<IReadOnlyList<PromiseLedger.Entry>>, ValidationProblem>> ListAsync(PromiseLedger ledger, int? agent, long? ticket,
        long? customer, string? status, DateTime? dueBefore, int? limit, CancellationToken ct)
    {
        PromiseStatus? wanted = null;
        if (status is not null)
        {
            if (!Enum.TryParse<PromiseStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Use open, kept, broken or cancelled."] });
            }
            wanted = parsed;
        }
        return TypedResults.Ok(await ledger.ListAsync(new PromiseLedger.Query(agent, ticket, customer, wanted, dueBefore?.ToUniversalTime(), limit ?? 100), ct));
    }

    private static async Task<Results<Ok<RatesView>, FileContentHttpResult, ValidationProblem>> KeptRateAsync(PromiseLedger ledger, TimeProvider time,
        string? from, string? to, string? by, string? kinds, string? format, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var start = ParseDate(from, "from", today.AddDays(-56), errors);
        var end = ParseDate(to, "to", today.AddDays(1), errors);
        if (errors.Count == 0 && end <= start)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }
        var grouping = PromiseLedger.RateBy.Overall;
        if (by is not null && (!Enum.TryParse(by, ignoreCase: true, out grouping) || int.TryParse(by, out _)))
        {
            errors["by"] = ["Use overall, agent, customer or week."];
        }
        if (kinds is not (null or "all" or "sla" or "written"))
        {
            errors["kinds"] = ["Use all, sla or written."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rates = await ledger.KeptRateAsync(start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), end.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            grouping, kinds == "sla", kinds == "written", ct);
        if (format == "csv")
        {
            var csv = new CsvWriter().Row("key", "kept", "broken", "cancelled", "kept_rate");
            foreach (var rate in rates)
            {
                csv.Row(rate.Key, Number(rate.Kept), Number(rate.Broken), Number(rate.Cancelled), rate.KeptRate?.ToString("0.####", CultureInfo.InvariantCulture));
            }
            return csv.ToFile($"kept-rate-{grouping.ToString().ToLowerInvariant()}.csv");
        }
        return TypedResults.Ok(new RatesView(start, end, grouping.ToString().ToLowerInvariant(), rates));
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string? text, string field, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        errors[field] = ["Give a date as yyyy-MM-dd."];
        return fallback;
    }
}
