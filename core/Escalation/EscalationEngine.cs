using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Escalation;

/// <summary>What one pass did.</summary>
public sealed record EscalationPassResult(int Items, int Fired, int Reminded, int Resolved, int Archived, int Failed);

/// <summary>The outcome of an acknowledgement or an "escalate now"; <see cref="Rejection"/> says why nothing changed.</summary>
public sealed record EscalationActionResult(bool Succeeded, string Message, IReadOnlyList<EscalationEpisode> Episodes)
{
    public static EscalationActionResult Rejected(string reason) => new(false, reason, []);
}

/// <summary>
/// Applies the <see cref="EscalationEvaluator"/>'s decisions: every board write goes through the outbox under an
/// idempotency key made of item, episode and step (so a retry, a restarted process or a second process records it
/// once); the notice and the event are guarded by a once-marker in the dedupe store (atomic in the file and Redis
/// stores), and the item's state is saved after its effects are recorded, so a crash repeats nothing and skips nothing
/// on the board. The save is a compare-and-set against the state the decisions were made from: when another process
/// saved in between (its pass, or an acknowledgement handled there), this one re-reads and decides again instead of
/// overwriting it, so an acknowledgement is never lost to a concurrent pass.
/// </summary>
public sealed partial class EscalationEngine(
    ILedgerCache cache,
    IDedupeStore dedupe,
    LedgerIngestion ingestion,
    IEscalationNotifier notifier,
    IEventBus bus,
    IOptionsMonitor<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalationEngine> logger)
{
    public const string StateKeyPrefix = "escalation:";
    private static readonly TimeSpan MarkerLifetime = TimeSpan.FromDays(60);

    // Each lost compare-and-set means another process saved this item meanwhile; a handful covers any real contention.
    private const int SaveAttempts = 8;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    // One process applies one item's decisions at a time: the job's pass and a button click read-modify-write the same state.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static string StateKey(string ledgerKey) => StateKeyPrefix + ledgerKey;

    public async Task<EscalationItemState?> GetStateAsync(string ledgerKey, CancellationToken cancellationToken) =>
        (await ReadAsync(ledgerKey, cancellationToken).ConfigureAwait(false)).State;

    /// <summary>The state and the exact JSON it was read from: what the save compares against.</summary>
    private async Task<Stored> ReadAsync(string ledgerKey, CancellationToken cancellationToken) =>
        await cache.GetEntryAsync(StateKey(ledgerKey), cancellationToken).ConfigureAwait(false) is { } stored
            ? new Stored(JsonSerializer.Deserialize<EscalationItemState>(stored.EntryJson, Json), stored.EntryJson)
            : new Stored(null, null);

    /// <summary>Evaluates every entry once against the configured policies and applies what is due.</summary>
    public async Task<EscalationPassResult> RunAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var settings = options.CurrentValue;
        if (!settings.Enabled)
        {
            return new EscalationPassResult(0, 0, 0, 0, 0, 0);
        }

        var policies = settings.BuildPolicies();
        int fired = 0, reminded = 0, resolved = 0, archived = 0, failed = 0;
        foreach (var entry in entries)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Notices won in an attempt whose save lost are still announced: their board writes are recorded and
                // their once-markers taken, so no later attempt or process would announce them.
                var announcements = new List<Announcement>();
                for (var attempt = 1; ; attempt++)
                {
                    var previous = await ReadAsync(entry.Key.Value, cancellationToken).ConfigureAwait(false);
                    var evaluation = EscalationEvaluator.Evaluate(time.GetUtcNow(), entry, previous.State, policies, settings.Retention.ArchiveDoneAfter);
                    announcements.AddRange(await ApplyAsync(evaluation.Decisions, cancellationToken).ConfigureAwait(false));
                    if (evaluation.Archive is { } archive)
                    {
                        await RecordAsync(new ArchiveLedgerEntry($"retention:{entry.Key.Value}:{archive.DoneSince.ToUnixTimeSeconds()}", entry.Key) { MondayItemId = entry.MondayItemId }, cancellationToken).ConfigureAwait(false);
                    }

                    if (await SaveAsync(previous, evaluation.State, entry.MondayItemId, attempt, cancellationToken).ConfigureAwait(false))
                    {
                        if (evaluation.Archive is { } done)
                        {
                            LogArchived(logger, entry.Key.Value, done.DoneSince);
                            archived++;
                        }

                        fired += evaluation.Decisions.Count(d => d is FireEscalation);
                        reminded += evaluation.Decisions.Count(d => d is RemindEscalation);
                        resolved += evaluation.Decisions.Count(d => d is ResolveEscalation);
                        break;
                    }
                }

                await AnnounceAsync(announcements, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One item's failure (store outage, read-only mode) must not stop the others; its state was not saved, so the next pass retries it.
                LogItemFailed(logger, exception, entry.Key.Value);
                failed++;
            }
            finally
            {
                _gate.Release();
            }
        }

        return new EscalationPassResult(entries.Count, fired, reminded, resolved, archived, failed);
    }

    /// <summary>"Escalate now" for <paramref name="entry"/>: its running episode (or a new one) fires its next level at once.</summary>
    public async Task<EscalationActionResult> EscalateNowAsync(LedgerEntry entry, string actor, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var settings = options.CurrentValue;
        var manual = settings.BuildManualPolicy() ?? throw new InvalidOperationException($"Escalation:ManualPolicy names no policy ('{settings.ManualPolicy}').");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var announcements = new List<Announcement>();
            for (var attempt = 1; ; attempt++)
            {
                var previous = await ReadAsync(entry.Key.Value, cancellationToken).ConfigureAwait(false);
                var (evaluation, rejection) = EscalationEvaluator.EscalateNow(time.GetUtcNow(), entry, previous.State, manual, actor, reason);
                if (evaluation is null)
                {
                    await AnnounceAsync(announcements, cancellationToken).ConfigureAwait(false);
                    return EscalationActionResult.Rejected(rejection!);
                }

                announcements.AddRange(await ApplyAsync(evaluation.Decisions, cancellationToken).ConfigureAwait(false));
                if (await SaveAsync(previous, evaluation.State, entry.MondayItemId, attempt, cancellationToken).ConfigureAwait(false))
                {
                    await AnnounceAsync(announcements, cancellationToken).ConfigureAwait(false);
                    var fire = evaluation.Decisions.OfType<FireEscalation>().Single();
                    return new EscalationActionResult(true, $"escalated to level {fire.Step.Level + 1} ({fire.Episode.Id})", [fire.Episode]);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Acknowledges <paramref name="entry"/>'s running escalation (only <paramref name="episodeId"/> when given, as a
    /// notice's button does): no further level fires until the acknowledgement times out or the item is done. The
    /// acknowledgement is recorded on the board as an update under <paramref name="idempotencyKey"/>.
    /// </summary>
    public async Task<EscalationActionResult> AcknowledgeAsync(LedgerEntry entry, string? episodeId, string actor, string source, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var previous = await ReadAsync(entry.Key.Value, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                var (state, acknowledged, rejection) = EscalationEvaluator.Acknowledge(now, previous.State, episodeId, actor);
                if (state is null)
                {
                    return EscalationActionResult.Rejected(rejection!);
                }

                var what = string.Join(", ", acknowledged.Select(e => $"{e.Policy.Name} level {e.CurrentLevel}"));
                await RecordAsync(new CommentOnLedgerEntry(idempotencyKey, entry.Key, $"Escalation acknowledged by {actor} via {source} ({what}).") { MondayItemId = ItemIdOf(entry) }, cancellationToken).ConfigureAwait(false);
                if (await SaveAsync(previous, state, entry.MondayItemId, attempt, cancellationToken).ConfigureAwait(false))
                {
                    return Acknowledged(entry, actor, source, now, acknowledged, what);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private EscalationActionResult Acknowledged(LedgerEntry entry, string actor, string source, DateTimeOffset now, IReadOnlyList<EscalationEpisode> acknowledged, string what)
    {
        foreach (var episode in acknowledged)
        {
            bus.Publish(new EscalationAcknowledged(entry.Key.Value, episode.Id, episode.Policy.Name, episode.CurrentLevel, actor, source, now));
        }

        return new EscalationActionResult(true, $"escalation acknowledged ({what})", acknowledged);
    }

    /// <summary>
    /// Records each decision's board writes and wins (or loses) its once-marker; returns what to announce once the state
    /// is saved, so a person who reacts to a notice at once finds the episode it names.
    /// </summary>
    private async Task<List<Announcement>> ApplyAsync(IReadOnlyList<EscalationDecision> decisions, CancellationToken cancellationToken)
    {
        var announcements = new List<Announcement>();
        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case FireEscalation fire when await FireAsync(fire, cancellationToken).ConfigureAwait(false) is { } announcement:
                    announcements.Add(announcement);
                    break;
                case RemindEscalation remind:
                    var reminderKey = $"esc:{remind.Entry.Key.Value}:{remind.Episode.Id}:r{remind.Number}";
                    if (await dedupe.TryMarkAsync(reminderKey, MarkerLifetime, cancellationToken).ConfigureAwait(false))
                    {
                        announcements.Add(new Announcement(new EscalationNotice(EscalationNoticeKind.Reminder, remind.Entry, remind.Episode, remind.Episode.CurrentLevel, [EscalationTarget.Owner], $"still not done; acknowledged by {remind.Episode.AcknowledgedBy ?? "nobody"}"), null));
                    }

                    break;
                case ResolveEscalation resolve:
                    LogResolved(logger, resolve.Entry.Key.Value, resolve.Episode.Id, resolve.Reason);
                    break;
            }
        }

        return announcements;
    }

    private async Task AnnounceAsync(List<Announcement> announcements, CancellationToken cancellationToken)
    {
        foreach (var (notice, fired) in announcements)
        {
            if (fired is not null)
            {
                bus.Publish(fired);
            }

            await NotifyAsync(notice, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Announcement?> FireAsync(FireEscalation fire, CancellationToken cancellationToken)
    {
        var entry = fire.Entry;
        var episode = fire.Episode;
        var step = fire.Step;
        var level = step.Level + 1;
        var key = $"esc:{entry.Key.Value}:{episode.Id}:s{step.Step}";
        var repeat = step.Cycle == 0 ? string.Empty : $", repeat {step.Cycle}";
        var line = string.Create(CultureInfo.InvariantCulture, $"{step.At:yyyy-MM-dd HH:mm}Z level {level} ({episode.Policy.Name}{repeat}): {fire.Reason}");
        var itemId = ItemIdOf(entry);
        await RecordAsync(new EscalateLedgerEntry(key + ":level", entry.Key, level, Trail(entry.EscalationTrail, line)) { MondayItemId = itemId }, cancellationToken).ConfigureAwait(false);
        await RecordAsync(new CommentOnLedgerEntry(key + ":update", entry.Key, $"Escalation level {level} ({episode.Policy.Name}, episode {episode.Number}{repeat}): {fire.Reason}. Notified: {string.Join(", ", fire.Level.Targets)}.") { MondayItemId = itemId }, cancellationToken).ConfigureAwait(false);
        if (fire.Level.FollowUp)
        {
            await RecordAsync(new AddLedgerFollowUp(key + ":followup", entry.Key, $"Escalation level {level}: resolve \"{Shorten(entry.Title, 150)}\"") { MondayItemId = itemId }, cancellationToken).ConfigureAwait(false);
        }

        // The board writes above are idempotent by key; the notice and the event are not, so one process wins them.
        if (!await dedupe.TryMarkAsync(key + ":notice", MarkerLifetime, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        LogFired(logger, entry.Key.Value, episode.Id, level, step.Step, fire.Reason);
        return new Announcement(
            new EscalationNotice(EscalationNoticeKind.Fired, entry, episode, level, fire.Level.Targets, fire.Reason),
            new EscalationFired(entry.Key.Value, episode.Id, episode.Policy.Name, level, step.Cycle, step.Step, fire.Reason, step.Actor, step.At));
    }

    private async Task NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        try
        {
            await notifier.NotifyAsync(notice, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The board already records the firing; a Discord outage loses the ping, not the escalation.
            LogNoticeFailed(logger, exception, notice.Entry.Key.Value, notice.Episode.Id);
        }
    }

    private async Task RecordAsync(LedgerCommand command, CancellationToken cancellationToken)
    {
        try
        {
            await ingestion.RecordAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (OutboxIdempotencyConflictException)
        {
            // Another process (or this one before a crash) recorded this step first, with its own clock in the text: that record stands.
        }
    }

    /// <summary>
    /// Saves <paramref name="state"/> if the stored state is still <paramref name="previous"/>. False when another process
    /// saved in between (the caller decides again from what it saved); after <see cref="SaveAttempts"/> such losses the
    /// item fails for this pass rather than spin.
    /// </summary>
    private async Task<bool> SaveAsync(Stored previous, EscalationItemState state, string? mondayItemId, int attempt, CancellationToken cancellationToken)
    {
        var key = StateKey(state.LedgerKey);
        var json = state.IsEmpty ? null : JsonSerializer.Serialize(state, Json);
        if (json == previous.Json)
        {
            return true;
        }

        var replacement = json is null ? null : new LedgerCacheEntry(key, json, string.IsNullOrEmpty(mondayItemId) ? null : mondayItemId, time.GetUtcNow());
        if (await cache.CompareAndSetEntryAsync(key, previous.Json, replacement, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        LogSaveLost(logger, state.LedgerKey, attempt);
        return attempt < SaveAttempts
            ? false
            : throw new InvalidOperationException($"The escalation state of {state.LedgerKey} changed under every one of {SaveAttempts} attempts to save it.");
    }

    /// <summary>The board's trail plus this episode's line; the column has a size cap, so the oldest lines give way (each step is also an update).</summary>
    private static List<string> Trail(IReadOnlyList<string> board, string line)
    {
        var trail = board.ToList();
        trail.Add(line);
        while (trail.Sum(l => l.Length + 1) > LedgerCommandValidator.MaxEscalationTrailLength && trail.Count > 1)
        {
            trail.RemoveAt(0);
        }

        return trail;
    }

    private static string? ItemIdOf(LedgerEntry entry) => string.IsNullOrEmpty(entry.MondayItemId) ? null : entry.MondayItemId;

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private sealed record Announcement(EscalationNotice Notice, EscalationFired? Fired);

    private sealed record Stored(EscalationItemState? State, string? Json);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Escalation {EpisodeId} of {LedgerKey} fired level {Level} (step {Step}): {Reason}")]
    private static partial void LogFired(ILogger logger, string ledgerKey, string episodeId, int level, int step, string reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Escalation {EpisodeId} of {LedgerKey} resolved: {Reason}")]
    private static partial void LogResolved(ILogger logger, string ledgerKey, string episodeId, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Escalation pass failed for {LedgerKey}; it is retried on the next pass")]
    private static partial void LogItemFailed(ILogger logger, Exception exception, string ledgerKey);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Could not post the escalation notice of {EpisodeId} for {LedgerKey}; the board records the firing")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, string ledgerKey, string episodeId);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Debug, Message = "Escalation state of {LedgerKey} changed in another process since it was read (attempt {Attempt}); deciding again")]
    private static partial void LogSaveLost(ILogger logger, string ledgerKey, int attempt);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "Retention: archiving {LedgerKey}, done since {DoneSince:O}")]
    private static partial void LogArchived(ILogger logger, string ledgerKey, DateTimeOffset doneSince);
}
