using DiscordLedgerBot.Emulators.Monday;

namespace DiscordLedgerBot.Emulators.Tests.Monday;

public sealed class MondayEmulatorOptionsTests
{
    [Fact]
    public async Task Invalid_options_are_rejected_with_the_setting_name()
    {
        var options = new MondayEmulatorOptions();
        options.RateLimits.RateLimitHttpStatus = 503;
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MondayEmulator.StartAsync(options));
        Assert.Contains("MondayEmulator:RateLimits:RateLimitHttpStatus", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => MondayEmulator.StartAsync(new MondayEmulatorOptions { Port = 70000 }));
    }

    [Fact]
    public void Faults_reject_unsupported_settings()
    {
        var faults = new MondayEmulatorFaults();
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.FailNext(1, 418));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.SetRandomFailureRatio(1.5, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => faults.HangNext(0));
        faults.DropConnectionNext(2);
        Assert.Equal(2, faults.PendingCount);
        faults.Clear();
        Assert.Equal(0, faults.PendingCount);
    }

    [Fact]
    public void Api_versions_resolve_like_monday()
    {
        Assert.Equal("2026-10", MondayApiVersions.Resolve(null)!.Value);
        Assert.Null(MondayApiVersions.Resolve("2023"));
        Assert.Null(MondayApiVersions.Resolve("2026-13"));
        Assert.Equal("current", MondayApiVersions.Resolve("2026-10")!.Kind);
        Assert.Equal("release_candidate", MondayApiVersions.Resolve("2027-01")!.Kind);
        Assert.Equal("2026-07", MondayApiVersions.Resolve("2025-01")!.Value);
    }
}
