using DiscordLedgerBot.Discord.Rest;

namespace DiscordLedgerBot.Discord.Tests.Rest;

public sealed class SerialQueuesTests
{
    [Fact]
    public async Task Callers_of_one_key_go_in_order_and_the_lane_is_gone_once_the_last_finishes()
    {
        var queues = new SerialQueues();
        var first = await queues.EnterAsync("POST /channels/{channel_id}/messages|channel:1", CancellationToken.None);
        var second = queues.EnterAsync("POST /channels/{channel_id}/messages|channel:1", CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(1, queues.Count);

        first.Dispose();
        var secondTurn = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, queues.Count);

        secondTurn.Dispose();
        Assert.Equal(0, queues.Count);
    }

    [Fact]
    public async Task One_use_keys_such_as_interaction_callbacks_do_not_accumulate()
    {
        var queues = new SerialQueues();
        for (var i = 0; i < 1_000; i++)
        {
            using var turn = await queues.EnterAsync($"POST /interactions/{{interaction_id}}/{{interaction_token}}/callback|interaction:{i}", CancellationToken.None);
        }

        Assert.Equal(0, queues.Count);
    }

    [Fact]
    public async Task A_caller_that_gives_up_waiting_keeps_the_order_and_the_lane_still_empties()
    {
        var queues = new SerialQueues();
        var first = await queues.EnterAsync("k", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var abandoned = queues.EnterAsync("k", cancel.Token).AsTask();
        var third = queues.EnterAsync("k", CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.False(third.IsCompleted);

        first.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, queues.Count);
    }
}
