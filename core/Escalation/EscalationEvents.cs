using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Escalation;

/// <summary>A level fired (published once per step, by the process that won the step's once-marker).</summary>
public sealed record EscalationFired(string EntryKey, string EpisodeId, string Policy, int Level, int Cycle, int Step, string Reason, string? Actor, DateTimeOffset At);

/// <summary>A person acknowledged a running escalation.</summary>
public sealed record EscalationAcknowledged(string EntryKey, string EpisodeId, string Policy, int Level, string Actor, string Source, DateTimeOffset At);

/// <summary>What a notice is for.</summary>
public enum EscalationNoticeKind
{
    Fired,
    Reminder,
}

/// <summary>Everything a surface needs to tell people about a firing or a reminder; it decides how (Discord embed, DM …).</summary>
public sealed record EscalationNotice(
    EscalationNoticeKind Kind,
    LedgerEntry Entry,
    EscalationEpisode Episode,
    int Level,
    IReadOnlyList<EscalationTarget> Targets,
    string Reason);

/// <summary>Posts escalation notices. The bot's is Discord; a process without a surface uses <see cref="NoEscalationNotifier"/>.</summary>
public interface IEscalationNotifier
{
    Task NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken);
}

/// <summary>For processes with no one to tell (the CLI): the board and its updates still record every firing.</summary>
public sealed class NoEscalationNotifier : IEscalationNotifier
{
    public Task NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
}
