using System.Text.Json;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>
/// Everything about the registry that survives a restart: the workflow vocabulary, tool definitions, operator
/// overrides and the audit log. Health and circuit-breaker state are deliberately absent: they describe this
/// process's recent observations and are rebuilt from fresh checks.
/// </summary>
public sealed record RegistrySnapshot
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Increases with every persisted change; lets a process notice that another writer changed the store.</summary>
    public long Revision { get; init; }

    public IReadOnlyList<string> Workflows { get; init; } = [];

    public IReadOnlyList<ToolDocument> Tools { get; init; } = [];

    public IReadOnlyList<ToolOverride> Overrides { get; init; } = [];

    public IReadOnlyList<RegistryAuditEntry> Audit { get; init; } = [];
}

/// <summary>
/// Persists registry metadata. Implementations store the whole snapshot as one value, written atomically, so a
/// crash leaves either the old or the new registry, never a mix.
/// </summary>
public interface IRegistryStore
{
    /// <summary>The last saved snapshot, or null when nothing was ever saved.</summary>
    Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(RegistrySnapshot snapshot, CancellationToken cancellationToken);
}

/// <summary>
/// The one wire format of a snapshot (UTF-8 JSON). A Redis store is `SET key bytes` / `GET key` around these two
/// calls, which is the whole seam the RESP-backed implementation needs.
/// </summary>
public static class RegistrySnapshotSerializer
{
    public static byte[] Serialize(RegistrySnapshot snapshot) =>
        JsonSerializer.SerializeToUtf8Bytes(snapshot, RegistryCatalogParser.JsonOptions);

    public static RegistrySnapshot Deserialize(ReadOnlySpan<byte> utf8Json, string source)
    {
        RegistrySnapshot? snapshot;
        try
        {
            snapshot = JsonSerializer.Deserialize<RegistrySnapshot>(utf8Json, RegistryCatalogParser.JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new RegistryValidationException(RegistryCatalogParser.DescribeJsonError($"registry snapshot in {source}", ex), ex);
        }

        if (snapshot is null)
        {
            throw new RegistryValidationException($"The registry snapshot in {source} is empty.");
        }

        if (snapshot.SchemaVersion != RegistrySnapshot.CurrentSchemaVersion)
        {
            throw new RegistryValidationException(
                $"The registry snapshot in {source} has schema version {snapshot.SchemaVersion}; this build reads version {RegistrySnapshot.CurrentSchemaVersion}.");
        }

        return snapshot;
    }
}

/// <summary>Keeps the snapshot in process memory (tests, sandbox); lost on restart by design.</summary>
public sealed class MemoryRegistryStore : IRegistryStore
{
    private byte[]? _saved;

    public Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        var saved = Volatile.Read(ref _saved);
        return Task.FromResult(saved is null ? null : RegistrySnapshotSerializer.Deserialize(saved, "memory"));
    }

    public Task SaveAsync(RegistrySnapshot snapshot, CancellationToken cancellationToken)
    {
        // Serialized, not stored by reference, so memory behaves exactly like the durable stores.
        Volatile.Write(ref _saved, RegistrySnapshotSerializer.Serialize(snapshot));
        return Task.CompletedTask;
    }
}

/// <summary>
/// A JSON file written atomically: write a sibling temp file, flush it to disk, then rename over the target.
/// Readers (another process, the CLI) therefore never see a half-written registry.
/// </summary>
public sealed class FileRegistryStore(string path) : IRegistryStore
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public async Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
        return RegistrySnapshotSerializer.Deserialize(bytes, Path);
    }

    public async Task SaveAsync(RegistrySnapshot snapshot, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(RegistrySnapshotSerializer.Serialize(snapshot), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
