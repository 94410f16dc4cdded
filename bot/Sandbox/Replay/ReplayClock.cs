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
    // One minute at a time: Quartz skips a trigger that misfired by more than its threshold (a minute) instead of firing
    // it, so bigger steps would starve every job scheduled at a minute or less.
    private static readonly TimeSpan JumpStep = TimeSpan.FromMinutes(1);

    // Real time for the work each step released (a job run, an outbox flush) before the next step.
    private static readonly TimeSpan StepPause = TimeSpan.FromMilliseconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    public ReplayClock()
        : base(TimeProvider.System.GetUtcNow()) => _following = FollowRealTimeAsync(_stop.Token);

    private int _inFlight;

    public async Task JumpAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        for (var left = by; left > TimeSpan.Zero; left -= JumpStep)
        {
            // Never jump while an HTTP call is in flight: its timeout runs on this clock and would expire in a blink.
            var waited = TimeProvider.System.GetTimestamp();
            while (Volatile.Read(ref _inFlight) > 0 && TimeProvider.System.GetElapsedTime(waited) < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken);
            }

            Advance(left < JumpStep ? left : JumpStep);
            await Task.Delay(StepPause, TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>Every HttpClient of the replayed host passes through this, so <see cref="JumpAsync"/> sees calls in flight.</summary>
    public DelegatingHandler HoldWhileInFlight() => new InFlightCounter(this);

    private sealed class InFlightCounter(ReplayClock clock) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref clock._inFlight);
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref clock._inFlight);
            }
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
