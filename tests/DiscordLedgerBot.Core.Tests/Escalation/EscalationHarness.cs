using System.Collections.Concurrent;
using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Escalation;

/// <summary>
/// The escalation engine over a real store (memory, or the file store so a "restart" is a new engine over the same
/// data directory), a fake clock, a recording notifier and the event bus; board writes are read back from the outbox.
/// </summary>
internal sealed class EscalationHarness : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private EmbeddedStorage _store;

    private EscalationHarness(EscalationOptions options, string? dataDirectory)
    {
        Options = new MutableOptionsMonitor<EscalationOptions>(options);
        _dataDirectory = dataDirectory;
        _store = Open();
        Engine = NewEngine();
    }

    public FakeTimeProvider Time { get; } = new(TestTime.Start);

    public MutableOptionsMonitor<EscalationOptions> Options { get; }

    public EventBus Bus { get; } = new();

    public ConcurrentQueue<EscalationNotice> Notices { get; } = new();

    public EscalationEngine Engine { get; private set; }

    public IStorageBackend Store => _store;

    public static EscalationHarness InMemory(EscalationOptions options) => new(options, null);

    public static EscalationHarness OverFiles(EscalationOptions options) => new(options, Directory.CreateTempSubdirectory("dlb-escalation-").FullName);

    /// <summary>A second engine over the same store, as a second bot process sharing Redis would be.</summary>
    public EscalationEngine NewEngine() => new(
        _store,
        _store,
        new LedgerIngestion(_store, NullLogger<LedgerIngestion>.Instance),
        new RecordingNotifier(Notices),
        Bus,
        Options,
        Time,
        NullLogger<EscalationEngine>.Instance);

    /// <summary>Stops the "process" (engine and store) and starts a new one over the same data directory.</summary>
    public async Task RestartAsync()
    {
        Assert.NotNull(_dataDirectory);
        await _store.DisposeAsync();
        _store = Open();
        Engine = NewEngine();
    }

    public Task<EscalationPassResult> PassAsync(params LedgerEntry[] entries) => Engine.RunAsync(entries, CancellationToken.None);

    /// <summary>Board writes recorded so far, oldest first, decoded.</summary>
    public async Task<IReadOnlyList<LedgerCommand>> CommandsAsync() =>
        [.. (await _store.ListAsync(OutboxState.Pending, 10_000)).Select(r => OutboxCommandCodec.Deserialize(r.CommandKind, r.PayloadJson))];

    public async Task<IReadOnlyList<int>> LevelsWrittenAsync(string ledgerKey) =>
        [.. (await CommandsAsync()).OfType<EscalateLedgerEntry>().Where(c => c.Key.Value == ledgerKey).Select(c => c.Level)];

    public IReadOnlyList<EscalationNotice> FiredNotices(string ledgerKey) =>
        [.. Notices.Where(n => n.Kind == EscalationNoticeKind.Fired && n.Entry.Key.Value == ledgerKey)];

    public static LedgerEntry Item(string id, DateOnly? due = null, LedgerStatus status = LedgerStatus.InProgress, string? owner = "Ada") => new()
    {
        Key = LedgerKey.Parse("cli:" + id),
        MondayItemId = "900" + id,
        Title = "Item " + id,
        DueDate = due,
        Status = status,
        Owner = owner,
    };

    public static DateOnly Yesterday => DateOnly.FromDateTime(TestTime.Start.UtcDateTime).AddDays(-1);

    public static EscalationOptions Policy(Action<EscalationPolicyOptions> configure, string name = EscalationOptions.DefaultPolicyName, params TimeSpan[] delays)
    {
        var options = new EscalationOptions();
        var policy = new EscalationPolicyOptions { Urgency = EscalationUrgency.High, DailyReminder = false };
        foreach (var delay in delays.Length == 0 ? [TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(2)] : delays)
        {
            policy.Levels.Add(EscalationLevelOptions.Of(delay, EscalationTarget.Owner));
        }

        configure(policy);
        options.Policies[name] = policy;
        if (name != EscalationOptions.DefaultPolicyName)
        {
            options.ManualPolicy = name;
            options.Policies[EscalationOptions.DefaultPolicyName] = new EscalationPolicyOptions { Enabled = false };
        }

        return options;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        if (_dataDirectory is not null)
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private EmbeddedStorage Open() => _dataDirectory is null ? EmbeddedStorage.CreateInMemory(Time) : EmbeddedStorage.OpenFile(_dataDirectory, Time);

    private sealed class RecordingNotifier(ConcurrentQueue<EscalationNotice> notices) : IEscalationNotifier
    {
        public Task NotifyAsync(EscalationNotice notice, CancellationToken cancellationToken)
        {
            notices.Enqueue(notice);
            return Task.CompletedTask;
        }
    }
}

/// <summary>An options monitor a test can change, as a reloaded configuration file would.</summary>
internal sealed class MutableOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
