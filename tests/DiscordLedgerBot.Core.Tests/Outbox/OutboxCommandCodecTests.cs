using System.Diagnostics;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;

namespace DiscordLedgerBot.Core.Tests.Outbox;

public sealed class OutboxCommandCodecTests
{
    private static readonly LedgerKey Key = LedgerKey.Parse("voice:utt-42");

    public static TheoryData<LedgerCommand> EveryKind() => new()
    {
        new CreateLedgerEntry("voice:utt-42", Key, "Ship the release", LedgerSource.Voice) { Owner = "ana", DueDate = new DateOnly(2026, 12, 1), DiscordChannelId = "123456789012345678" },
        new ChangeLedgerStatus("voice:utt-43", Key, LedgerStatus.InProgress, LedgerStatus.Blocked) { MondayItemId = "987" },
        new UpdateLedgerDetails("voice:utt-44", Key) { Title = "Ship it", ClearOwner = true, DueDate = new DateOnly(2027, 1, 2) },
        new CommentOnLedgerEntry("voice:utt-45", Key, "Blocked on \"review\" — ünïcode ✓"),
        new AddLedgerFollowUp("voice:utt-46", Key, "Write the notes"),
        new EscalateLedgerEntry("voice:utt-47", Key, 2, ["first reminder", "second reminder"]),
        new ArchiveLedgerEntry("voice:utt-48", Key),
        new MoveLedgerEntry("voice:utt-49", Key, LedgerGroup.Escalated),
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void A_recorded_trace_context_rides_along_without_changing_the_command(LedgerCommand command)
    {
        var origin = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var payload = OutboxCommandCodec.Serialize(command);

        var traced = OutboxCommandCodec.WithOrigin(payload, origin);

        Assert.NotEqual(payload, traced);
        Assert.Equal(origin, OutboxCommandCodec.OriginOf(traced));
        Assert.Equal(payload, OutboxCommandCodec.WithoutOrigin(traced));
        Assert.Equal(payload, OutboxCommandCodec.Serialize(OutboxCommandCodec.Deserialize(command.Operation, traced)));
        Assert.Null(OutboxCommandCodec.OriginOf(payload));
        Assert.Equal(payload, OutboxCommandCodec.WithOrigin(payload, default));
        Assert.Equal(traced, OutboxCommandCodec.WithOrigin(traced, origin));
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void EveryCommandSurvivesTheRoundTripThroughItsPayload(LedgerCommand command)
    {
        var payload = OutboxCommandCodec.Serialize(command);

        var back = OutboxCommandCodec.Deserialize(command.Operation, payload);

        Assert.Equal(command.GetType(), back.GetType());
        Assert.Equal(OutboxCommandCodec.Serialize(back), payload);
        Assert.DoesNotContain("operation", payload, StringComparison.Ordinal);
        if (command is EscalateLedgerEntry escalate)
        {
            Assert.Equal(escalate.Trail, ((EscalateLedgerEntry)back).Trail);
        }
        else
        {
            Assert.Equal(command, back);
        }
    }

    [Fact]
    public void EveryConcreteLedgerCommandHasAKind()
    {
        var concrete = typeof(LedgerCommand).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LedgerCommand)) && !t.IsAbstract)
            .ToList();

        Assert.Equal(concrete.Count, OutboxCommandCodec.Kinds.Count);
        Assert.Equal(concrete.Count, ((IEnumerable<object[]>)EveryKind()).Count());
    }

    [Theory]
    [InlineData("teleport", "{}", "Unknown command kind 'teleport'")]
    [InlineData("create", "{\"title\":\"x\"}", "cannot be read")]
    [InlineData("create", "{\"idempotencyKey\":\"k\",\"key\":\"bad key!\",\"title\":\"x\",\"source\":\"cli\"}", "cannot be read")]
    [InlineData("status", "null", "is JSON null")]
    public void PayloadsThatDoNotFitTheirKindAreRefused(string kind, string payload, string expected)
    {
        var problem = Assert.Throws<OutboxPayloadException>(() => OutboxCommandCodec.Deserialize(kind, payload));

        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }
}
