using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Core.Monday.Documents;

/// <summary>The mutations the ledger sends; each maps to one root field template.</summary>
public enum MutationKind
{
    CreateItem,
    ChangeColumnValues,
    MoveToGroup,
    CreateUpdate,
    CreateSubitem,
    ArchiveItem,
}

/// <summary>
/// Builds one <c>mutation</c> document with aliased root fields (<c>m0: create_item(...)</c>), each with its own
/// variables (<c>$m0_name</c>, …). Aliases and variable names are generated here from counters; every value the
/// caller passes goes into the variables object, so user text can never change the document.
/// </summary>
public sealed class MutationBatch
{
    private static readonly Dictionary<MutationKind, Template> Templates = new()
    {
        [MutationKind.CreateItem] = new(
            "create_item(board_id: $board, item_name: ${0}_name, group_id: ${0}_group, column_values: ${0}_values) {{ id }}",
            [("name", "String!"), ("group", "String"), ("values", "JSON")], UsesBoard: true),
        [MutationKind.ChangeColumnValues] = new(
            "change_multiple_column_values(board_id: $board, item_id: ${0}_item, column_values: ${0}_values) {{ id }}",
            [("item", "ID"), ("values", "JSON!")], UsesBoard: true),
        [MutationKind.MoveToGroup] = new(
            "move_item_to_group(item_id: ${0}_item, group_id: ${0}_group) {{ id }}",
            [("item", "ID"), ("group", "String!")], UsesBoard: false),
        [MutationKind.CreateUpdate] = new(
            "create_update(item_id: ${0}_item, body: ${0}_body) {{ id }}",
            [("item", "ID"), ("body", "String!")], UsesBoard: false),
        [MutationKind.CreateSubitem] = new(
            "create_subitem(parent_item_id: ${0}_item, item_name: ${0}_name) {{ id }}",
            [("item", "ID!"), ("name", "String!")], UsesBoard: false),
        [MutationKind.ArchiveItem] = new(
            "archive_item(item_id: ${0}_item) {{ id }}",
            [("item", "ID")], UsesBoard: false),
    };

    private readonly string _boardId;
    private readonly List<(string Alias, MutationKind Kind, IReadOnlyDictionary<string, JsonNode?> Values)> _parts = [];
    private readonly StringBuilder _identity = new();

    public MutationBatch(string boardId) => _boardId = boardId;

    public int Count => _parts.Count;

    /// <summary>
    /// Adds one aliased mutation and returns its alias. <paramref name="values"/> must hold exactly the template's
    /// variable names (e.g. <c>name</c>, <c>group</c>, <c>values</c> for create_item). <paramref name="identity"/>
    /// (the command's idempotency key and operation) feeds the batch's Idempotency-Key.
    /// </summary>
    public string Add(MutationKind kind, IReadOnlyDictionary<string, JsonNode?> values, string identity)
    {
        ArgumentNullException.ThrowIfNull(values);
        var template = Templates[kind];
        var expected = template.Variables.Select(v => v.Name).Order(StringComparer.Ordinal);
        if (!expected.SequenceEqual(values.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new ArgumentException($"{kind} takes variables {string.Join(", ", template.Variables.Select(v => v.Name))}.", nameof(values));
        }

        var alias = $"m{_parts.Count}";
        _parts.Add((alias, kind, values));
        _identity.Append(alias).Append('=').Append(identity).Append('\n');
        return alias;
    }

    /// <summary>
    /// The Idempotency-Key for this exact composition: the same commands in the same order give the same key
    /// (so a retried request is replayed by monday), a different composition gives a different key.
    /// </summary>
    public string IdempotencyKey()
    {
        if (_parts.Count == 1)
        {
            var single = _identity.ToString().TrimEnd('\n');
            var identity = single[(single.IndexOf('=', StringComparison.Ordinal) + 1)..];
            if (identity.Length <= 200)
            {
                return identity;
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(_identity.ToString()));
        return $"ledger-batch-{_parts.Count}-{Convert.ToHexStringLower(hash)[..40]}";
    }

    public (string Document, JsonObject Variables) Build()
    {
        if (_parts.Count == 0)
        {
            throw new InvalidOperationException("A mutation batch needs at least one mutation.");
        }

        var declarations = new List<string>();
        var fields = new StringBuilder();
        var variables = new JsonObject();
        if (_parts.Any(p => Templates[p.Kind].UsesBoard))
        {
            declarations.Add("$board: ID!");
            variables["board"] = _boardId;
        }

        foreach (var (alias, kind, values) in _parts)
        {
            var template = Templates[kind];
            foreach (var (name, type) in template.Variables)
            {
                declarations.Add($"${alias}_{name}: {type}");
                variables[$"{alias}_{name}"] = values[name]?.DeepClone();
            }

            fields.Append(' ').Append(alias).Append(": ")
                .Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, template.Field, alias));
        }

        var document = $"mutation LedgerBatch({string.Join(", ", declarations)}) {{ {MondayDocuments.ComplexitySelection}{fields} }}";
        return (document, variables);
    }

    private sealed record Template(string Field, IReadOnlyList<(string Name, string Type)> Variables, bool UsesBoard);
}
