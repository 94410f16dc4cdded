using Microsoft.Extensions.Time.Testing;
using Xunit.Sdk;

namespace DiscordLedgerBot.Testing;

/// <summary>
/// The one way tests wait for something another thread, process or timer brings about: poll its observable effect
/// with a real-time bound, or drive a <see cref="FakeTimeProvider"/> until a task finishes. Tests never sleep a fixed
/// time: a sleep is either too short under load (flaky) or too long when idle (slow).
/// </summary>
public static class Eventually
{
    /// <summary>Generous, because the machines running the suite are shared: it only bounds a failing test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // How long the code under test gets to react before the condition is checked again (or the fake clock moves).
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>Completes once <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, within);

    /// <inheritdoc cref="TrueAsync(Func{bool}, string, TimeSpan?)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = within ?? DefaultTimeout;
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new XunitException($"Still not the case after {limit}: {what}");
            }

            await Task.Delay(Poll, TimeProvider.System).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drives the fake clock: while <paramref name="task"/> runs, moves <paramref name="time"/> forward by
    /// <paramref name="step"/> and lets the code react, so backoffs, pacing and timeouts elapse without real waiting.
    /// Fails after <paramref name="virtualLimit"/> of fake time (default 2 h) or <see cref="DefaultTimeout"/> of real time.
    /// </summary>
    public static async Task<T> CompletesAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, TimeSpan? virtualLimit = null)
    {
        await CompletesAsync(time, (Task)task, step, virtualLimit).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <inheritdoc cref="CompletesAsync{T}(FakeTimeProvider, Task{T}, TimeSpan, TimeSpan?)"/>
    public static async Task CompletesAsync(FakeTimeProvider time, Task task, TimeSpan step, TimeSpan? virtualLimit = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var limit = virtualLimit ?? TimeSpan.FromHours(2);
        var started = TimeProvider.System.GetTimestamp();
        var moved = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            if (moved > limit || TimeProvider.System.GetElapsedTime(started) > DefaultTimeout)
            {
                throw new XunitException($"The task did not complete (fake time moved {moved}).");
            }

            time.Advance(step);
            moved += step;
            await Task.WhenAny(task, Task.Delay(Poll, TimeProvider.System)).ConfigureAwait(false);
        }

        await task.ConfigureAwait(false);
    }
}
