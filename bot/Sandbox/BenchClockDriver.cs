using Microsoft.Extensions.Time.Testing;

namespace DiscordLedgerBot.Sandbox;

/// <summary>
/// Lets <c>bench</c> skip idle waits on Microsoft's <see cref="FakeTimeProvider"/>: time stands still while a request
/// is in flight and moves on in small steps while nothing is, so a 1,000,000-points/minute budget costs seconds of wall
/// time instead of ten minutes, while every component (client pacing, Polly waits, the emulator's windows) still sees
/// the minutes pass that it would in production. Attempt timeouts never fire early: they only run while in flight.
/// </summary>
internal static class BenchClockDriver
{
    /// <summary>Small against monday's one-minute windows, so a pacing wait overshoots by at most this much.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);

    public static async Task DriveAsync(FakeTimeProvider clock, Func<bool> isIdle, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Real time: gives the work the clock released a moment to run before the next step.
                await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (isIdle())
            {
                clock.Advance(Step);
            }
        }
    }
}
