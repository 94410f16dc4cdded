using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

/// <summary>A page position handed out by items_page / items_page_by_column_values; the matched ids are a snapshot.</summary>
internal sealed record CursorState(IReadOnlyList<long> ItemIds, int Offset, DateTimeOffset CreatedAt);

/// <summary>
/// The emulated account's data. One lock serialises every operation (monday itself advises serialising writes per
/// board; the emulator favours determinism over parallelism). Optionally persisted to a JSON file after every change.
/// </summary>
internal sealed class MondayStore
{
    internal static readonly JsonSerializerOptions FileJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string? _stateFile;
    private readonly Dictionary<string, CursorState> _cursors = new(StringComparer.Ordinal);

    private MondayStore(MondayState state, string? stateFile)
    {
        State = state;
        _stateFile = stateFile;
    }

    public object Gate { get; } = new();

    public MondayState State { get; }

    public static MondayStore Open(string? stateFile, TimeProvider timeProvider)
    {
        if (stateFile is not null && File.Exists(stateFile))
        {
            var json = File.ReadAllText(stateFile);
            var loaded = JsonSerializer.Deserialize<MondayState>(json, FileJson)
                ?? throw new InvalidDataException($"Monday emulator state file '{stateFile}' is empty or not a state object.");
            return new MondayStore(loaded, stateFile);
        }

        var store = new MondayStore(Seed(timeProvider.GetUtcNow()), stateFile);
        store.Save();
        return store;
    }

    private static MondayState Seed(DateTimeOffset now) => new()
    {
        Users =
        [
            new UserRecord { Id = 1001, Name = "Emulator Admin", Email = "admin@emulated.monday", IsAdmin = true, CreatedAt = now },
            new UserRecord { Id = 1002, Name = "Ada Lovelace", Email = "ada@emulated.monday", CreatedAt = now },
            new UserRecord { Id = 1003, Name = "Grace Hopper", Email = "grace@emulated.monday", CreatedAt = now },
        ],
        Workspaces = [new WorkspaceRecord { Id = 1, Name = "Main workspace" }],
    };

    /// <summary>Writes the state atomically (temp file + rename) so a crash never leaves a torn file. Caller holds <see cref="Gate"/>.</summary>
    public void Save()
    {
        if (_stateFile is null)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_stateFile))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(_stateFile)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, JsonSerializer.Serialize(State, FileJson));
        File.Move(temp, _stateFile, overwrite: true);
    }

    public string SerializeState() => JsonSerializer.Serialize(State, FileJson);

    public BoardRecord? FindBoard(long id) => State.Boards.FirstOrDefault(b => b.Id == id && b.State != "deleted");

    public ItemRecord? FindItem(long id) => State.Items.FirstOrDefault(i => i.Id == id && i.State != "deleted");

    public string CreateCursor(IReadOnlyList<long> itemIds, int offset, DateTimeOffset createdAt)
    {
        var token = "MSw" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _cursors[token] = new CursorState(itemIds, offset, createdAt);
        return token;
    }

    public CursorState? FindCursor(string token) => _cursors.GetValueOrDefault(token);

    public void ForgetExpiredCursors(DateTimeOffset now, TimeSpan lifetime)
    {
        foreach (var expired in _cursors.Where(c => now - c.Value.CreatedAt >= lifetime).Select(c => c.Key).ToList())
        {
            _cursors.Remove(expired);
        }
    }
}
