using System.Text.Json;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Storage;

namespace DiscordLedgerBot.Slices.Ledger;

/// <summary>One confirmed change of an item whose card lives in a digest-mode channel.</summary>
/// <param name="Status">The item's status after the change.</param>
public sealed record DigestChange(string LedgerKey, string Title, string Change, LedgerStatus? Status, DateTimeOffset At);

/// <summary>
/// The changes a digest-mode channel has not yet seen in a digest, per channel, in the store's ledger cache (file or
/// Redis), so a restart between two digests loses nothing. Appended by <see cref="CardResponder"/> as monday confirms;
/// read and then dropped by <see cref="OverdueNoticeJob"/> once the digest is posted.
/// </summary>
public sealed class DigestLog(ILedgerCache store, TimeProvider time) : IDisposable
{
    /// <summary>A busy channel keeps its latest changes; a digest is one message, not a transcript.</summary>
    public const int MaxChangesPerChannel = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task AppendAsync(string channelId, DigestChange change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var changes = await ReadAsync(channelId, cancellationToken);
            changes.Add(change);
            if (changes.Count > MaxChangesPerChannel)
            {
                changes.RemoveRange(0, changes.Count - MaxChangesPerChannel);
            }

            await WriteAsync(channelId, changes, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<DigestChange>> PeekAsync(string channelId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ReadAsync(channelId, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops the first <paramref name="count"/> changes (those a posted digest showed); later ones stay for the next.</summary>
    public async Task DropAsync(string channelId, int count, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var changes = await ReadAsync(channelId, cancellationToken);
            changes.RemoveRange(0, Math.Min(count, changes.Count));
            if (changes.Count == 0)
            {
                await store.RemoveEntryAsync(Key(channelId), cancellationToken);
            }
            else
            {
                await WriteAsync(channelId, changes, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<List<DigestChange>> ReadAsync(string channelId, CancellationToken cancellationToken) =>
        await store.GetEntryAsync(Key(channelId), cancellationToken) is { } entry
            ? JsonSerializer.Deserialize<List<DigestChange>>(entry.EntryJson) ?? []
            : [];

    private Task WriteAsync(string channelId, List<DigestChange> changes, CancellationToken cancellationToken) =>
        store.SetEntryAsync(new LedgerCacheEntry(Key(channelId), JsonSerializer.Serialize(changes), null, time.GetUtcNow()), cancellationToken);

    private static string Key(string channelId) => "surface:digest-log:" + channelId;
}
