using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Jobs;

public static class JobsApi
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UpdateJob>();
        builder.Services.AddSingleton<OpenJob>();
        builder.Services.AddSingleton<LinkWarrantyTicket>();
        builder.Services.AddSingleton<JobNotice>();
        builder.Services.AddSingleton<SendQuote>();
        builder.Services.AddSingleton<ProposeChangeOrder>();
        builder.Services.AddSingleton<DeclineRequest>();
        builder.Services.AddSingleton<DecideForCustomer>();
        builder.Services.AddSingleton<ManagePartners>();
        return builder;
    }

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("Jobs").RequireAuthorization(Policies.Read);
        jobs.MapPost("/", OpenAsync).RequireAuthorization(Policies.Write).WithSummary("Open the job of a ticket (returns the existing one if it has one)");
        jobs.MapGet("/", FindAsync).WithSummary("The job of a ticket (?ticketId=) or of a customer (?customerId=)");
        jobs.MapGet("/{id:long}", GetAsync).WithSummary("A job with its requirements, quotes, change orders, invoices, commitments and money");
        jobs.MapPost("/{id:long}/requirements", AddRequirementAsync).RequireAuthorization(Policies.Write).WithSummary("Add what the customer wants, in their words");
        jobs.MapPatch("/{id:long}/requirements/{requirementId:long}", SetRequirementStatusAsync).RequireAuthorization(Policies.Write).WithSummary("Mark a requirement open, quoted, delivered or dropped");
        jobs.MapPost("/{id:long}/quotes", DraftQuoteAsync).RequireAuthorization(Policies.Write).WithSummary("Start a draft quote (the next version)");
        jobs.MapPut("/{id:long}/quotes/{quoteId:long}", EditQuoteAsync).RequireAuthorization(Policies.Write).WithSummary("Edit a draft quote (sent and approved quotes are locked)");
        jobs.MapPost("/{id:long}/quotes/{quoteId:long}/revise", ReviseQuoteAsync).RequireAuthorization(Policies.Write).WithSummary("Copy a sent or approved quote into a new draft version");
        jobs.MapPost("/{id:long}/quotes/{quoteId:long}/send", SendQuoteAsync).RequireAuthorization(Policies.Write).WithSummary("Send a draft quote to the customer (portal, and mail when a mailbox can send)");
        jobs.MapPost("/{id:long}/quotes/{quoteId:long}/decision", RecordDecisionAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Record the customer's answer to a sent quote given outside the portal (by phone, in person, by letter)")
            .WithDescription("The decision carries the customer's name, how they gave it and who recorded it; an approval locks the quote and sets its dates as promises, as in the portal.");
        jobs.MapPost("/{id:long}/change-orders", ProposeChangeOrderAsync).RequireAuthorization(Policies.Write).WithSummary("Propose extra scope or new dates; the customer approves it in the portal");
        jobs.MapPost("/{id:long}/invoices", RaiseInvoiceAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Raise an invoice").WithDescription("Refused with 422 (code invoice-exceeds-accepted, naming the gap) when invoices would add up to more than the approved quote plus approved change orders.");
        jobs.MapGet("/{id:long}/invoices/{invoiceId:long}.csv", InvoiceCsvAsync).WithSummary("An invoice as CSV");
        jobs.MapPost("/{id:long}/overruns", RecordOverrunAsync).RequireAuthorization(Policies.Write).WithSummary("Record work beyond the accepted total that the business absorbs");
        jobs.MapPost("/{id:long}/start", StartAsync).RequireAuthorization(Policies.Write).WithSummary("Record that work started (settles the start commitment at completion)");
        jobs.MapPost("/{id:long}/complete", CompleteAsync).RequireAuthorization(Policies.Write).WithSummary("Complete the job; its warranty starts");
        jobs.MapPost("/{id:long}/decline", DeclineAsync).RequireAuthorization(Policies.Write).WithSummary("Decline the request with a reason and an optional partner referral; the customer is told");
        jobs.MapPost("/{id:long}/warranty-tickets", LinkWarrantyTicketAsync).RequireAuthorization(Policies.Write)
            .WithSummary("Link a later ticket of the same customer as warranty work: it goes to the job's owner and is non-billable");
        app.MapGet("/api/v1/reports/jobs", ReportAsync).WithTags("Jobs").RequireAuthorization(Policies.Read)
            .WithSummary("Declines, referrals, declined quotes, absorbed overruns per job and commitments kept");

        var partners = app.MapGroup("/api/v1/partners").WithTags("Partners").RequireAuthorization(Policies.Read);
        partners.MapGet("/", ListPartnersAsync).WithSummary("Businesses to refer customers to");
        partners.MapPost("/", CreatePartnerAsync).RequireAuthorization(Policies.Write).WithSummary("Add a partner");
        partners.MapPut("/{id:long}", UpdatePartnerAsync).RequireAuthorization(Policies.Write).WithSummary("Change a partner");
        partners.MapDelete("/{id:long}", DeletePartnerAsync).RequireAuthorization(Policies.Owner).WithSummary("Remove a partner nobody was referred to (else deactivate it)");
        return app;
    }

    public sealed record OpenRequest([property: Required] long? TicketId);

    public sealed record RequirementRequest([property: Required, StringLength(Requirement.TextMaxLength)] string Text, long? MessageId);

    public sealed record RequirementStatusRequest([property: Required] RequirementStatus? Status);

    public sealed record LineRequest(
        [property: Required, StringLength(LineItem.DescriptionMaxLength)] string Description,
        [property: Required] decimal? Quantity,
        [property: Required] decimal? UnitPrice,
        decimal? TaxRate,
        long? WarrantyTicketId = null,
        [property: StringLength(Job.ReasonMaxLength)] string? OverrideReason = null)
    {
        public LineSpec ToSpec() => new(Description, Quantity ?? 0, UnitPrice ?? 0, TaxRate ?? 0, WarrantyTicketId, OverrideReason);
    }

    public sealed record QuoteRequest(
        [property: Required, StringLength(3, MinimumLength = 3)] string Currency,
        [property: Required, MaxLength(200)] IReadOnlyList<LineRequest> Lines,
        [property: Required] DateOnly? PromisedStartOn,
        [property: Required] DateOnly? PromisedDeliveryOn,
        [property: Required] DateOnly? ValidUntil,
        [property: StringLength(Quote.TermsMaxLength)] string? Terms,
        IReadOnlyList<long>? RequirementIds)
    {
        public QuoteTerms ToTerms() => new(Currency.Trim().ToUpperInvariant(), Lines.Select(l => l.ToSpec()).ToList(),
            PromisedStartOn!.Value, PromisedDeliveryOn!.Value, ValidUntil!.Value, Terms);
    }

    public sealed record ChangeOrderRequest(
        [property: MaxLength(200)] IReadOnlyList<LineRequest>? Lines,
        [property: Required, StringLength(Job.ReasonMaxLength)] string Reason,
        DateOnly? NewStartOn,
        DateOnly? NewDeliveryOn);

    public sealed record InvoiceRequest([property: Required, MaxLength(200)] IReadOnlyList<LineRequest> Lines);

    public sealed record OverrunRequest([property: Required] decimal? Amount, [property: Required, StringLength(Job.ReasonMaxLength)] string Reason);

    /// <summary>The customer's answer taken outside the portal: their name, how they gave it ("phone", "in person"…), and a reason for a no.</summary>
    public sealed record DecisionRequest(bool Approve,
        [property: Required(ErrorMessage = "Give the customer's name as they gave it."), StringLength(100)] string Name,
        [property: Required(ErrorMessage = "Say how the customer answered (phone, in person, letter…)."), StringLength(30)] string Via,
        [property: StringLength(Job.ReasonMaxLength)] string? Reason);

    public sealed record CompleteRequest([property: Range(0, 3650)] int? WarrantyDays);

    public sealed record DeclineInput([property: Required, StringLength(Job.ReasonMaxLength)] string Reason, long? PartnerId);

    public sealed record WarrantyTicketRequest([property: Required] long? TicketId);

    public sealed record PartnerRequest(
        [property: Required, StringLength(Partner.NameMaxLength)] string Name,
        [property: EmailAddress, StringLength(Partner.ContactMaxLength)] string? Email,
        [property: StringLength(Partner.ContactMaxLength)] string? Website,
        [property: StringLength(Partner.ContactMaxLength)] string? Phone,
        [property: StringLength(Partner.ServicesMaxLength)] string? Services,
        bool? Active)
    {
        public ManagePartners.Request ToRequest() => new(Name, Email, Website, Phone, Services, Active);
    }

    public sealed record PartnerDetails(long Id, string Name, string? Email, string? Website, string? Phone, string? Services, bool Active);

    public sealed record InvoiceGap(string Currency, decimal Accepted, decimal Invoiced, decimal Requested, decimal Gap);

    public sealed record PartnerReferrals(long PartnerId, string Name, int Referrals);

    public sealed record JobOverrun(long JobId, long TicketId, string Currency, decimal Absorbed, int Records);

    public sealed record JobsReport(int Declined, int Referred, IReadOnlyList<PartnerReferrals> ReferralsByPartner, int QuotesDeclined,
        int ChangeOrdersDeclined, IReadOnlyList<JobOverrun> Overruns, int CommitmentsKept, int CommitmentsBroken);

    private static async Task<Results<Created<JobDetails>, Ok<JobDetails>, NotFound<ProblemDetails>>> OpenAsync(OpenRequest request, OpenJob open, ClaimsPrincipal user, CancellationToken ct)
    {
        var opened = await open.HandleAsync(request.TicketId!.Value, user.ToActor(), ct);
        if (opened is not { } result)
        {
            return TypedResults.NotFound(new ProblemDetails { Title = "No such ticket", Detail = $"There is no ticket {request.TicketId}.", Status = StatusCodes.Status404NotFound });
        }
        var details = JobViews.ToDetails(result.Job);
        return result.Created ? TypedResults.Created($"/api/v1/jobs/{details.Id}", details) : TypedResults.Ok(details);
    }

    private static async Task<Results<Ok<IReadOnlyList<JobDetails>>, ValidationProblem>> FindAsync(RapportDb db, CancellationToken ct, long? ticketId = null, long? customerId = null)
    {
        if (ticketId is null && customerId is null)
        {
            return TypedResults.ValidationProblem(Error("ticketId", "Give ticketId or customerId."));
        }
        var jobs = await db.Jobs.AsNoTracking().WithAll()
            .Where(j => (ticketId == null || j.TicketId == ticketId) && (customerId == null || j.CustomerId == customerId))
            .OrderByDescending(j => j.Id).Take(100).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<JobDetails>>(jobs.Select(JobViews.ToDetails).ToList());
    }

    private static async Task<Results<Ok<JobDetails>, NotFound>> GetAsync(long id, RapportDb db, CancellationToken ct) =>
        await JobViews.LoadAsync(db, id, ct) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound();

    private static async Task<Results<Created<RequirementDetails>, NotFound>> AddRequirementAsync(long id, RequirementRequest request, UpdateJob update, RapportDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (request.MessageId is { } messageId && !await db.Jobs.AnyAsync(j => j.Id == id && db.Messages.Any(m => m.Id == messageId && m.TicketId == j.TicketId), ct))
        {
            throw new JobRuleException("message-id-invalid", $"Message {messageId} is not on this job's ticket.");
        }
        var requirement = await update.HandleAsync(id, user.ToActor(), (job, clock) => job.AddRequirement(request.Text, request.MessageId, clock.Now), ct);
        return requirement is null ? TypedResults.NotFound()
            : TypedResults.Created($"/api/v1/jobs/{id}", new RequirementDetails(requirement.Id, requirement.Text, requirement.MessageId, requirement.Status, requirement.CreatedAt));
    }

    private static async Task<Results<Ok<JobDetails>, NotFound>> SetRequirementStatusAsync(long id, long requirementId, RequirementStatusRequest request, UpdateJob update,
        ClaimsPrincipal user, CancellationToken ct) =>
        Found(await update.HandleAsync(id, user.ToActor(), (job, _) =>
        {
            job.SetRequirementStatus(requirementId, request.Status!.Value);
            return job;
        }, ct));

    private static async Task<Results<Created<QuoteDetails>, NotFound>> DraftQuoteAsync(long id, QuoteRequest request, UpdateJob update, ClaimsPrincipal user, CancellationToken ct)
    {
        var quote = await update.HandleAsync(id, user.ToActor(), (job, clock) => job.DraftQuote(request.ToTerms(), request.RequirementIds ?? [], clock.Now), ct);
        return quote is null ? TypedResults.NotFound() : TypedResults.Created($"/api/v1/jobs/{id}", JobViews.ToDetails(quote));
    }

    private static async Task<Results<Ok<JobDetails>, NotFound>> EditQuoteAsync(long id, long quoteId, QuoteRequest request, UpdateJob update, ClaimsPrincipal user, CancellationToken ct) =>
        Found(await update.HandleAsync(id, user.ToActor(), (job, _) =>
        {
            job.EditQuote(quoteId, request.ToTerms(), request.RequirementIds ?? []);
            return job;
        }, ct));

    private static async Task<Results<Created<QuoteDetails>, NotFound>> ReviseQuoteAsync(long id, long quoteId, UpdateJob update, ClaimsPrincipal user, CancellationToken ct)
    {
        var quote = await update.HandleAsync(id, user.ToActor(), (job, clock) => job.ReviseQuote(quoteId, clock.Now), ct);
        return quote is null ? TypedResults.NotFound() : TypedResults.Created($"/api/v1/jobs/{id}", JobViews.ToDetails(quote));
    }

    private static async Task<Results<Ok<SendQuote.Result>, NotFound>> SendQuoteAsync(long id, long quoteId, SendQuote send, ClaimsPrincipal user, CancellationToken ct) =>
        await send.HandleAsync(id, quoteId, user.ToActor(), ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound();

    private static async Task<Results<Ok<JobDetails>, NotFound, ValidationProblem>> RecordDecisionAsync(long id, long quoteId, DecisionRequest request,
        UpdateJob update, ClaimsPrincipal user, CancellationToken ct)
    {
        var via = (request.Via ?? "").Trim();
        var name = (request.Name ?? "").Trim();
        if (name.Length == 0 || via.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [name.Length == 0 ? "name" : "via"] = [name.Length == 0 ? "Give the customer's name as they gave it." : "Say how the customer answered (phone, in person, letter…)."],
            });
        }
        var signature = Quote.OutsidePortalSignature(name, via, user.Identity?.Name is { Length: > 0 } who ? who : "the team");
        var job = await update.HandleAsync(id, user.ToActor(), (job, clock) =>
        {
            if (request.Approve)
            {
                job.ApproveQuote(quoteId, signature, clock.Today, clock.Now);
            }
            else
            {
                job.DeclineQuote(quoteId, signature, request.Reason, clock.Today, clock.Now);
            }
            return job;
        }, ct);
        return job is null ? TypedResults.NotFound() : TypedResults.Ok(JobViews.ToDetails(job));
    }

    private static async Task<Results<Created<ProposeChangeOrder.Result>, NotFound>> ProposeChangeOrderAsync(long id, ChangeOrderRequest request, ProposeChangeOrder propose,
        ClaimsPrincipal user, CancellationToken ct)
    {
        var input = new ProposeChangeOrder.Request((request.Lines ?? []).Select(l => l.ToSpec()).ToList(), request.Reason, request.NewStartOn, request.NewDeliveryOn);
        return await propose.HandleAsync(id, input, user.ToActor(), ct) is { } result ? TypedResults.Created($"/api/v1/jobs/{id}", result) : TypedResults.NotFound();
    }

    private static async Task<Results<Created<InvoiceDetails>, NotFound, ProblemHttpResult>> RaiseInvoiceAsync(long id, InvoiceRequest request, UpdateJob update,
        HttpContext http, CancellationToken ct)
    {
        try
        {
            var actor = http.User.ToActor();
            var invoice = await update.HandleAsync(id, actor, (job, clock) => job.RaiseInvoice(request.Lines.Select(l => l.ToSpec()).ToList(), actor.AgentId, clock.Now), ct);
            return invoice is null ? TypedResults.NotFound()
                : TypedResults.Created($"/api/v1/jobs/{id}/invoices/{invoice.Id}.csv", JobViews.ToDetails(invoice));
        }
        catch (InvoiceGuardException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The invoice exceeds what the customer accepted",
                extensions: new Dictionary<string, object?>
                {
                    ["code"] = "invoice-exceeds-accepted",
                    ["gap"] = new InvoiceGap(e.Currency, e.Accepted, e.Invoiced, e.Requested, e.Gap),
                    ["changeOrder"] = $"/api/v1/jobs/{id}/change-orders",
                    ["absorb"] = $"/api/v1/jobs/{id}/overruns",
                });
        }
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> InvoiceCsvAsync(long id, long invoiceId, RapportDb db, CancellationToken ct)
    {
        var invoice = await db.Set<Invoice>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == invoiceId && i.JobId == id, ct);
        if (invoice is null)
        {
            return TypedResults.NotFound();
        }
        var csv = new CsvWriter().Row("description", "quantity", "unit_price", "tax_rate", "net", "tax", "total", "currency");
        var c = invoice.Currency;
        foreach (var line in invoice.Lines)
        {
            csv.Row(line.Description, line.Quantity.ToString("0.####", CultureInfo.InvariantCulture), Money.Plain(line.UnitPrice, c, fine: true),
                line.TaxRate.ToString("0.######", CultureInfo.InvariantCulture), Money.Plain(line.Net, c), Money.Plain(line.Tax, c), Money.Plain(line.Total, c), c);
        }
        csv.Row("Total", "", "", "", "", "", Money.Plain(invoice.Total, c), c);
        return csv.ToFile($"invoice-{id}-{invoice.Number}.csv");
    }

    private static async Task<Results<Created<OverrunDetails>, NotFound>> RecordOverrunAsync(long id, OverrunRequest request, UpdateJob update, HttpContext http, CancellationToken ct)
    {
        var actor = http.User.ToActor();
        var overrun = await update.HandleAsync(id, actor, (job, clock) => job.RecordOverrun(request.Amount!.Value, request.Reason, actor.AgentId, clock.Now), ct);
        return overrun is null ? TypedResults.NotFound()
            : TypedResults.Created($"/api/v1/jobs/{id}", new OverrunDetails(overrun.Id, overrun.Amount, overrun.Currency, overrun.Reason, overrun.RecordedAt));
    }

    private static async Task<Results<Ok<JobDetails>, NotFound>> StartAsync(long id, UpdateJob update, ClaimsPrincipal user, CancellationToken ct) =>
        Found(await update.HandleAsync(id, user.ToActor(), (job, clock) =>
        {
            job.Start(clock.Zone, clock.Now);
            return job;
        }, ct));

    private static async Task<Results<Ok<JobDetails>, NotFound>> CompleteAsync(long id, CompleteRequest request, UpdateJob update, ClaimsPrincipal user, CancellationToken ct) =>
        Found(await update.HandleAsync(id, user.ToActor(), (job, clock) =>
        {
            job.Complete(TimeSpan.FromDays(request.WarrantyDays ?? 0), clock.Zone, clock.Now);
            return job;
        }, ct));

    private static async Task<Results<Ok<DeclineRequest.Result>, NotFound>> DeclineAsync(long id, DeclineInput request, DeclineRequest decline, HttpContext http, CancellationToken ct) =>
        await decline.HandleAsync(id, request.Reason, request.PartnerId, http.User.ToActor(), ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound();

    private static async Task<Results<Ok<JobDetails>, NotFound>> LinkWarrantyTicketAsync(long id, WarrantyTicketRequest request, LinkWarrantyTicket link, RapportDb db,
        HttpContext http, CancellationToken ct)
    {
        if (await link.HandleAsync(id, request.TicketId!.Value, http.User.ToActor(), ct) is null)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok((await JobViews.LoadAsync(db, id, ct))!);
    }

    private static async Task<Ok<JobsReport>> ReportAsync(RapportDb db, CancellationToken ct) => TypedResults.Ok(await BuildReportAsync(db, ct));

    public static async Task<JobsReport> BuildReportAsync(RapportDb db, CancellationToken ct)
    {
        var declined = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Declined).Select(j => j.ReferredPartnerId).ToListAsync(ct);
        var partnerIds = declined.Where(p => p is not null).Select(p => p!.Value).Distinct().ToList();
        var names = await db.Partners.AsNoTracking().Where(p => partnerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var byPartner = declined.Where(p => p is not null).GroupBy(p => p!.Value)
            .Select(g => new PartnerReferrals(g.Key, names.GetValueOrDefault(g.Key, "(removed)"), g.Count())).OrderByDescending(p => p.Referrals).ThenBy(p => p.PartnerId).ToList();
        // Amounts are summed here, not in SQL: SQLite stores decimals as text.
        var overruns = (await db.Set<AbsorbedOverrun>().AsNoTracking().Join(db.Jobs, o => o.JobId, j => j.Id, (o, j) => new { o.JobId, j.TicketId, o.Currency, o.Amount }).ToListAsync(ct))
            .GroupBy(o => (o.JobId, o.TicketId, o.Currency)).Select(g => new JobOverrun(g.Key.JobId, g.Key.TicketId, g.Key.Currency, g.Sum(o => o.Amount), g.Count()))
            .OrderBy(o => o.JobId).ToList();
        var commitments = await db.Set<JobCommitment>().AsNoTracking().GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return new JobsReport(
            declined.Count,
            declined.Count(p => p is not null),
            byPartner,
            await db.Set<Quote>().CountAsync(q => q.Status == QuoteStatus.Declined, ct),
            await db.Set<ChangeOrder>().CountAsync(c => c.Status == ChangeOrderStatus.Declined, ct),
            overruns,
            commitments.FirstOrDefault(c => c.Key == CommitmentStatus.Kept)?.Count ?? 0,
            commitments.FirstOrDefault(c => c.Key == CommitmentStatus.Broken)?.Count ?? 0);
    }

    private static async Task<Ok<IReadOnlyList<PartnerDetails>>> ListPartnersAsync(RapportDb db, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PartnerDetails>>(await db.Partners.AsNoTracking().OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Select(p => new PartnerDetails(p.Id, p.Name, p.Email, p.Website, p.Phone, p.Services, p.Active)).ToListAsync(ct));

    private static async Task<Created<PartnerDetails>> CreatePartnerAsync(PartnerRequest request, ManagePartners partners, ClaimsPrincipal user, CancellationToken ct)
    {
        var partner = await partners.CreateAsync(request.ToRequest(), user.ToActor(), ct);
        return TypedResults.Created($"/api/v1/partners/{partner.Id}", ToDetails(partner));
    }

    private static async Task<Results<Ok<PartnerDetails>, NotFound>> UpdatePartnerAsync(long id, PartnerRequest request, ManagePartners partners,
        ClaimsPrincipal user, CancellationToken ct) =>
        await partners.UpdateAsync(id, request.ToRequest(), user.ToActor(), ct) is { } partner ? TypedResults.Ok(ToDetails(partner)) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DeletePartnerAsync(long id, ManagePartners partners, ClaimsPrincipal user, CancellationToken ct) =>
        await partners.DeleteAsync(id, user.ToActor(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static PartnerDetails ToDetails(Partner p) => new(p.Id, p.Name, p.Email, p.Website, p.Phone, p.Services, p.Active);

    private static Results<Ok<JobDetails>, NotFound> Found(Job? job) => job is null ? TypedResults.NotFound() : TypedResults.Ok(JobViews.ToDetails(job));

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };
}
