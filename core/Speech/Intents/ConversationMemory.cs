using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Speech.Intents;

/// <summary>
/// What each speaker last talked about in each channel, so "move it to blocked" after "status of the API task" knows
/// which item "it" is. Per speaker and channel (two people in one channel each have their own "it"); forgotten after
/// <see cref="Lifetime"/> so an old reference never silently hits the wrong item.
/// </summary>
public sealed class ConversationMemory(TimeProvider time, TimeSpan lifetime)
{
    private readonly ConcurrentDictionary<(string Channel, string Speaker), (IReadOnlyList<LedgerKey> Keys, DateTimeOffset At)> _recent = new();

    public TimeSpan Lifetime { get; } = lifetime > TimeSpan.Zero ? lifetime : throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "The memory lifetime must be positive.");

    /// <summary>Remembers the item(s) just referred to (one after a write or a status read; several after "what is blocked").</summary>
    public void Remember(string channelId, string speakerId, IReadOnlyList<LedgerKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > 0)
        {
            _recent[(channelId, speakerId)] = (keys, time.GetUtcNow());
        }
    }

    /// <summary>The items the speaker last referred to in the channel, or none when they said nothing recently.</summary>
    public IReadOnlyList<LedgerKey> Recall(string channelId, string speakerId)
    {
        if (!_recent.TryGetValue((channelId, speakerId), out var recent))
        {
            return [];
        }

        if (time.GetUtcNow() - recent.At > Lifetime)
        {
            _recent.TryRemove(new KeyValuePair<(string, string), (IReadOnlyList<LedgerKey>, DateTimeOffset)>((channelId, speakerId), recent));
            return [];
        }

        return recent.Keys;
    }
}
