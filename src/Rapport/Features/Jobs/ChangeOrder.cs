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

/// <summary>A billing record. The job makes sure invoices never add up to more than the customer accepted.</summary>
public sealed class Invoice
{
    private readonly List<LineItem> _lines = [];

    private Invoice() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public int Number { get; private set; }
    public string Currency { get; private set; } = "";
    public IReadOnlyList<LineItem> Lines => _lines;
    public decimal Total { get; private set; }
    public int? CreatedById { get; private set; }
    public DateTime CreatedAt { get; private set; }

    internal static Invoice Create(int number, string currency, IReadOnlyList<LineItem> lines, int? agentId, DateTime now)
    {
        var invoice = new Invoice { Number = number, Currency = currency, CreatedById = agentId, CreatedAt = now, Total = Totals.Of(lines).Total };
        invoice._lines.AddRange(lines);
        return invoice;
    }
}

/// <summary>Work beyond what the customer accepted that the business chose not to bill.</summary>
public sealed class AbsorbedOverrun
{
    private AbsorbedOverrun() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public decimal Amount { get; private set; }
    public string Currency { get; private set; } = "";
    public string Reason { get; private set; } = "";
    public int? RecordedById { get; private set; }
    public DateTime RecordedAt { get; private set; }

    internal static AbsorbedOverrun Create(decimal amount, string currency, string reason, int? agentId, DateTime now)
    {
        if (amount <= 0 || !Money.IsWhole(amount, currency))
        {
            throw new JobRuleException("amount-invalid", $"The amount is above zero, in whole {currency} minor units ({Money.Digits(currency)} decimals).");
        }
        var text = (reason ?? "").Trim();
        if (text.Length is 0 or > Job.ReasonMaxLength)
        {
            throw new JobRuleException("reason-required", $"Say why the cost is absorbed (1 to {Job.ReasonMaxLength} characters).");
        }
        return new AbsorbedOverrun { Amount = amount, Currency = currency, Reason = text, RecordedById = agentId, RecordedAt = now };
    }
}

public enum CommitmentKind { Start, Delivery }

public enum CommitmentStatus { Pending, Kept, Broken, Superseded }

/// <summary>A dated promise made to the customer by an approved quote or change order. A small stand-in for the promise
/// ledger: settled when the job completes, kept when the work started (or was delivered) on or before the day.</summary>
public sealed class JobCommitment
{
    private JobCommitment() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public CommitmentKind Kind { get; private set; }
    public DateOnly DueOn { get; private set; }
    /// <summary>What made the promise ("quote v2", "change order 1").</summary>
    public string Source { get; private set; } = "";
    public CommitmentStatus Status { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? SettledAt { get; private set; }
    /// <summary>The day the work started or was delivered, in the business's time zone.</summary>
    public DateOnly? MetOn { get; private set; }
    /// <summary>The same commitment in the promise ledger, where it counts in the kept-rate and reminds its agent.</summary>
    public long? PromiseId { get; private set; }
    internal Promises.Promise? Promise { get; private set; }

    internal void Track(Promises.Promise promise) => Promise = promise;

    internal static JobCommitment Create(CommitmentKind kind, DateOnly dueOn, string source, DateTime now) =>
        new() { Kind = kind, DueOn = dueOn, Source = source, Status = CommitmentStatus.Pending, CreatedAt = now };

    internal void Supersede(DateTime now)
    {
        Status = CommitmentStatus.Superseded;
        SettledAt = now;
    }

    /// <summary>At completion: a start promise is met on the day work started, a delivery promise on the day of completion.</summary>
    internal void Settle(DateOnly startedOn, DateOnly deliveredOn, DateTime now)
    {
        var met = Kind == CommitmentKind.Start ? startedOn : deliveredOn;
        MetOn = met;
        Status = met <= DueOn ? CommitmentStatus.Kept : CommitmentStatus.Broken;
        SettledAt = now;
    }
}

/// <summary>A later ticket from the same customer about a completed job, within its warranty: its work is free by default.</summary>
public sealed class WarrantyClaim
{
    private WarrantyClaim() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public long TicketId { get; private set; }
    public int? LinkedById { get; private set; }
    public DateTime LinkedAt { get; private set; }

    internal static WarrantyClaim Create(long ticketId, int? agentId, DateTime now) => new() { TicketId = ticketId, LinkedById = agentId, LinkedAt = now };
}

/// <summary>Another business the team refers customers to when it declines their request.</summary>
public sealed class Partner
{
    public const int NameMaxLength = 200;
    public const int ContactMaxLength = 300;
    public const int ServicesMaxLength = 2000;

    private Partner() { }

    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public string? Email { get; private set; }
    public string? Website { get; private set; }
    public string? Phone { get; private set; }
    /// <summary>What they do, in a line or two ("roof repairs, gutters").</summary>
    public string? Services { get; private set; }
    public bool Active { get; private set; }
    public DateTime CreatedAt { get; private set; }

    public static Partner Create(string name, DateTime now)
    {
        var partner = new Partner { CreatedAt = now, Active = true };
        partner.Update(name, null, null, null, null, true);
        return partner;
    }

    public void Update(string name, string? email, string? website, string? phone, string? services, bool active)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            throw new JobRuleException("name-required", $"A partner needs a name of 1 to {NameMaxLength} characters.");
        }
        Name = trimmed;
        Email = Clip(email, ContactMaxLength);
        Website = Clip(website, ContactMaxLength);
        Phone = Clip(phone, ContactMaxLength);
        Services = Clip(services, ServicesMaxLength);
        Active = active;
    }

    /// <summary>How the customer can reach them, for the decline note.</summary>
    public string Contact => string.Join(", ", new[] { Website, Email, Phone }.Where(s => s is { Length: > 0 }));

    private static string? Clip(string? value, int max) => string.IsNullOrWhiteSpace(value) ? null : value.Trim()[..Math.Min(value.Trim().Length, max)];
}
