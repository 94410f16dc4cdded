namespace DiscordLedgerBot.Discord.Tests;

public class SmokeTests
{
    [Fact]
    public void Test_project_loads() => Assert.True(true);
}
