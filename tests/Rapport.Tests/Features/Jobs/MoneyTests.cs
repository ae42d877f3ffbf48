using Rapport.Features.Jobs;

namespace Rapport.Tests.Features.Jobs;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("JPY", 0)]
    [InlineData("EUR", 2)]
    [InlineData("USD", 2)]
    [InlineData("KWD", 3)]
    public void Digits_KnownCurrencies_FollowIso4217(string currency, int digits) => Money.Digits(currency).ShouldBe(digits);

    [Theory]
    [InlineData("EUR", true)]
    [InlineData("JPY", true)]
    [InlineData("eur", false)]
    [InlineData("EURO", false)]
    [InlineData("XYZ", false)]
    [InlineData("", false)]
    public void IsKnownCurrency_ChecksTheCode(string currency, bool known) => Money.IsKnownCurrency(currency).ShouldBe(known);

    [Fact]
    public void Line_Yen_RoundsNetAndTaxToWholeYen()
    {
        var line = LineItem.Create("Consultation", 3m, 333.5m, 0.10m, "JPY");

        line.Net.ShouldBe(1001m);   // 1000.5 rounds away from zero
        line.Tax.ShouldBe(100m);    // 100.1
        line.Total.ShouldBe(1101m);
    }

    [Fact]
    public void Line_Euro_RoundsMidpointAwayFromZeroToTheCent()
    {
        var line = LineItem.Create("Screws", 1m, 0.125m, 0m, "EUR");

        line.Net.ShouldBe(0.13m);
    }

    [Fact]
    public void Totals_TaxRoundedPerLine_NotOnTheSum()
    {
        var lines = Enumerable.Range(0, 3).Select(_ => LineItem.Create("Washer", 1m, 0.10m, 0.19m, "EUR")).ToList();

        var totals = Totals.Of(lines);

        // Each line's tax is 0.019 → 0.02; on the sum it would have been 0.057 → 0.06 as well, but
        // 0.30 net + 0.06 tax = 0.36 must equal the sum of the printed line totals.
        lines.ShouldAllBe(l => l.Tax == 0.02m);
        totals.ShouldBe(new Totals(0.30m, 0.06m, 0.36m));
        totals.Total.ShouldBe(lines.Sum(l => l.Total));
    }

    [Fact]
    public void Totals_PerLineRounding_DiffersFromRoundingTheSum()
    {
        var lines = new[] { LineItem.Create("A", 1m, 0.05m, 0.10m, "EUR"), LineItem.Create("B", 1m, 0.05m, 0.10m, "EUR") };

        // 0.005 tax per line rounds to 0.01 each: 0.02, where rounding once would give 0.01.
        Totals.Of(lines).Tax.ShouldBe(0.02m);
    }

    [Fact]
    public void Line_Dinar_KeepsThreeDecimals()
    {
        var line = LineItem.Create("Service", 1m, 10.0005m, 0m, "KWD");

        line.Net.ShouldBe(10.001m);
    }

    [Theory]
    [InlineData(0, 10, 0.2)]
    [InlineData(-1, 10, 0.2)]
    [InlineData(1, 10, 1.5)]
    [InlineData(1, 10, -0.1)]
    public void Line_BadQuantityOrTaxRate_IsRefused(decimal quantity, decimal price, decimal rate) =>
        Should.Throw<JobRuleException>(() => LineItem.Create("x", quantity, price, rate, "EUR")).Code.ShouldEndWith("-invalid");

    [Fact]
    public void Format_UsesTheMinorUnit()
    {
        Money.Format(1086.47m, "EUR").ShouldBe("EUR 1,086.47");
        Money.Format(1101m, "JPY").ShouldBe("JPY 1,101");
    }
}
