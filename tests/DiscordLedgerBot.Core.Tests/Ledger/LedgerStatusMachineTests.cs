using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Tests.Ledger;

public class LedgerStatusMachineTests
{
    [Theory]
    [InlineData(LedgerStatus.Requested, LedgerStatus.InProgress)]
    [InlineData(LedgerStatus.InProgress, LedgerStatus.Blocked)]
    [InlineData(LedgerStatus.Blocked, LedgerStatus.InProgress)]
    [InlineData(LedgerStatus.InProgress, LedgerStatus.Done)]
    [InlineData(LedgerStatus.Blocked, LedgerStatus.Done)]
    [InlineData(LedgerStatus.Done, LedgerStatus.Requested)]
    public void Legal_transitions_are_allowed(LedgerStatus from, LedgerStatus to)
    {
        Assert.True(LedgerStatusMachine.IsAllowed(from, to));
        Assert.Null(LedgerStatusMachine.RejectionReason(from, to));
    }

    [Theory]
    [InlineData(LedgerStatus.Requested, LedgerStatus.Done)]
    [InlineData(LedgerStatus.Requested, LedgerStatus.Blocked)]
    [InlineData(LedgerStatus.Done, LedgerStatus.InProgress)]
    [InlineData(LedgerStatus.Done, LedgerStatus.Blocked)]
    [InlineData(LedgerStatus.Blocked, LedgerStatus.Requested)]
    [InlineData(LedgerStatus.InProgress, LedgerStatus.Requested)]
    [InlineData(LedgerStatus.Done, LedgerStatus.Done)]
    public void Illegal_transitions_are_rejected_naming_both_states(LedgerStatus from, LedgerStatus to)
    {
        Assert.False(LedgerStatusMachine.IsAllowed(from, to));
        var reason = LedgerStatusMachine.RejectionReason(from, to);
        Assert.NotNull(reason);
        Assert.Contains(from.ToWireName(), reason, StringComparison.Ordinal);
        Assert.Contains(to.ToWireName(), reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_status_is_reachable_and_leavable()
    {
        foreach (var status in Enum.GetValues<LedgerStatus>())
        {
            Assert.Contains(LedgerStatusMachine.Transitions, t => t.From == status);
            Assert.Contains(LedgerStatusMachine.Transitions, t => t.To == status);
        }
    }

    [Theory]
    [InlineData("in_progress", LedgerStatus.InProgress)]
    [InlineData("In-Progress", LedgerStatus.InProgress)]
    [InlineData("DONE", LedgerStatus.Done)]
    public void Status_names_parse(string text, LedgerStatus expected)
    {
        Assert.True(LedgerStatusNames.TryParse(text, out var parsed));
        Assert.Equal(expected, parsed);
    }
}
