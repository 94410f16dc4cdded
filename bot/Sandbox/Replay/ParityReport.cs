using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>The parity report: <c>parity.json</c> (every outcome and difference) and <c>parity.md</c> (for people).</summary>
public static class ParityReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task WriteAsync(string directory, IReadOnlyList<ScenarioParity> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "parity.json"), JsonSerializer.Serialize(results, Json), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "parity.md"), Markdown(results), cancellationToken);
    }

    public static string Markdown(IReadOnlyList<ScenarioParity> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var runtimes = results.SelectMany(r => r.Outcomes.Select(o => o.Runtime)).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine("# Replay parity report").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Runtimes: {string.Join(", ", runtimes)} (the first is the reference). Scenarios: {results.Count}. "
            + $"With differences: {results.Count(r => r.HasDifferences)}. With failed expectations: {results.Count(r => r.HasFailures)}.").AppendLine();
        text.AppendLine("| Scenario | Board lines | Events | Messages | Differences | Failures |").AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var result in results)
        {
            var reference = result.Outcomes[0];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Scenario} | {reference.Board.Count} | {reference.Events.Count} | {reference.Messages.Count} | {result.Differences.Values.Sum(d => d.Count)} | {result.Outcomes.Sum(o => o.Failures.Count)} |");
        }

        foreach (var result in results.Where(r => r.HasDifferences || r.HasFailures))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {result.Scenario} ({result.Path})").AppendLine();
            foreach (var outcome in result.Outcomes.Where(o => o.Failures.Count > 0))
            {
                foreach (var failure in outcome.Failures)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"- failed on {outcome.Runtime}: {failure}");
                }
            }

            foreach (var (runtime, differences) in result.Differences)
            {
                foreach (var difference in differences)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"- {difference.Section} line {difference.Line}, {result.Outcomes[0].Runtime} vs {runtime}:")
                        .AppendLine(CultureInfo.InvariantCulture, $"  - `{difference.Expected ?? "(missing)"}`")
                        .AppendLine(CultureInfo.InvariantCulture, $"  - `{difference.Actual ?? "(missing)"}`");
                }
            }
        }

        return text.ToString();
    }
}
