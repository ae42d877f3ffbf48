namespace Rapport.Features.Jobs;

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
