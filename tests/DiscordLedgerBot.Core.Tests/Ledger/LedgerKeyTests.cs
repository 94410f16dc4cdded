using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Tests.Ledger;

public class LedgerKeyTests
{
    [Fact]
    public void Key_from_origin_is_prefixed_with_the_surface()
    {
        Assert.Equal("slash:1234567890", LedgerKey.FromOrigin(LedgerSource.Slash, "1234567890").Value);
        Assert.Equal("mcp:req-7.a_b", LedgerKey.FromOrigin(LedgerSource.Mcp, "req-7.a_b").Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("quote\"")]
    [InlineData("brace{")]
    [InlineData("dollar$")]
    [InlineData("naïve")]
    public void Keys_outside_the_safe_alphabet_are_rejected(string value)
    {
        Assert.False(LedgerKey.TryParse(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Overlong_keys_are_rejected()
    {
        Assert.False(LedgerKey.TryParse(new string('a', LedgerKey.MaxLength + 1), out _, out var error));
        Assert.Contains("at most", error, StringComparison.Ordinal);
    }
}
