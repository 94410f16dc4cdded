using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Registry;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Bot.Tests.Registry;

public sealed class OutboxDecisionRecorderTests
{
    private readonly EmbeddedStorage _store = EmbeddedStorage.CreateInMemory(new FakeTimeProvider(TestTime.Start));
    private readonly OutboxDecisionRecorder _recorder;

    public OutboxDecisionRecorderTests() =>
        _recorder = new OutboxDecisionRecorder(
            new LedgerIngestion(_store, NullLogger<LedgerIngestion>.Instance),
            Options.Create(new RegistryOptions { AuditLedgerKey = "registry-audit" }));

    [Fact]
    public async Task Selection_rationale_becomes_a_durable_comment_on_the_workflow_item()
    {
        await _recorder.RecordAsync("slash:42", "Selected cursor: healthy, 120 ms; skipped zed-mcp: critical", "select:slash:42:1", CancellationToken.None);

        var record = await _store.GetAsync("select:slash:42:1");
        Assert.NotNull(record);
        Assert.Equal(OutboxState.Pending, record.State);
        var comment = Assert.IsType<CommentOnLedgerEntry>(OutboxCommandCodec.Deserialize(record.CommandKind, record.PayloadJson));
        Assert.Equal(LedgerKey.Parse("slash:42"), comment.Key);
        Assert.Contains("skipped zed-mcp: critical", comment.Body, StringComparison.Ordinal);
        Assert.Equal(1, (await _store.CountAsync()).Total);
    }

    [Fact]
    public async Task Audit_entries_are_created_once_before_their_first_comment()
    {
        await _recorder.RecordAsync("registry-audit", "override set on cursor by alice", "override:1", CancellationToken.None);
        await _recorder.RecordAsync("registry-audit", "override cleared on cursor by alice", "override:2", CancellationToken.None);

        var pending = await _store.ListAsync(OutboxState.Pending, 10);
        Assert.Equal(["registry-audit:create", "override:1", "override:2"], pending.Select(r => r.IdempotencyKey));
        Assert.IsType<CreateLedgerEntry>(OutboxCommandCodec.Deserialize(pending[0].CommandKind, pending[0].PayloadJson));
    }

    [Fact]
    public async Task A_ledger_key_that_is_not_valid_is_refused_and_nothing_is_recorded()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _recorder.RecordAsync("not a key!", "body", "k1", CancellationToken.None));
        Assert.Equal(0, (await _store.CountAsync()).Total);
    }
}
