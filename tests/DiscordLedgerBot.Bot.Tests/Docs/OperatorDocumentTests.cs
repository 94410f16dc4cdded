using System.Text;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Bot.Tests.Hosting;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Docs;

/// <summary>
/// The operator documents promise that what they tell people to type works: every <c>./run.sh</c> line in their
/// <c>bash</c> blocks runs here against the composed bot and the emulators (as <c>./run.sh --sandbox VERB</c> would) and
/// must exit 0; any other command in those blocks must be one a named test runs.
/// </summary>
public sealed partial class OperatorDocumentTests
{
    private static readonly string[] Documents = ["runbook.md", "rollout-checklist.md", "security-review.md"];

    // Commands the documents may show that other tests run (too slow or needing a container engine to repeat here).
    private static readonly Dictionary<string, string> CoveredElsewhere = new(StringComparer.Ordinal)
    {
        ["./run.sh replay"] = "ReplayParityTests",
        ["./test.sh"] = "CI (.ci/run)",
        ["docker compose"] = "PublishOutputTests",
    };

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Every_run_sh_command_in_the_operator_documents_works_against_the_composed_bot()
    {
        var commands = Commands().Where(c => c.Line.StartsWith("./run.sh ", StringComparison.Ordinal) && CoveredBy(c.Line) is null).ToList();
        Assert.NotEmpty(commands);
        await using var bot = await ComposedBot.StartAsync();

        foreach (var (document, line) in commands)
        {
            var (exit, output, error) = await bot.CliAsync([.. Words(line).Skip(1).Select(Repository)]);

            Assert.True(exit == 0, $"{document}: `{line}` exited {exit}\n{output}\n{error}");
        }
    }

    [Fact]
    public void Every_command_in_the_operator_documents_is_run_by_a_test()
    {
        var commands = Commands();

        Assert.All(commands, c => Assert.True(
            c.Line.StartsWith("./run.sh ", StringComparison.Ordinal) || CoveredBy(c.Line) is not null,
            $"{c.Document}: `{c.Line}` is neither a ./run.sh verb (run by this class) nor covered by a named test."));
        Assert.All(Documents, d => Assert.True(File.Exists(Path.Combine(DocumentDirectory, d)), $"{d} is missing."));
    }

    private static string DocumentDirectory => Path.Combine(SharedContracts.RepositoryRoot, "docs", "operations");

    private static string? CoveredBy(string line) =>
        CoveredElsewhere.FirstOrDefault(c => line.StartsWith(c.Key, StringComparison.Ordinal)).Value;

    /// <summary>Every non-comment line of every <c>bash</c> block of the documents.</summary>
    private static List<(string Document, string Line)> Commands() =>
        [.. Documents.SelectMany(document => BashBlock().Matches(File.ReadAllText(Path.Combine(DocumentDirectory, document)))
            .SelectMany(block => block.Groups[1].Value.Split('\n'))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => (document, line)))];

    /// <summary>A path argument the documents give relative to the repository, made absolute (the tests run elsewhere).</summary>
    private static string Repository(string word) =>
        !word.StartsWith('-') && word.Contains('/', StringComparison.Ordinal) && File.Exists(Path.Combine(SharedContracts.RepositoryRoot, word))
            ? Path.Combine(SharedContracts.RepositoryRoot, word)
            : word;

    /// <summary>Splits a shell line into words: spaces separate, double quotes group.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
