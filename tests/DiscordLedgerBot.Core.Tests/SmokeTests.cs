namespace DiscordLedgerBot.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void Test_project_loads() => Assert.True(true);
}
