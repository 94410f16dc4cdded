using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Slices.Ledger;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>Who said what, where: the part of an utterance every later step needs (never its audio).</summary>
public sealed record SpeechOrigin(string UtteranceId, string GuildId, string ChannelId, string SpeakerId, UtteranceOrigin Kind, string Transcript)
{
    public static SpeechOrigin Of(SpokenUtterance utterance, string transcript)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        return new(utterance.UtteranceId, utterance.GuildId, utterance.ChannelId, utterance.SpeakerId, utterance.Origin, transcript);
    }

    /// <summary>The idempotency key of every command the request records: the utterance id, as for interactions.</summary>
    public string IdempotencyKey => "utterance:" + UtteranceId;
}

/// <summary>A write waiting for its speaker's yes or no (button or spoken); lapses unconfirmed, changing nothing.</summary>
public sealed record PendingWrite(
    string Token,
    SpeechOrigin Origin,
    string Summary,
    IReadOnlyList<LedgerCommand> Commands,
    OwnerNotice Notice,
    LedgerEntry? Optimistic,
    DateTimeOffset ExpiresAt)
{
    public string? PromptChannelId { get; set; }

    public string? PromptMessageId { get; set; }

    /// <summary>For an escalation: the reason the escalation engine records (it writes the board itself).</summary>
    public string? EscalationReason { get; init; }

    public LedgerEntry? EscalationEntry { get; init; }
}

/// <summary>A request whose item was ambiguous, waiting for the speaker to pick one of the offered items.</summary>
public sealed record PendingPick(string Token, SpeechOrigin Origin, SpeechIntent Intent, IReadOnlyList<LedgerKey> Candidates, DateTimeOffset ExpiresAt);

/// <summary>
/// The in-flight state of spoken requests: writes awaiting confirmation, ambiguous references awaiting a pick, and
/// push-to-talk windows. In memory on purpose: a confirmation outliving a restart would confirm something nobody
/// remembers saying, and nothing of a request is kept once it is answered.
/// </summary>
public sealed class SpeechRequests(TimeProvider time, IOptionsMonitor<SpeechOptions> options)
{
    private readonly ConcurrentDictionary<string, PendingWrite> _writes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingPick> _picks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Channel, string Speaker), string> _latestWrite = new();
    private readonly ConcurrentDictionary<(string Channel, string Speaker), DateTimeOffset> _listening = new();

    public DateTimeOffset Deadline => time.GetUtcNow() + options.CurrentValue.ConfirmationWindow;

    public void Add(PendingWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        _writes[write.Token] = write;
        _latestWrite[(write.Origin.ChannelId, write.Origin.SpeakerId)] = write.Token;
    }

    public void Add(PendingPick pick)
    {
        ArgumentNullException.ThrowIfNull(pick);
        _picks[pick.Token] = pick;
    }

    /// <summary>The write behind a button, taken so only one click (or one spoken answer) settles it; null once lapsed or settled.</summary>
    public PendingWrite? TakeWrite(string token)
    {
        if (!_writes.TryRemove(token, out var write))
        {
            return null;
        }

        _latestWrite.TryRemove(new KeyValuePair<(string, string), string>((write.Origin.ChannelId, write.Origin.SpeakerId), token));
        return write.ExpiresAt >= time.GetUtcNow() ? write : null;
    }

    public PendingWrite? PeekWrite(string token) => _writes.GetValueOrDefault(token);

    /// <summary>The speaker's latest unsettled write in the channel, for a spoken "yes" / "no".</summary>
    public PendingWrite? TakeLatestWrite(string channelId, string speakerId) =>
        _latestWrite.TryGetValue((channelId, speakerId), out var token) ? TakeWrite(token) : null;

    public PendingPick? TakePick(string token)
    {
        if (!_picks.TryRemove(token, out var pick))
        {
            return null;
        }

        return pick.ExpiresAt >= time.GetUtcNow() ? pick : null;
    }

    public PendingPick? PeekPick(string token) => _picks.GetValueOrDefault(token);

    /// <summary>Push-to-talk: the speaker's utterances in the channel are requests without the wake phrase until the window ends.</summary>
    public DateTimeOffset Listen(string channelId, string speakerId)
    {
        var until = time.GetUtcNow() + options.CurrentValue.ListenWindow;
        _listening[(channelId, speakerId)] = until;
        return until;
    }

    public void StopListening(string channelId, string speakerId) => _listening.TryRemove((channelId, speakerId), out _);

    public bool IsListening(string channelId, string speakerId) =>
        _listening.TryGetValue((channelId, speakerId), out var until) && until >= time.GetUtcNow();

    /// <summary>Drops what lapsed, so an abandoned prompt's commands do not stay in memory.</summary>
    public void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (token, write) in _writes)
        {
            if (write.ExpiresAt < now)
            {
                TakeWrite(token);
            }
        }

        foreach (var (token, pick) in _picks)
        {
            if (pick.ExpiresAt < now)
            {
                _picks.TryRemove(token, out _);
            }
        }
    }
}
