using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Sandbox.Replay;

/// <summary>
/// A golden scenario: what people and the world do to the bot, step by step. Replayed against each runtime, the
/// outcomes are compared (<see cref="ParityComparer"/>). The file format is documented in docs/operations/replay.md.
/// </summary>
/// <param name="Settings">Configuration the scenario needs on every runtime (e.g. an escalation policy), as <c>--Key=value</c>.</param>
public sealed record ReplayScenario(string Name, string Description, string Path, IReadOnlyList<ReplayStep> Steps, IReadOnlyList<string> Settings)
{
    /// <summary>Reads every <c>*.json</c> scenario under the given files or directories, sorted by path.</summary>
    public static IReadOnlyList<ReplayScenario> Load(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.json", SearchOption.TopDirectoryOnly));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new ReplayScenarioException(path, "no such file or directory");
            }
        }

        if (files.Count == 0)
        {
            throw new ReplayScenarioException(string.Join(", ", paths), "no *.json scenario files");
        }

        return [.. files.Order(StringComparer.Ordinal).Select(LoadFile)];
    }

    private static ReplayScenario LoadFile(string path)
    {
        JsonObject document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ReplayScenarioException(path, "the file is not a JSON object");
        }
        catch (JsonException invalid)
        {
            throw new ReplayScenarioException(path, $"invalid JSON: {invalid.Message}");
        }

        var name = document["name"]?.GetValue<string>() ?? System.IO.Path.GetFileNameWithoutExtension(path);
        var description = document["description"]?.GetValue<string>() ?? string.Empty;
        if (document["steps"] is not JsonArray { Count: > 0 } steps)
        {
            throw new ReplayScenarioException(path, "'steps' must be a non-empty array");
        }

        var settings = document["settings"] switch
        {
            null => [],
            JsonArray array when array.All(s => s?.GetValueKind() == JsonValueKind.String && s.GetValue<string>().StartsWith("--", StringComparison.Ordinal) && s.GetValue<string>().Contains('=', StringComparison.Ordinal))
                => array.Select(s => s!.GetValue<string>()).ToList(),
            _ => throw new ReplayScenarioException(path, "'settings' must be an array of \"--Section:Key=value\" strings"),
        };
        return new ReplayScenario(name, description, path, [.. steps.Select((step, index) => ReplayStep.Parse(path, index, step))], settings);
    }
}

/// <summary>One step; exactly one of the kinds is set. <see cref="As"/> names the emulated guild's user who acts.</summary>
public sealed record ReplayStep(int Index, string Kind, JsonObject Spec)
{
    public static readonly string[] Kinds = ["slash", "press", "boardEdit", "health", "advance"];

    public string As => Spec["as"]?.GetValue<string>() ?? "member";

    /// <summary>Text the reply (or the press's answer) must contain; a miss fails the scenario on that runtime.</summary>
    public string? Expect => Spec["expect"]?.GetValue<string>();

    public TimeSpan AdvanceBy => TimeSpan.Parse(Spec["advance"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    public override string ToString() => $"step {Index + 1} ({Kind})";

    internal static ReplayStep Parse(string path, int index, JsonNode? node)
    {
        if (node is not JsonObject spec)
        {
            throw new ReplayScenarioException(path, $"step {index + 1} is not an object");
        }

        var kinds = Kinds.Where(spec.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            throw new ReplayScenarioException(path, $"step {index + 1} must have exactly one of {string.Join(", ", Kinds)}; it has {(kinds.Count == 0 ? "none" : string.Join(", ", kinds))}");
        }

        var step = new ReplayStep(index, kinds[0], spec);
        if (step.As is not ("member" or "moderator" or "owner"))
        {
            throw new ReplayScenarioException(path, $"step {index + 1}: 'as' must be member, moderator or owner, not '{step.As}'");
        }

        if (step.Kind == "advance" && !TimeSpan.TryParse(spec["advance"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var by) | by <= TimeSpan.Zero)
        {
            throw new ReplayScenarioException(path, $"step {index + 1}: 'advance' must be a positive time span like \"01:30:00\" or \"2.00:00:00\"");
        }

        if (step.Kind == "slash" && spec["slash"]?.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries) is not { Length: 2 })
        {
            throw new ReplayScenarioException(path, $"step {index + 1}: 'slash' must be \"command subcommand\", e.g. \"ledger create\"");
        }

        return step;
    }
}

public sealed class ReplayScenarioException(string path, string problem) : Exception($"{path}: {problem}");
