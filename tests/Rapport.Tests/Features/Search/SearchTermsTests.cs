using Rapport.Features.Search;

namespace Rapport.Tests.Features.Search;

public sealed class SearchTermsTests
{
    [Theory]
    [InlineData("Crème Brûlée", "creme brulee")]
    [InlineData("Straße ÆRØ Łódź", "strasse aero lodz")]
    [InlineData("ann.lee@example.com", "ann lee example com")]
    [InlineData("INV-2026/0042, please!", "inv 2026 0042 please")]
    [InlineData("ｆｕｌｌ　ｗｉｄｔｈ ﬁle", "full width file")]
    [InlineData("我的发票在哪里", "我 的 发 票 在 哪 里")]
    [InlineData("請求書No.12を", "請 求 書 no 12 を")]
    [InlineData("  \t\n ", "")]
    [InlineData(null, "")]
    public void Fold_MakesTheSameWordsForIndexAndQuery(string? text, string expected)
    {
        SearchTerms.Fold(text).ShouldBe(expected);
    }

    [Fact]
    public void Fold_PartOfAnUnspacedRun_IsAPhraseOfItsCharacters()
    {
        var stored = SearchTerms.Fold("我的发票在哪里");
        var asked = SearchTerms.Fold("发票");

        stored.ShouldContain(asked);
        SearchTerms.Words("发票").ShouldBe(["发", "票"]);
    }

    [Fact]
    public void Fold_CutsHugeText()
    {
        SearchTerms.Fold(new string('a', SearchTerms.MaxIndexedLength + 10)).Length.ShouldBe(SearchTerms.MaxIndexedLength);
    }
}
