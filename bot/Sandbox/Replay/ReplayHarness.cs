namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>Replays every scenario on every runtime and compares each runtime with the first.</summary>
public static class ReplayHarness
{
    public static async Task<IReadOnlyList<ScenarioParity>> RunAsync(
        IReadOnlyList<ReplayScenario> scenarios,
        IReadOnlyList<ReplayRuntime> runtimes,
        Func<ReplayScenario, ReplayRuntime, Task>? beforeEachRun,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        ArgumentNullException.ThrowIfNull(runtimes);
        if (runtimes.Count < 2)
        {
            throw new ArgumentException("Parity needs at least two runtimes.", nameof(runtimes));
        }

        var results = new List<ScenarioParity>();
        foreach (var scenario in scenarios)
        {
            var outcomes = new List<ReplayOutcome>();
            foreach (var runtime in runtimes)
            {
                if (beforeEachRun is not null)
                {
                    await beforeEachRun(scenario, runtime);
                }

                outcomes.Add(await ReplayRunner.RunAsync(scenario, runtime, cancellationToken));
            }

            var differences = outcomes.Skip(1).ToDictionary(o => o.Runtime, o => ParityComparer.Compare(outcomes[0], o), StringComparer.Ordinal);
            results.Add(new ScenarioParity(scenario.Name, scenario.Path, outcomes, differences));
        }

        return results;
    }
}
