using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Core.Tests.Support;

internal static class Clock
{
    /// <summary>
    /// Drives <paramref name="time"/> forward in <paramref name="step"/>s whenever a timer is waiting, until
    /// <paramref name="task"/> completes. Guards with a generous real-time limit so a bug fails instead of hanging.
    /// </summary>
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, TimeSpan? virtualLimit = null)
    {
        var realDeadline = TimeProvider.System.GetUtcNow().AddSeconds(90);
        var moved = TimeSpan.Zero;
        var limit = virtualLimit ?? TimeSpan.FromHours(2);
        while (!task.IsCompleted)
        {
            if (TimeProvider.System.GetUtcNow() > realDeadline || moved > limit)
            {
                throw new TimeoutException($"Task did not complete (virtual time moved {moved}).");
            }

            if (time.ActiveTimerCount > 0)
            {
                time.Advance(step);
                moved += step;
            }

            await Task.Delay(1);
        }

        return await task;
    }
}
