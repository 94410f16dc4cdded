using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Tests.Outbox;

/// <summary>Memory store + fake ledger + the real ingestion, flusher, reconciler and worker on a fake clock.</summary>
internal sealed class OutboxHarness : IAsyncDisposable
{
    public OutboxHarness(OutboxOptions? options = null, ILedger? ledger = null)
    {
        Options = options ?? new OutboxOptions
        {
            BatchSize = 50,
            ClaimDuration = TimeSpan.FromMinutes(1),
            RetryBaseDelay = TimeSpan.FromSeconds(10),
            RetryMaxDelay = TimeSpan.FromMinutes(5),
            MaxAttempts = 4,
            FlushInterval = TimeSpan.FromSeconds(1),
            ReconcileInterval = TimeSpan.FromMinutes(1),
        };
        Store = EmbeddedStorage.CreateInMemory(Clock);
        Ledger = ledger ?? Fake;
        Events = new OutboxEventHub();
        Subscription = Events.Subscribe();
        var wrapped = Microsoft.Extensions.Options.Options.Create(Options);
        Ingestion = new LedgerIngestion(Store, NullLogger<LedgerIngestion>.Instance);
        Reconciler = new OutboxReconciler(Store, new PerKeyLedgerLookup(Ledger), Events, Clock, NullLogger<OutboxReconciler>.Instance);
        Flusher = new OutboxFlusher(Store, Ledger, Reconciler, Events, wrapped, Clock, NullLogger<OutboxFlusher>.Instance);
        Worker = new OutboxWorker(Flusher, Reconciler, Store, wrapped, Clock, NullLogger<OutboxWorker>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new();

    public OutboxOptions Options { get; }

    public EmbeddedStorage Store { get; }

    public FakeLedger Fake { get; } = new();

    public ILedger Ledger { get; }

    public OutboxEventHub Events { get; }

    public OutboxSubscription Subscription { get; }

    public LedgerIngestion Ingestion { get; }

    public OutboxReconciler Reconciler { get; }

    public OutboxFlusher Flusher { get; }

    public OutboxWorker Worker { get; }

    public static LedgerKey Key(string originId) => LedgerKey.FromOrigin(LedgerSource.Slash, originId);

    public static CreateLedgerEntry Create(string originId) => new($"slash:{originId}", Key(originId), $"Task {originId}", LedgerSource.Slash);

    public Task<LedgerRecorded> RecordAsync(LedgerCommand command) => Ingestion.RecordAsync(command, CancellationToken.None);

    public Task<OutboxFlushReport> FlushAsync() => Flusher.FlushOnceAsync(CancellationToken.None);

    public async Task<OutboxRecord> RecordOf(string idempotencyKey) =>
        await Store.GetAsync(idempotencyKey) ?? throw new InvalidOperationException($"No record {idempotencyKey}.");

    /// <summary>Outcomes published so far (without waiting).</summary>
    public List<OutboxOutcome> DrainEvents()
    {
        var outcomes = new List<OutboxOutcome>();
        while (Subscription.Reader.TryRead(out var outcome))
        {
            outcomes.Add(outcome);
        }

        return outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        Subscription.Dispose();
        await Store.DisposeAsync();
    }
}
