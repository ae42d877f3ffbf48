namespace Rapport.Features.Jobs;

public enum ChangeOrderStatus { Proposed, Approved, Declined }

/// <summary>Scope added (or removed) after the customer approved a quote, with its price difference and any new dates.
/// It counts towards what may be invoiced only once the customer approves it.</summary>
public sealed class ChangeOrder
{
    private readonly List<LineItem> _lines = [];

    private ChangeOrder() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    /// <summary>The approved quote it amends.</summary>
    public long QuoteId { get; private set; }
    public int Number { get; private set; }
    public string Currency { get; private set; } = "";
    public IReadOnlyList<LineItem> Lines => _lines;
    public string Reason { get; private set; } = "";
    public DateOnly? NewStartOn { get; private set; }
    public DateOnly? NewDeliveryOn { get; private set; }
    public ChangeOrderStatus Status { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? DecidedAt { get; private set; }
    public string? DecidedBy { get; private set; }
    public string? DeclineReason { get; private set; }

    /// <summary>What the change adds to (or, when negative, takes off) the accepted total, tax included.</summary>
    public decimal PriceDifference => Totals.Of(_lines).Total;

    internal static ChangeOrder Create(Quote quote, int number, IReadOnlyList<LineSpec> lines, string reason, DateOnly? newStartOn, DateOnly? newDeliveryOn, DateTime now)
    {
        var text = (reason ?? "").Trim();
        if (text.Length is 0 or > Job.ReasonMaxLength)
        {
            throw new JobRuleException("reason-required", $"Say why the work changes (1 to {Job.ReasonMaxLength} characters); the customer reads it.");
        }
        if (lines.Count == 0 && newStartOn is null && newDeliveryOn is null)
        {
            throw new JobRuleException("lines-required", "A change order changes the price (lines) or the dates.");
        }
        var start = newStartOn ?? quote.PromisedStartOn;
        var delivery = newDeliveryOn ?? quote.PromisedDeliveryOn;
        if (delivery < start)
        {
            throw new JobRuleException("dates-invalid", "The new delivery date comes before the start.");
        }
        var order = new ChangeOrder
        {
            QuoteId = quote.Id,
            Number = number,
            Currency = quote.Currency,
            Reason = text,
            NewStartOn = newStartOn,
            NewDeliveryOn = newDeliveryOn,
            Status = ChangeOrderStatus.Proposed,
            CreatedAt = now,
        };
        order._lines.AddRange(lines.Select(l => l.ToItem(quote.Currency)));
        return order;
    }

    internal void Approve(string customerName, DateTime now)
    {
        EnsureProposed();
        Status = ChangeOrderStatus.Approved;
        DecidedAt = now;
        DecidedBy = Quote.Signature(customerName);
    }

    internal void Decline(string customerName, string? reason, DateTime now)
    {
        EnsureProposed();
        Status = ChangeOrderStatus.Declined;
        DecidedAt = now;
        DecidedBy = Quote.Signature(customerName);
        DeclineReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()[..Math.Min(reason.Trim().Length, Job.ReasonMaxLength)];
    }

    private void EnsureProposed()
    {
        if (Status != ChangeOrderStatus.Proposed)
        {
            throw new JobRuleException("change-order-decided", $"Change order {Number} was already {Status.ToString().ToLowerInvariant()}.");
        }
    }
}
