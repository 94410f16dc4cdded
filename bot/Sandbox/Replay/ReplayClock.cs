using Microsoft.Extensions.Time.Testing;

namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>
/// The bot's clock during a replay: it follows real time (so timeouts, flush intervals and pacing behave as in
/// production) and jumps forward when a scenario says "advance", in steps small enough that every scheduled job and
/// timer gets its turn on the way, as it would over real hours.
/// </summary>
internal sealed class ReplayClock : FakeTimeProvider, IAsyncDisposable
{
    private static readonly TimeSpan FollowEvery = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan JumpStep = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    public ReplayClock()
        : base(TimeProvider.System.GetUtcNow()) => _following = FollowRealTimeAsync(_stop.Token);

    public async Task JumpAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        for (var left = by; left > TimeSpan.Zero; left -= JumpStep)
        {
            Advance(left < JumpStep ? left : JumpStep);
            // Real time for the work each minute released (a job run, an outbox flush) before the next minute.
            await Task.Delay(TimeSpan.FromMilliseconds(15), TimeProvider.System, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _following;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the replay.
        }

        _stop.Dispose();
    }

    private async Task FollowRealTimeAsync(CancellationToken cancellationToken)
    {
        var last = TimeProvider.System.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(FollowEvery, TimeProvider.System, cancellationToken);
            var now = TimeProvider.System.GetTimestamp();
            Advance(TimeProvider.System.GetElapsedTime(last, now));
            last = now;
        }
    }
}
