using System.Text.RegularExpressions;

namespace Rapport.Features.Jobs;

/// <summary>Amounts are decimal in a currency's major unit (euros, yen), rounded to the currency's minor unit with
/// midpoints away from zero, line by line: each line's net and each line's tax are rounded, and totals are sums of
/// rounded values, so the printed lines always add up to the printed total. See docs/decisions/0020-money-and-rounding.md.</summary>
public static partial class Money
{
    // ISO 4217 currencies whose minor unit is not two digits (the rest, and any code not listed, use two).
    private static readonly Dictionary<string, int> MinorDigits = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0,
        ["PYG"] = 0, ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
    };

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "AED", "ARS", "AUD", "BGN", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EGP", "EUR", "GBP", "HKD", "HUF", "IDR",
        "ILS", "INR", "MAD", "MXN", "MYR", "NGN", "NOK", "NZD", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "SAR", "SEK",
        "SGD", "THB", "TRY", "TWD", "UAH", "USD", "ZAR",
    };

    public const int CurrencyLength = 3;

    /// <summary>The digits after the decimal point of the currency's minor unit: 0 for JPY, 2 for EUR, 3 for KWD.</summary>
    public static int Digits(string currency) => MinorDigits.TryGetValue(currency, out var digits) ? digits : 2;

    /// <summary>Whether this is an ISO 4217 code we know (three capital letters from the list).</summary>
    public static bool IsKnownCurrency(string? currency) =>
        currency is not null && CurrencyCode().IsMatch(currency) && (Known.Contains(currency) || MinorDigits.ContainsKey(currency));

    public static decimal Round(decimal amount, string currency) => Math.Round(amount, Digits(currency), MidpointRounding.AwayFromZero);

    /// <summary>Whether the amount is already a whole number of minor units (no fractions of a cent or of a yen).</summary>
    public static bool IsWhole(decimal amount, string currency) => Round(amount, currency) == amount;

    public static string Format(decimal amount, string currency) =>
        $"{currency} {amount.ToString("N" + Digits(currency), System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The amount with exactly the currency's decimals (more when <paramref name="fine"/> and the value needs them), no grouping: for files.</summary>
    public static string Plain(decimal amount, string currency, bool fine = false)
    {
        var digits = Digits(currency);
        var format = digits == 0 ? "0" : "0." + new string('0', digits);
        return amount.ToString(fine ? format + (digits == 0 ? ".####" : "####") : format, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}

/// <summary>One line of a quote, change order or invoice. Quantity may be fractional (hours); the tax rate is a fraction (0.2 for 20 %).
/// A negative unit price removes scope (in a change order) or gives a discount.</summary>
public sealed class LineItem
{
    public const int DescriptionMaxLength = 500;

    private LineItem() { }

    public string Description { get; private set; } = "";
    public decimal Quantity { get; private set; }
    public decimal UnitPrice { get; private set; }
    public decimal TaxRate { get; private set; }
    /// <summary>Quantity × unit price, rounded to the minor unit.</summary>
    public decimal Net { get; private set; }
    /// <summary>Net × tax rate, rounded to the minor unit.</summary>
    public decimal Tax { get; private set; }
    public decimal Total => Net + Tax;
    /// <summary>On an invoice: the warranty ticket this work was for (non-billable unless overridden).</summary>
    public long? WarrantyTicketId { get; private set; }
    /// <summary>Why a line for warranty work is billed anyway.</summary>
    public string? OverrideReason { get; private set; }

    public static LineItem Create(string description, decimal quantity, decimal unitPrice, decimal taxRate, string currency,
        long? warrantyTicketId = null, string? overrideReason = null)
    {
        var text = (description ?? "").Trim();
        if (text.Length is 0 or > DescriptionMaxLength)
        {
            throw new JobRuleException("line-description-invalid", $"Each line needs a description of 1 to {DescriptionMaxLength} characters.");
        }
        if (quantity <= 0 || quantity > 1_000_000)
        {
            throw new JobRuleException("line-quantity-invalid", $"The quantity of \"{text}\" must be above 0 and at most 1,000,000.");
        }
        if (taxRate is < 0 or > 1)
        {
            throw new JobRuleException("line-tax-rate-invalid", $"The tax rate of \"{text}\" is a fraction between 0 and 1 (0.2 for 20 %).");
        }
        if (Math.Abs(unitPrice) > 1_000_000_000)
        {
            throw new JobRuleException("line-unit-price-invalid", $"The unit price of \"{text}\" is too large.");
        }
        var net = Money.Round(quantity * unitPrice, currency);
        return new LineItem
        {
            Description = text,
            Quantity = quantity,
            UnitPrice = unitPrice,
            TaxRate = taxRate,
            Net = net,
            Tax = Money.Round(net * taxRate, currency),
            WarrantyTicketId = warrantyTicketId,
            OverrideReason = string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim(),
        };
    }

    public LineItem Copy() => (LineItem)MemberwiseClone();
}

/// <summary>Sums of rounded line amounts.</summary>
public readonly record struct Totals(decimal Net, decimal Tax, decimal Total)
{
    public static Totals Of(IEnumerable<LineItem> lines)
    {
        decimal net = 0, tax = 0;
        foreach (var line in lines)
        {
            net += line.Net;
            tax += line.Tax;
        }
        return new Totals(net, tax, net + tax);
    }
}

/// <summary>A business rule about jobs, quotes or invoices refused the change. Becomes a 409 ProblemDetails carrying the code
/// (a 400 when the code ends in -invalid or -required).</summary>
public sealed class JobRuleException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>An invoice would take the amount billed above what the customer accepted (the approved quote plus approved change orders).</summary>
public sealed class InvoiceGuardException(string currency, decimal accepted, decimal invoiced, decimal requested)
    : Exception($"This invoice of {Money.Format(requested, currency)} would bill {Money.Format(invoiced + requested - accepted, currency)} more than the customer accepted "
        + $"({Money.Format(accepted, currency)} accepted, {Money.Format(invoiced, currency)} already invoiced). "
        + "Propose a change order for the extra work and invoice it once the customer approves, or record the overrun as absorbed.")
{
    public string Currency { get; } = currency;
    public decimal Accepted { get; } = accepted;
    public decimal Invoiced { get; } = invoiced;
    public decimal Requested { get; } = requested;
    public decimal Gap => Invoiced + Requested - Accepted;
}
