namespace Rapport.Features.Jobs;

/// <summary>A priced line as an agent types it in the job panel (tax in percent), until it becomes a <see cref="LineSpec"/>.</summary>
public sealed class LineForm
{
    public string Description { get; set; } = "";
    public decimal Quantity { get; set; } = 1;
    public decimal UnitPrice { get; set; }
    public decimal TaxPercent { get; set; }

    public LineSpec ToSpec(long? warrantyTicketId = null, string? overrideReason = null) =>
        new(Description, Quantity, UnitPrice, TaxPercent / 100m, warrantyTicketId, overrideReason);
}

/// <summary>A quote being written in the job panel: a new one, or a draft being edited.</summary>
public sealed class QuoteDraft
{
    public long? QuoteId { get; init; }
    public string Currency { get; set; } = "EUR";
    public List<LineForm> Lines { get; } = [];
    public HashSet<long> RequirementIds { get; } = [];
    public DateOnly Start { get; set; }
    public DateOnly Delivery { get; set; }
    public DateOnly ValidUntil { get; set; }
    public string? Terms { get; set; }

    /// <summary>A first draft: a line for each open requirement, starting in a week, valid for a month.</summary>
    public static QuoteDraft New(JobDetails job, DateOnly today)
    {
        var draft = new QuoteDraft { Start = today.AddDays(7), Delivery = today.AddDays(14), ValidUntil = today.AddDays(30), Currency = job.Money.Currency ?? "EUR" };
        foreach (var r in job.Requirements.Where(r => r.Status == RequirementStatus.Open))
        {
            draft.Lines.Add(new LineForm { Description = JobText.Snippet(r.Text, LineItem.DescriptionMaxLength) });
            draft.RequirementIds.Add(r.Id);
        }
        if (draft.Lines.Count == 0)
        {
            draft.Lines.Add(new LineForm());
        }
        return draft;
    }

    public static QuoteDraft Of(QuoteDetails q)
    {
        var draft = new QuoteDraft { QuoteId = q.Id, Currency = q.Currency, Start = q.PromisedStartOn, Delivery = q.PromisedDeliveryOn, ValidUntil = q.ValidUntil, Terms = q.Terms };
        draft.Lines.AddRange(q.Lines.Select(l => new LineForm { Description = l.Description, Quantity = l.Quantity, UnitPrice = l.UnitPrice, TaxPercent = l.TaxRate * 100m }));
        draft.RequirementIds.UnionWith(q.RequirementIds);
        return draft;
    }

    public QuoteTerms ToTerms() => new(Currency.Trim().ToUpperInvariant(), Lines.Select(l => l.ToSpec()).ToList(), Start, Delivery, ValidUntil, Terms);
}

public static class JobText
{
    /// <summary>The text on one line, cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Snippet(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= max ? flat : flat[..(max - 1)] + "…";
    }
}
