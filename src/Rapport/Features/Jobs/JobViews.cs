using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Jobs;

public sealed record LineDetails(string Description, decimal Quantity, decimal UnitPrice, decimal TaxRate, decimal Net, decimal Tax, decimal Total,
    long? WarrantyTicketId, string? OverrideReason);

public sealed record TotalsDetails(decimal Net, decimal Tax, decimal Total);

public sealed record RequirementDetails(long Id, string Text, long? MessageId, RequirementStatus Status, DateTime CreatedAt);

public sealed record QuoteDetails(long Id, int Version, string Currency, int CurrencyDigits, IReadOnlyList<LineDetails> Lines, TotalsDetails Totals,
    DateOnly PromisedStartOn, DateOnly PromisedDeliveryOn, DateOnly ValidUntil, string? Terms, QuoteStatus Status, IReadOnlyList<long> RequirementIds,
    DateTime CreatedAt, DateTime? SentAt, DateTime? DecidedAt, string? DecidedBy, string? DeclineReason);

public sealed record ChangeOrderDetails(long Id, int Number, long QuoteId, string Currency, IReadOnlyList<LineDetails> Lines, decimal PriceDifference,
    string Reason, DateOnly? NewStartOn, DateOnly? NewDeliveryOn, ChangeOrderStatus Status, DateTime CreatedAt, DateTime? DecidedAt, string? DecidedBy, string? DeclineReason);

public sealed record InvoiceDetails(long Id, int Number, string Currency, IReadOnlyList<LineDetails> Lines, decimal Total, DateTime CreatedAt);

public sealed record OverrunDetails(long Id, decimal Amount, string Currency, string Reason, DateTime RecordedAt);

public sealed record CommitmentDetails(long Id, CommitmentKind Kind, DateOnly DueOn, string Source, CommitmentStatus Status, DateOnly? MetOn);

public sealed record MoneyDetails(string? Currency, decimal Accepted, decimal Invoiced, decimal Remaining, decimal Absorbed);

public sealed record JobDetails(long Id, long TicketId, long CustomerId, int? OwnerId, JobStatus Status, DateTime CreatedAt, DateTime? StartedAt,
    DateTime? CompletedAt, int? WarrantyDays, DateTime? WarrantyEndsAt, DateTime? DeclinedAt, string? DeclineReason, long? ReferredPartnerId,
    MoneyDetails Money, IReadOnlyList<RequirementDetails> Requirements, IReadOnlyList<QuoteDetails> Quotes, IReadOnlyList<ChangeOrderDetails> ChangeOrders,
    IReadOnlyList<InvoiceDetails> Invoices, IReadOnlyList<OverrunDetails> Overruns, IReadOnlyList<CommitmentDetails> Commitments,
    IReadOnlyList<long> WarrantyTicketIds);

public static class JobViews
{
    /// <summary>The job with everything it owns, tracked (for changes) unless asked otherwise.</summary>
    public static IQueryable<Job> WithAll(this IQueryable<Job> jobs) => jobs
        .Include(j => j.Requirements)
        .Include(j => j.Quotes)
        .Include(j => j.ChangeOrders)
        .Include(j => j.Invoices)
        .Include(j => j.Overruns)
        .Include(j => j.Commitments)
        .Include(j => j.WarrantyClaims)
        .AsSplitQuery();

    public static async Task<JobDetails?> LoadAsync(RapportDb db, long id, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().WithAll().FirstOrDefaultAsync(j => j.Id == id, ct);
        return job is null ? null : ToDetails(job);
    }

    public static JobDetails ToDetails(Job job)
    {
        var accepted = job.AcceptedTotal;
        var invoiced = job.InvoicedTotal;
        return new JobDetails(job.Id, job.TicketId, job.CustomerId, job.OwnerId, job.Status, job.CreatedAt, job.StartedAt, job.CompletedAt,
            job.WarrantyPeriod is { } w ? (int)w.TotalDays : null, job.WarrantyEndsAt, job.DeclinedAt, job.DeclineReason, job.ReferredPartnerId,
            new MoneyDetails(job.Currency, accepted, invoiced, accepted - invoiced, job.AbsorbedTotal),
            job.Requirements.OrderBy(r => r.Id).Select(r => new RequirementDetails(r.Id, r.Text, r.MessageId, r.Status, r.CreatedAt)).ToList(),
            job.Quotes.OrderBy(q => q.Number).Select(ToDetails).ToList(),
            job.ChangeOrders.OrderBy(c => c.Number).Select(ToDetails).ToList(),
            job.Invoices.OrderBy(i => i.Number).Select(ToDetails).ToList(),
            job.Overruns.OrderBy(o => o.Id).Select(o => new OverrunDetails(o.Id, o.Amount, o.Currency, o.Reason, o.RecordedAt)).ToList(),
            job.Commitments.OrderBy(c => c.Id).Select(c => new CommitmentDetails(c.Id, c.Kind, c.DueOn, c.Source, c.Status, c.MetOn)).ToList(),
            job.WarrantyClaims.OrderBy(c => c.Id).Select(c => c.TicketId).ToList());
    }

    public static QuoteDetails ToDetails(Quote q)
    {
        var totals = q.Totals;
        return new QuoteDetails(q.Id, q.Number, q.Currency, Money.Digits(q.Currency), Lines(q.Lines), new TotalsDetails(totals.Net, totals.Tax, totals.Total),
            q.PromisedStartOn, q.PromisedDeliveryOn, q.ValidUntil, q.Terms, q.Status, q.RequirementIds, q.CreatedAt, q.SentAt, q.DecidedAt, q.DecidedBy, q.DeclineReason);
    }

    public static ChangeOrderDetails ToDetails(ChangeOrder c) => new(c.Id, c.Number, c.QuoteId, c.Currency, Lines(c.Lines), c.PriceDifference, c.Reason,
        c.NewStartOn, c.NewDeliveryOn, c.Status, c.CreatedAt, c.DecidedAt, c.DecidedBy, c.DeclineReason);

    public static InvoiceDetails ToDetails(Invoice i) => new(i.Id, i.Number, i.Currency, Lines(i.Lines), i.Total, i.CreatedAt);

    private static List<LineDetails> Lines(IEnumerable<LineItem> lines) =>
        lines.Select(l => new LineDetails(l.Description, l.Quantity, l.UnitPrice, l.TaxRate, l.Net, l.Tax, l.Total, l.WarrantyTicketId, l.OverrideReason)).ToList();
}
