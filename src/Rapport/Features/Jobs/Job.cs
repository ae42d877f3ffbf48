using Rapport.Features.Tickets;

namespace Rapport.Features.Jobs;

public enum JobStatus { Open, Completed, Declined }

/// <summary>The paid work that grew out of one ticket: what the customer wants, the quotes and change orders they
/// approved, what was invoiced, the dated commitments and, once done, the warranty. Every money and promise rule lives here.</summary>
public sealed class Job
{
    public const int ReasonMaxLength = 2000;
    public static readonly TimeSpan MaxWarranty = TimeSpan.FromDays(3650);

    private readonly List<Requirement> _requirements = [];
    private readonly List<Quote> _quotes = [];
    private readonly List<ChangeOrder> _changeOrders = [];
    private readonly List<Invoice> _invoices = [];
    private readonly List<AbsorbedOverrun> _overruns = [];
    private readonly List<JobCommitment> _commitments = [];
    private readonly List<WarrantyClaim> _warrantyClaims = [];

    private Job() { }

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public long CustomerId { get; private set; }
    /// <summary>The agent who answers for the job; warranty tickets go to them.</summary>
    public int? OwnerId { get; private set; }
    public JobStatus Status { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public DateTime? CompletedAt { get; private set; }
    public TimeSpan? WarrantyPeriod { get; private set; }
    public DateTime? WarrantyEndsAt { get; private set; }
    public DateTime? DeclinedAt { get; private set; }
    public string? DeclineReason { get; private set; }
    public long? ReferredPartnerId { get; private set; }
    public int Version { get; private set; }

    public IReadOnlyCollection<Requirement> Requirements => _requirements;
    public IReadOnlyCollection<Quote> Quotes => _quotes;
    public IReadOnlyCollection<ChangeOrder> ChangeOrders => _changeOrders;
    public IReadOnlyCollection<Invoice> Invoices => _invoices;
    public IReadOnlyCollection<AbsorbedOverrun> Overruns => _overruns;
    public IReadOnlyCollection<JobCommitment> Commitments => _commitments;
    public IReadOnlyCollection<WarrantyClaim> WarrantyClaims => _warrantyClaims;

    public static Job Open(Ticket ticket, DateTime now) => new()
    {
        TicketId = ticket.Id,
        CustomerId = ticket.CustomerId,
        OwnerId = ticket.OwnerId,
        Status = JobStatus.Open,
        CreatedAt = now,
        Version = 1,
    };

    /// <summary>The quote the customer approved and that still stands (a newer approved version supersedes it).</summary>
    public Quote? ApprovedQuote => _quotes.SingleOrDefault(q => q.Status == QuoteStatus.Approved);

    public string? Currency => ApprovedQuote?.Currency ?? _quotes.OrderByDescending(q => q.Number).FirstOrDefault()?.Currency;

    /// <summary>What the customer agreed to pay: the approved quote plus the change orders approved on top of it.</summary>
    public decimal AcceptedTotal => ApprovedQuote is { } quote
        ? quote.Totals.Total + _changeOrders.Where(c => c.QuoteId == quote.Id && c.Status == ChangeOrderStatus.Approved).Sum(c => c.PriceDifference)
        : 0m;

    public decimal InvoicedTotal => _invoices.Sum(i => i.Total);

    public decimal AbsorbedTotal => _overruns.Sum(o => o.Amount);

    public void AssignOwner(int? agentId)
    {
        OwnerId = agentId;
        Touch();
    }

    public Requirement AddRequirement(string text, long? messageId, DateTime now)
    {
        EnsureOpen("add requirements to");
        var requirement = Requirement.Create(text, messageId, now);
        _requirements.Add(requirement);
        Touch();
        return requirement;
    }

    public void SetRequirementStatus(long requirementId, RequirementStatus status)
    {
        var requirement = _requirements.SingleOrDefault(r => r.Id == requirementId)
            ?? throw new JobRuleException("requirement-not-found", $"This job has no requirement {requirementId}.");
        requirement.SetStatus(status);
        Touch();
    }

    /// <summary>A new draft, numbered after the last version. One draft at a time: edit it instead of starting another.</summary>
    public Quote DraftQuote(QuoteTerms terms, IReadOnlyList<long> requirementIds, DateTime now)
    {
        EnsureOpen("quote");
        if (_quotes.Any(q => q.Status == QuoteStatus.Draft))
        {
            throw new JobRuleException("draft-exists", "This job already has a draft quote: edit that one.");
        }
        EnsureRequirements(requirementIds);
        var quote = Quote.Create(_quotes.Count == 0 ? 1 : _quotes.Max(q => q.Number) + 1, terms, requirementIds, now);
        _quotes.Add(quote);
        Touch();
        return quote;
    }

    public void EditQuote(long quoteId, QuoteTerms terms, IReadOnlyList<long> requirementIds)
    {
        EnsureRequirements(requirementIds);
        FindQuote(quoteId).Edit(terms, requirementIds);
        Touch();
    }

    /// <summary>A new draft copying this version: the way to change a quote that was sent or approved.</summary>
    public Quote ReviseQuote(long quoteId, DateTime now)
    {
        var source = FindQuote(quoteId);
        if (source.Status == QuoteStatus.Draft)
        {
            throw new JobRuleException("quote-is-draft", "This quote is still a draft: edit it directly.");
        }
        return DraftQuote(source.ToTerms(), source.RequirementIds, now);
    }

    /// <summary>Sends a draft to the customer; a version sent earlier and not yet decided is withdrawn (superseded).</summary>
    public Quote SendQuote(long quoteId, DateOnly today, DateTime now)
    {
        EnsureOpen("send quotes for");
        var quote = FindQuote(quoteId);
        quote.Send(today, now);
        foreach (var older in _quotes.Where(q => q.Id != quote.Id && q.Status == QuoteStatus.Sent))
        {
            older.Supersede();
        }
        foreach (var requirement in _requirements.Where(r => quote.RequirementIds.Contains(r.Id) && r.Status == RequirementStatus.Open))
        {
            requirement.SetStatus(RequirementStatus.Quoted);
        }
        Touch();
        return quote;
    }

    /// <summary>The customer approves: the quote is locked, the one approved before is superseded, and its dates become the job's commitments.</summary>
    public void ApproveQuote(long quoteId, string customerName, DateOnly today, DateTime now)
    {
        EnsureOpen("approve quotes for");
        var quote = FindQuote(quoteId);
        quote.Approve(customerName, today, now);
        foreach (var older in _quotes.Where(q => q.Id != quote.Id && q.Status == QuoteStatus.Approved))
        {
            older.Supersede();
        }
        Commit(CommitmentKind.Start, quote.PromisedStartOn, $"quote v{quote.Number}", now);
        Commit(CommitmentKind.Delivery, quote.PromisedDeliveryOn, $"quote v{quote.Number}", now);
        Touch();
    }

    public void DeclineQuote(long quoteId, string customerName, string? reason, DateOnly today, DateTime now)
    {
        FindQuote(quoteId).Decline(customerName, reason, today, now);
        Touch();
    }

    /// <summary>Extra (or removed) scope after approval; it counts only once the customer approves it.</summary>
    public ChangeOrder ProposeChangeOrder(IReadOnlyList<LineSpec> lines, string reason, DateOnly? newStartOn, DateOnly? newDeliveryOn, DateTime now)
    {
        EnsureOpen("change");
        var quote = ApprovedQuote ?? throw new JobRuleException("no-approved-quote", "A change order amends an approved quote, and this job has none yet. Send a quote first.");
        var order = ChangeOrder.Create(quote, _changeOrders.Count + 1, lines, reason, newStartOn, newDeliveryOn, now);
        _changeOrders.Add(order);
        Touch();
        return order;
    }

    public void ApproveChangeOrder(long changeOrderId, string customerName, DateTime now)
    {
        EnsureOpen("approve change orders for");
        var order = FindChangeOrder(changeOrderId);
        if (ApprovedQuote?.Id != order.QuoteId)
        {
            throw new JobRuleException("change-order-outdated", "This change order amends a quote that has since been replaced; ask for a new one.");
        }
        order.Approve(customerName, now);
        if (order.NewStartOn is { } start)
        {
            Commit(CommitmentKind.Start, start, $"change order {order.Number}", now);
        }
        if (order.NewDeliveryOn is { } delivery)
        {
            Commit(CommitmentKind.Delivery, delivery, $"change order {order.Number}", now);
        }
        Touch();
    }

    public void DeclineChangeOrder(long changeOrderId, string customerName, string? reason, DateTime now)
    {
        FindChangeOrder(changeOrderId).Decline(customerName, reason, now);
        Touch();
    }

    /// <summary>Bills work, never above what the customer accepted. Lines for a warranty ticket are free unless overridden with a reason.</summary>
    public Invoice RaiseInvoice(IReadOnlyList<LineSpec> lines, int? agentId, DateTime now)
    {
        var quote = ApprovedQuote ?? throw new JobRuleException("no-approved-quote", "There is nothing to invoice: the customer has not approved a quote for this job.");
        if (lines.Count == 0)
        {
            throw new JobRuleException("lines-required", "An invoice needs at least one line.");
        }
        foreach (var line in lines.Where(l => l.WarrantyTicketId is not null))
        {
            if (_warrantyClaims.All(c => c.TicketId != line.WarrantyTicketId))
            {
                throw new JobRuleException("warranty-ticket-invalid", $"Ticket {line.WarrantyTicketId} is not linked to this job as a warranty ticket.");
            }
            if (string.IsNullOrWhiteSpace(line.OverrideReason))
            {
                throw new JobRuleException("warranty-non-billable",
                    $"\"{line.Description}\" is work on warranty ticket {line.WarrantyTicketId}, which is free for the customer. To bill it anyway, give an override reason.");
            }
        }
        var items = lines.Select(l => l.ToItem(quote.Currency)).ToList();
        var requested = Totals.Of(items).Total;
        if (requested <= 0)
        {
            throw new JobRuleException("invoice-total-invalid", "An invoice's total must be above zero.");
        }
        var accepted = AcceptedTotal;
        var invoiced = InvoicedTotal;
        if (invoiced + requested > accepted)
        {
            throw new InvoiceGuardException(quote.Currency, accepted, invoiced, requested);
        }
        var invoice = Invoice.Create(_invoices.Count + 1, quote.Currency, items, agentId, now);
        _invoices.Add(invoice);
        Touch();
        return invoice;
    }

    /// <summary>"We ate the cost": work done beyond what was accepted, recorded instead of billed.</summary>
    public AbsorbedOverrun RecordOverrun(decimal amount, string reason, int? agentId, DateTime now)
    {
        var currency = Currency ?? throw new JobRuleException("no-quote", "Record overruns against a quoted job.");
        var overrun = AbsorbedOverrun.Create(amount, currency, reason, agentId, now);
        _overruns.Add(overrun);
        Touch();
        return overrun;
    }

    /// <summary>Work begins: the promised start is settled now (kept when on or before its day in the business's time zone).</summary>
    public void Start(TimeZoneInfo zone, DateTime now)
    {
        EnsureOpen("start");
        StartedAt ??= now;
        var startedOn = DayIn(zone, StartedAt.Value);
        foreach (var commitment in _commitments.Where(c => c.Kind == CommitmentKind.Start && c.Status == CommitmentStatus.Pending))
        {
            commitment.Settle(startedOn, startedOn, now);
        }
        Touch();
    }

    /// <summary>Done: the warranty starts, quoted requirements are delivered and the dated commitments are settled (kept when on or before their day).</summary>
    public void Complete(TimeSpan warranty, TimeZoneInfo zone, DateTime now)
    {
        EnsureOpen("complete");
        if (warranty < TimeSpan.Zero || warranty > MaxWarranty)
        {
            throw new JobRuleException("warranty-invalid", "The warranty runs from 0 to 3650 days.");
        }
        StartedAt ??= now;
        Status = JobStatus.Completed;
        CompletedAt = now;
        WarrantyPeriod = warranty;
        WarrantyEndsAt = now + warranty;
        foreach (var requirement in _requirements.Where(r => r.Status == RequirementStatus.Quoted))
        {
            requirement.SetStatus(RequirementStatus.Delivered);
        }
        var startedOn = DayIn(zone, StartedAt.Value);
        var deliveredOn = DayIn(zone, now);
        foreach (var commitment in _commitments.Where(c => c.Status == CommitmentStatus.Pending))
        {
            commitment.Settle(startedOn, deliveredOn, now);
        }
        Touch();
    }

    /// <summary>An honest no: the request is declined with a reason, optionally pointing the customer to a partner who can help.</summary>
    public void Decline(string reason, long? partnerId, DateTime now)
    {
        EnsureOpen("decline");
        if (ApprovedQuote is not null)
        {
            throw new JobRuleException("job-accepted", "The customer approved a quote for this job; it cannot be declined any more.");
        }
        var text = (reason ?? "").Trim();
        if (text.Length is 0 or > ReasonMaxLength)
        {
            throw new JobRuleException("reason-required", $"Say why the request is declined (1 to {ReasonMaxLength} characters); the customer reads it.");
        }
        Status = JobStatus.Declined;
        DeclinedAt = now;
        DeclineReason = text;
        ReferredPartnerId = partnerId;
        foreach (var requirement in _requirements.Where(r => r.Status is RequirementStatus.Open or RequirementStatus.Quoted))
        {
            requirement.SetStatus(RequirementStatus.Dropped);
        }
        foreach (var quote in _quotes.Where(q => q.Status is QuoteStatus.Draft or QuoteStatus.Sent))
        {
            quote.Supersede();
        }
        Touch();
    }

    /// <summary>The calendar day of an instant in the business's time zone: promises are made in days there.</summary>
    public static DateOnly DayIn(TimeZoneInfo zone, DateTime instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(instant, zone));

    public bool InWarranty(DateTime at) => Status == JobStatus.Completed && WarrantyEndsAt is { } end && at <= end;

    /// <summary>Links a later ticket from the same customer about this job, opened within the warranty; it goes to the job's owner.</summary>
    public WarrantyClaim LinkWarrantyTicket(Ticket ticket, Actor actor, DateTime now)
    {
        if (Status != JobStatus.Completed)
        {
            throw new JobRuleException("job-not-completed", "Only a completed job carries a warranty.");
        }
        if (ticket.Id == TicketId)
        {
            throw new JobRuleException("same-ticket", "That is the job's own ticket.");
        }
        if (ticket.CustomerId != CustomerId)
        {
            throw new JobRuleException("other-customer", "That ticket is from another customer; warranty covers the customer the job was done for.");
        }
        if (!InWarranty(ticket.CreatedAt))
        {
            throw new JobRuleException("warranty-expired", $"The warranty of this job ended {WarrantyEndsAt:yyyy-MM-dd}, before the ticket was opened.");
        }
        if (_warrantyClaims.Any(c => c.TicketId == ticket.Id))
        {
            throw new JobRuleException("already-linked", "That ticket is already linked to this job.");
        }
        var claim = WarrantyClaim.Create(ticket.Id, actor.AgentId, now);
        _warrantyClaims.Add(claim);
        if (OwnerId is { } owner && ticket.Status != TicketStatus.Closed)
        {
            ticket.Assign(owner, actor, now);
        }
        Touch();
        return claim;
    }

    private void Commit(CommitmentKind kind, DateOnly dueOn, string source, DateTime now)
    {
        foreach (var pending in _commitments.Where(c => c.Kind == kind && c.Status == CommitmentStatus.Pending))
        {
            pending.Supersede(now);
        }
        _commitments.Add(JobCommitment.Create(kind, dueOn, source, now));
    }

    private void EnsureRequirements(IReadOnlyList<long> requirementIds)
    {
        var unknown = requirementIds.Where(id => _requirements.All(r => r.Id != id)).ToList();
        if (unknown.Count > 0)
        {
            throw new JobRuleException("requirement-ids-invalid", $"This job has no requirement {string.Join(", ", unknown)}.");
        }
    }

    private Quote FindQuote(long id) => _quotes.SingleOrDefault(q => q.Id == id)
        ?? throw new JobRuleException("quote-not-found", $"This job has no quote {id}.");

    private ChangeOrder FindChangeOrder(long id) => _changeOrders.SingleOrDefault(c => c.Id == id)
        ?? throw new JobRuleException("change-order-not-found", $"This job has no change order {id}.");

    private void EnsureOpen(string action)
    {
        if (Status != JobStatus.Open)
        {
            throw new JobRuleException("job-closed", $"This job is {Status.ToString().ToLowerInvariant()}; you cannot {action} it.");
        }
    }

    private void Touch() => Version++;
}

/// <summary>A line as asked for, before it is priced in the quote's currency.</summary>
public sealed record LineSpec(string Description, decimal Quantity, decimal UnitPrice, decimal TaxRate, long? WarrantyTicketId = null, string? OverrideReason = null)
{
    public LineItem ToItem(string currency) => LineItem.Create(Description, Quantity, UnitPrice, TaxRate, currency, WarrantyTicketId, OverrideReason);
}

public enum RequirementStatus { Open, Quoted, Delivered, Dropped }

/// <summary>What the customer wants, in their words.</summary>
public sealed class Requirement
{
    public const int TextMaxLength = 2000;

