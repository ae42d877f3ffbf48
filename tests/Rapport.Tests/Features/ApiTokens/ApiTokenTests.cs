using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Rapport.Features.ApiTokens;

namespace Rapport.Tests.Features.ApiTokens;

public sealed partial class ApiTokenTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    [GeneratedRegex("^rpt_(?<key>[0-9a-f]{12})_(?<secret>[A-Za-z0-9_-]{43})$")]
    private static partial Regex TokenFormat();

    [Fact]
    public void A_new_token_is_shown_once_and_only_its_hash_is_kept()
    {
        var (token, plainText) = ApiToken.Create("  Shop integration  ", ApiTokenScope.Write, 3, Now);

        var match = TokenFormat().Match(plainText);
        match.Success.ShouldBeTrue(plainText);
        token.KeyId.ShouldBe(match.Groups["key"].Value);
        token.Name.ShouldBe("Shop integration");
        token.Scope.ShouldBe(ApiTokenScope.Write);
        token.CreatedByAgentId.ShouldBe(3);
        token.CreatedAt.ShouldBe(Now);
        token.IsRevoked.ShouldBeFalse();
        token.SecretHash.Length.ShouldBe(32);
        var secret = match.Groups["secret"].Value;
        token.SecretHash.ShouldNotBe(Encoding.UTF8.GetBytes(secret));
        Convert.ToBase64String(token.SecretHash).ShouldNotContain(secret);
    }

    [Fact]
    public void The_plain_text_parses_back_and_matches_its_token()
    {
        var (token, plainText) = ApiToken.Create("ci", ApiTokenScope.Read, null, Now);

        ApiToken.TryParse(plainText, out var keyId, out var secret).ShouldBeTrue();

        keyId.ShouldBe(token.KeyId);
        token.Matches(secret).ShouldBeTrue();
    }

    [Fact]
    public void Another_secret_does_not_match()
    {
        var (token, plainText) = ApiToken.Create("ci", ApiTokenScope.Read, null, Now);
        var (_, otherPlainText) = ApiToken.Create("ci", ApiTokenScope.Read, null, Now);
        ApiToken.TryParse(plainText, out _, out var secret).ShouldBeTrue();
        ApiToken.TryParse(otherPlainText, out _, out var otherSecret).ShouldBeTrue();
        var altered = (secret[0] == 'A' ? 'B' : 'A') + secret[1..];

        token.Matches(otherSecret).ShouldBeFalse();
        token.Matches(altered).ShouldBeFalse();
        token.Matches("").ShouldBeFalse();
    }

    [Fact]
    public void Every_token_is_different()
    {
        var tokens = Enumerable.Range(0, 20).Select(_ => ApiToken.Create("ci", ApiTokenScope.Read, null, Now)).ToList();

        tokens.Select(t => t.Token.KeyId).Distinct().Count().ShouldBe(20);
        tokens.Select(t => t.PlainText).Distinct().Count().ShouldBe(20);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer rpt_0123456789ab_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    [InlineData("xyz_0123456789ab_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    [InlineData("RPT_0123456789ab_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    [InlineData("rpt_0123456789a_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    [InlineData("rpt_0123456789abc_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    [InlineData("rpt_0123456789ab_short")]
    [InlineData("rpt_0123456789ababcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    public void Strings_that_are_not_tokens_do_not_parse(string text) =>
        ApiToken.TryParse(text, out _, out _).ShouldBeFalse();

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_token_needs_a_name(string name) =>
        Should.Throw<ArgumentException>(() => ApiToken.Create(name, ApiTokenScope.Read, null, Now));

    [Fact]
    public void A_name_longer_than_the_maximum_is_refused() =>
        Should.Throw<ArgumentException>(() => ApiToken.Create(new string('n', ApiToken.NameMaxLength + 1), ApiTokenScope.Read, null, Now));

    [Fact]
    public void Revoking_keeps_the_first_time()
    {
        var (token, _) = ApiToken.Create("ci", ApiTokenScope.Write, null, Now);
        _clock.Advance(TimeSpan.FromDays(2));
        var revokedAt = Now;

        token.Revoke(revokedAt);
        _clock.Advance(TimeSpan.FromDays(1));
        token.Revoke(Now);

        token.IsRevoked.ShouldBeTrue();
        token.RevokedAt.ShouldBe(revokedAt);
    }
}
