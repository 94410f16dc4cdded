using System.Collections.Frozen;
using DiscordLedgerBot.Emulators.Monday.GraphQL;

namespace DiscordLedgerBot.Emulators.Monday;

public enum MondayTypeKind
{
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
}

public sealed record MondayInputValue(string Name, TypeReference Type, GraphQLValue? DefaultValue)
{
    public bool IsRequired => Type is NonNullTypeReference && DefaultValue is null;
}

public sealed record MondayField(string Name, TypeReference Type, IReadOnlyDictionary<string, MondayInputValue> Arguments, bool IsDeprecated);

public sealed class MondayType
{
    internal MondayType(string name, MondayTypeKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public MondayTypeKind Kind { get; }

    public IReadOnlyDictionary<string, MondayField> Fields { get; internal set; } = FrozenDictionary<string, MondayField>.Empty;

    public IReadOnlyDictionary<string, MondayInputValue> InputFields { get; internal set; } = FrozenDictionary<string, MondayInputValue>.Empty;

    public IReadOnlyList<string> Interfaces { get; internal set; } = [];

    /// <summary>Union members, or for an interface every object type implementing it.</summary>
    public IReadOnlySet<string> PossibleTypes { get; internal set; } = FrozenSet<string>.Empty;

    public IReadOnlySet<string> EnumValues { get; internal set; } = FrozenSet<string>.Empty;

    public bool IsComposite => Kind is MondayTypeKind.Object or MondayTypeKind.Interface or MondayTypeKind.Union;

    public bool IsLeaf => Kind is MondayTypeKind.Scalar or MondayTypeKind.Enum;

    public bool IsInput => Kind is MondayTypeKind.Scalar or MondayTypeKind.Enum or MondayTypeKind.InputObject;

    public override string ToString() => Name;
}

/// <summary>
/// The type model of monday's API version 2026-10, read from the SDL embedded in this assembly
/// (resource <c>monday.schema.graphql</c>). Loaded once and shared: it is immutable.
/// </summary>
public sealed class MondaySchema
{
    public const string ResourceName = "monday.schema.graphql";

    private static readonly Lazy<MondaySchema> Embedded = new(LoadEmbedded);

    private MondaySchema(IReadOnlyDictionary<string, MondayType> types, string queryType, string mutationType)
    {
        Types = types;
        QueryType = types[queryType];
        MutationType = types[mutationType];
    }

    public IReadOnlyDictionary<string, MondayType> Types { get; }

    public MondayType QueryType { get; }

    public MondayType MutationType { get; }

    public static MondaySchema Load() => Embedded.Value;

    /// <summary>Builds a schema from SDL text (used for the embedded file; public so tests can build small schemas).</summary>
    public static MondaySchema Parse(string sdl) => SchemaDefinitionReader.Read(sdl);

    public MondayType? FindType(string name) => Types.GetValueOrDefault(name);

    /// <summary>Whether an object of runtime type <paramref name="objectType"/> satisfies a fragment on <paramref name="condition"/>.</summary>
    public bool DoesTypeApply(string condition, string objectType)
    {
        if (condition == objectType)
        {
            return true;
        }

        var conditionType = FindType(condition);
        return conditionType is not null && conditionType.PossibleTypes.Contains(objectType);
    }

    /// <summary>The object types a value of <paramref name="type"/> may have at runtime.</summary>
    public IReadOnlySet<string> PossibleObjectTypes(MondayType type) =>
        type.Kind == MondayTypeKind.Object ? new HashSet<string> { type.Name } : type.PossibleTypes;

    internal static MondaySchema Create(Dictionary<string, MondayType> types, string queryType, string mutationType)
    {
        foreach (var type in types.Values.Where(t => t.Kind == MondayTypeKind.Interface))
        {
            type.PossibleTypes = types.Values
                .Where(t => t.Kind == MondayTypeKind.Object && t.Interfaces.Contains(type.Name))
                .Select(t => t.Name)
                .ToFrozenSet();
        }

        return new MondaySchema(types.ToFrozenDictionary(), queryType, mutationType);
    }

    private static MondaySchema LoadEmbedded()
    {
        using var stream = typeof(MondaySchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from {typeof(MondaySchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