    private Requirement() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public string Text { get; private set; } = "";
    /// <summary>The customer message it was taken from, if any.</summary>
    public long? MessageId { get; private set; }
    public RequirementStatus Status { get; private set; }
    public DateTime CreatedAt { get; private set; }

    internal static Requirement Create(string text, long? messageId, DateTime now)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new JobRuleException("text-required", "A requirement needs the customer's words.");
        }
        return new Requirement
        {
            Text = trimmed.Length > TextMaxLength ? trimmed[..TextMaxLength] : trimmed,
            MessageId = messageId,
            Status = RequirementStatus.Open,
            CreatedAt = now,
        };
    }

    internal void SetStatus(RequirementStatus status) => Status = status;
}

public enum QuoteStatus { Draft, Sent, Approved, Declined, Superseded, Expired }

/// <summary>The editable part of a quote.</summary>
public sealed record QuoteTerms(string Currency, IReadOnlyList<LineSpec> Lines, DateOnly PromisedStartOn, DateOnly PromisedDeliveryOn, DateOnly ValidUntil, string? Terms);

public sealed class Quote
{
    public const int TermsMaxLength = 10_000;
    public const int NameMaxLength = 200;

    private readonly List<LineItem> _lines = [];

    private Quote() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    /// <summary>The version: 1, 2, 3… within the job.</summary>
    public int Number { get; private set; }
    public string Currency { get; private set; } = "";
    public IReadOnlyList<LineItem> Lines => _lines;
    public DateOnly PromisedStartOn { get; private set; }
    public DateOnly PromisedDeliveryOn { get; private set; }
    public DateOnly ValidUntil { get; private set; }
    public string? Terms { get; private set; }
    public QuoteStatus Status { get; private set; }
    public string RequirementIdList { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime? SentAt { get; private set; }
    public DateTime? DecidedAt { get; private set; }
    /// <summary>The name the customer typed to approve or decline.</summary>
    public string? DecidedBy { get; private set; }
    public string? DeclineReason { get; private set; }

    public Totals Totals => Totals.Of(_lines);

    public IReadOnlyList<long> RequirementIds => RequirementIdList.Length == 0 ? []
        : RequirementIdList.Split(',').Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    internal static Quote Create(int number, QuoteTerms terms, IReadOnlyList<long> requirementIds, DateTime now)
    {
        var quote = new Quote { Number = number, Status = QuoteStatus.Draft, CreatedAt = now };
        quote.Edit(terms, requirementIds);
        return quote;
    }

    internal void Edit(QuoteTerms terms, IReadOnlyList<long> requirementIds)
    {
        if (Status != QuoteStatus.Draft)
        {
            throw new JobRuleException("quote-locked", $"Quote v{Number} is {Status.ToString().ToLowerInvariant()} and can no longer change. Revise it: that makes a new version the customer approves again.");
        }
        if (!Money.IsKnownCurrency(terms.Currency))
        {
            throw new JobRuleException("currency-invalid", $"'{terms.Currency}' is not an ISO 4217 currency code we know (EUR, USD, JPY…).");
        }
        if (terms.PromisedDeliveryOn < terms.PromisedStartOn)
        {
            throw new JobRuleException("dates-invalid", "The promised delivery date comes before the promised start.");
        }
        if ((terms.Terms?.Length ?? 0) > TermsMaxLength)
        {
            throw new JobRuleException("terms-invalid", $"Terms are at most {TermsMaxLength} characters.");
        }
        var lines = terms.Lines.Select(l => l.ToItem(terms.Currency)).ToList();
        Currency = terms.Currency;
        _lines.Clear();
        _lines.AddRange(lines);
        PromisedStartOn = terms.PromisedStartOn;
        PromisedDeliveryOn = terms.PromisedDeliveryOn;
        ValidUntil = terms.ValidUntil;
        Terms = string.IsNullOrWhiteSpace(terms.Terms) ? null : terms.Terms.Trim();
        RequirementIdList = string.Join(',', requirementIds.Distinct());
    }

    internal QuoteTerms ToTerms() => new(Currency,
        _lines.Select(l => new LineSpec(l.Description, l.Quantity, l.UnitPrice, l.TaxRate)).ToList(),
        PromisedStartOn, PromisedDeliveryOn, ValidUntil, Terms);

    internal void Send(DateOnly today, DateTime now)
    {
        if (Status != QuoteStatus.Draft)
        {
            throw new JobRuleException("quote-not-draft", $"Quote v{Number} was already {Status.ToString().ToLowerInvariant()}.");
        }
        if (_lines.Count == 0)
        {
            throw new JobRuleException("lines-required", "Add at least one line before sending the quote.");
        }
        if (ValidUntil < today)
        {
            throw new JobRuleException("valid-until-invalid", "The quote would already have expired; set a later valid-until date.");
        }
        Status = QuoteStatus.Sent;
        SentAt = now;
    }

    internal void Approve(string customerName, DateOnly today, DateTime now)
    {
        EnsureAwaitingCustomer(today);
        Status = QuoteStatus.Approved;
        DecidedAt = now;
        DecidedBy = Signature(customerName);
    }

    internal void Decline(string customerName, string? reason, DateOnly today, DateTime now)
    {
        EnsureAwaitingCustomer(today);
        Status = QuoteStatus.Declined;
        DecidedAt = now;
        DecidedBy = Signature(customerName);
        DeclineReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()[..Math.Min(reason.Trim().Length, Job.ReasonMaxLength)];
    }

    internal void Supersede() => Status = QuoteStatus.Superseded;

    /// <summary>Past its validity a sent quote expires; that is recorded when someone tries to act on it.</summary>
    public bool HasExpired(DateOnly today) => Status == QuoteStatus.Sent && today > ValidUntil;

    private void EnsureAwaitingCustomer(DateOnly today)
    {
        if (HasExpired(today))
        {
            Status = QuoteStatus.Expired;
            throw new JobRuleException("quote-expired", $"Quote v{Number} was valid until {ValidUntil:yyyy-MM-dd}. Ask us for a fresh one.");
        }
        if (Status != QuoteStatus.Sent)
        {
            throw new JobRuleException("quote-not-sent", $"Quote v{Number} is {Status.ToString().ToLowerInvariant()}; only a sent quote can be approved or declined.");
        }
    }

    /// <summary>How an answer given outside the portal is signed: the customer's name, how they gave it, who recorded it.</summary>
    public static string OutsidePortalSignature(string customerName, string via, string recorder) =>
        $"{customerName.Trim()} (by {via.Trim()}, recorded by {(recorder.Length > 60 ? recorder[..60] : recorder)})";

    internal static string Signature(string customerName)
    {
        var name = (customerName ?? "").Trim();
        if (name.Length is 0 or > NameMaxLength)
        {
            throw new JobRuleException("name-required", "Type your name to sign.");
        }
        return name;
    }
}
