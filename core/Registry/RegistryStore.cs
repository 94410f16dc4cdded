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
/// crash leaves either the old or the new registry, never a mix. Saves are compare-and-set on
/// <see cref="RegistrySnapshot.Revision"/>, so two writers (two bot processes, a bot and the CLI) never overwrite each
/// other's change: the loser reloads and re-applies its change on top.
/// </summary>
public interface IRegistryStore
{
    /// <summary>The last saved snapshot, or null when nothing was ever saved.</summary>
    Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="snapshot"/> only if the stored revision is still <paramref name="expectedRevision"/> (0: the
    /// store is empty). False, with nothing written, when another writer saved in between.
    /// </summary>
    Task<bool> SaveAsync(RegistrySnapshot snapshot, long expectedRevision, CancellationToken cancellationToken);
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
    private readonly Lock _gate = new();
    private byte[]? _saved;
    private long _revision;

    public Task<RegistrySnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_saved is null ? null : RegistrySnapshotSerializer.Deserialize(_saved, "memory"));
        }
    }

    public Task<bool> SaveAsync(RegistrySnapshot snapshot, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);

        // Serialized, not stored by reference, so memory behaves exactly like the durable stores.
        var bytes = RegistrySnapshotSerializer.Serialize(snapshot);
        lock (_gate)
        {
            if (_revision != expectedRevision)
            {
                return Task.FromResult(false);
            }

            _saved = bytes;
            _revision = snapshot.Revision;
            return Task.FromResult(true);
        }
    }
}

/// <summary>
/// A JSON file written atomically: write a sibling temp file, flush it to disk, then rename over the target.
/// Readers (another process, the CLI) therefore never see a half-written registry. Writers take an exclusive lock on a
/// sibling <c>.lock</c> file (an OS file lock, released by the kernel if the holder dies) around compare-and-rename.
/// </summary>
public sealed class FileRegistryStore(string path, TimeProvider? time = null) : IRegistryStore
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(5);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

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

    public async Task<bool> SaveAsync(RegistrySnapshot snapshot, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        await using var held = await LockAsync(cancellationToken);
        var stored = await LoadAsync(cancellationToken);
        if ((stored?.Revision ?? 0) != expectedRevision)
        {
            return false;
        }

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
            return true;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        var lockPath = Path + ".lock";
        var deadline = _time.GetUtcNow() + LockWait;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive OS lock (flock on Unix) that every process honours.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (_time.GetUtcNow() < deadline)
            {
                // Another writer holds it for one compare-and-rename: milliseconds.
                await Task.Delay(LockRetry, _time, cancellationToken);
            }
            catch (IOException held)
            {
                throw new IOException($"The registry file {Path} stayed locked by another writer for {LockWait.TotalSeconds:0} s ({lockPath}).", held);
            }
        }
    }
}

/// <summary>A registry change that could not be saved because other writers kept changing the store; nothing was saved.</summary>
public sealed class RegistryConcurrencyException : Exception
{
    public RegistryConcurrencyException()
        : this("The registry changed under this writer; nothing was saved.")
    {
    }

    public RegistryConcurrencyException(string message)
        : base(message)
    {
    }

    public RegistryConcurrencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
