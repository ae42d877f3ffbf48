namespace Rapport.Features.Jobs;

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
