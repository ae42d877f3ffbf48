using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Customers;

public static class CustomersApi
{
    public sealed record MergeRequest(long SourceId);

    public sealed record MergeResult(CustomerDetails Customer, int TicketsMoved);

    public static IHostApplicationBuilder AddCustomers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SaveCustomer>();
        builder.Services.AddSingleton<MergeCustomers>();
        builder.Services.AddSingleton<ManagePortalLinks>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/api/v1/customers").WithTags("Customers").RequireAuthorization(Policies.Read);
        customers.MapPost("/", CreateAsync).RequireAuthorization(Policies.Write).WithSummary("Create a customer");
        customers.MapGet("/", ListAsync).WithSummary("Find customers by exact email, or search names and addresses with q");
        customers.MapGet("/{id:long}", GetAsync).WithSummary("A customer");
        customers.MapPatch("/{id:long}", UpdateAsync).RequireAuthorization(Policies.Write).WithSummary("Change a customer");
        customers.MapPost("/{id:long}/merge", MergeAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Merge another customer (sourceId) into this one, keeping all tickets of both");
        return app;
    }

    private static async Task<Results<Created<CustomerDetails>, ValidationProblem, Conflict<ProblemDetails>>> CreateAsync(
        SaveCustomer.Request request, SaveCustomer save, RapportDb db, HttpContext http, CancellationToken ct)
    {
        var result = await save.CreateAsync(request, http.User.ToActor(), ct);
        if (result.Outcome == SaveCustomer.Outcome.EmailTaken)
        {
            return EmailTaken(result);
        }
        if (result.Outcome != SaveCustomer.Outcome.Saved)
        {
            return TypedResults.ValidationProblem(result.Errors!);
        }
        var details = await db.Customers.Where(c => c.Id == result.CustomerId).SelectDetails(db.Tickets).FirstAsync(ct);
        return TypedResults.Created($"/api/v1/customers/{details.Id}", details);
    }

    private static async Task<Results<Ok<Page<CustomerDetails>>, ValidationProblem>> ListAsync(
        RapportDb db, CancellationToken ct, string? email = null, string? q = null, int? limit = null, long? after = null)
    {
        var pageSize = limit ?? 25;
        if (pageSize is < 1 or > 100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 100."] });
        }
        var query = db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null);
        if (!string.IsNullOrWhiteSpace(email))
        {
            var address = email.Trim().ToLowerInvariant();
            query = query.Where(c => db.CustomerEmails.Any(e => e.CustomerId == c.Id && e.Address == address));
        }
        if (!string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim().ToLowerInvariant();
            query = query.Where(c => c.Name.ToLower().Contains(term) || db.CustomerEmails.Any(e => e.CustomerId == c.Id && e.Address.Contains(term)));
        }
        if (after is not null)
        {
            query = query.Where(c => c.Id < after);
        }
        var rows = await query.OrderByDescending(c => c.Id).Take(pageSize + 1).SelectDetails(db.Tickets).ToListAsync(ct);
        var items = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<CustomerDetails>(items, next));
    }

    private static async Task<Results<Ok<CustomerDetails>, NotFound>> GetAsync(long id, RapportDb db, CancellationToken ct)
    {
        var details = await db.Customers.AsNoTracking().Where(c => c.Id == id).SelectDetails(db.Tickets).FirstOrDefaultAsync(ct);
        return details is null ? TypedResults.NotFound() : TypedResults.Ok(details);
    }

    private static async Task<Results<Ok<CustomerDetails>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> UpdateAsync(
        long id, SaveCustomer.Request request, SaveCustomer save, RapportDb db, HttpContext http, CancellationToken ct)
    {
        var result = await save.UpdateAsync(id, request, http.User.ToActor(), ct);
        switch (result.Outcome)
        {
            case SaveCustomer.Outcome.NotFound:
                return TypedResults.NotFound();
            case SaveCustomer.Outcome.EmailTaken:
                return EmailTaken(result);
            case SaveCustomer.Outcome.Invalid:
                return TypedResults.ValidationProblem(result.Errors!);
        }
        var details = await db.Customers.AsNoTracking().Where(c => c.Id == id).SelectDetails(db.Tickets).FirstAsync(ct);
        return TypedResults.Ok(details);
    }

    private static async Task<Results<Ok<MergeResult>, NotFound<ProblemDetails>>> MergeAsync(
        long id, MergeRequest request, MergeCustomers merge, RapportDb db, HttpContext http, CancellationToken ct)
    {
        var result = await merge.HandleAsync(id, request.SourceId, http.User.ToActor(), ct);
        if (result.Outcome == MergeCustomers.Outcome.NotFound)
        {
            return TypedResults.NotFound(new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Title = "Customer not found",
                Detail = $"Customer {id} or customer {request.SourceId} does not exist.",
            });
        }
        var details = await db.Customers.AsNoTracking().Where(c => c.Id == id).SelectDetails(db.Tickets).FirstAsync(ct);
        return TypedResults.Ok(new MergeResult(details, result.TicketsMoved));
    }

    private static Conflict<ProblemDetails> EmailTaken(SaveCustomer.Result result) => TypedResults.Conflict(new ProblemDetails
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Email address already in use",
        Detail = result.Errors!["emails"][0],
        Extensions = { ["code"] = "email-taken", ["customerId"] = result.OtherCustomerId },
    });
}
