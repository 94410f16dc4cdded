using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace DiscordLedgerBot.Core.Storage;

/// <summary>
/// The file store's durability: an append-only journal of CRC-checked change sets with group commit (one fsync per
/// batch of concurrent writers), a periodic snapshot written to a temp file and atomically renamed over the last,
/// after which the journal starts afresh (compaction), and a lock file so only one process uses the directory.
/// Layout of the directory: <c>storage.lock</c>, <c>snapshot.dat</c> (generation G), <c>journal-{G+1}.log</c>.
/// </summary>
internal sealed partial class FileJournal : IAsyncDisposable
{
    public const string LockFileName = "storage.lock";
    public const string SnapshotFileName = "snapshot.dat";
    private const string SnapshotTempFileName = "snapshot.tmp";
    private const int MaxCommitBatchBytes = 4 * 1024 * 1024;

    private readonly string _directory;
    private readonly int _snapshotEvery;
    private readonly Func<StorageChangeSet> _captureState;
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly Channel<PendingFrame> _queue = Channel.CreateUnbounded<PendingFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _commitLoop;
    private FileStream _journal;
    private long _generation;
    private int _framesSinceSnapshot;
    private Task _lastCommit = Task.CompletedTask;
    private volatile Exception? _fault;

    private FileJournal(string directory, int snapshotEvery, Func<StorageChangeSet> captureState, ILogger logger, FileStream lockFile, FileStream journal, long generation, int framesSinceSnapshot)
    {
        _directory = directory;
        _snapshotEvery = snapshotEvery;
        _captureState = captureState;
        _logger = logger;
        _lock = lockFile;
        _journal = journal;
        _generation = generation;
        _framesSinceSnapshot = framesSinceSnapshot;
        _commitLoop = Task.Run(CommitLoopAsync);
    }

    /// <summary>The generation of the journal being appended to (grows by one per snapshot).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Set once a write or fsync failed: from then on nothing more is accepted (memory and disk may differ).</summary>
    public Exception? Fault => _fault;

    /// <summary>Completes when every frame appended so far is on disk.</summary>
    public Task LastCommit => _lastCommit;

    public static FileJournal Open(string directory, int snapshotEvery, bool repairCorruptJournal, OutboxBook book, Func<StorageChangeSet> captureState, TimeProvider time, ILogger logger)
    {
        Directory.CreateDirectory(directory);
        var lockFile = AcquireLock(directory);
        try
        {
            var snapshotGeneration = LoadSnapshot(directory, book);
            var journals = Directory.GetFiles(directory, "journal-*.log")
                .Select(path => (Path: path, Generation: ParseGeneration(path)))
                .Where(j => j.Generation is not null)
                .OrderBy(j => j.Generation)
                .ToList();
            var frames = 0;
            string? active = null;
            foreach (var (path, generation) in journals)
            {
                if (generation <= snapshotGeneration)
                {
                    // Left behind by a crash between writing a snapshot and deleting the journal it covers.
                    File.Delete(path);
                    continue;
                }

                frames += Replay(path, book, repairCorruptJournal, time, logger);
                active = path;
            }

            long activeGeneration;
            FileStream stream;
            if (active is null)
            {
                activeGeneration = snapshotGeneration + 1;
                stream = CreateJournal(directory, activeGeneration);
            }
            else
            {
                activeGeneration = ParseGeneration(active)!.Value;
                stream = new FileStream(active, FileMode.Open, FileAccess.Write, FileShare.Read, 64 * 1024);
                stream.Seek(0, SeekOrigin.End);
            }

            LogOpened(logger, directory, snapshotGeneration, frames, book.RecordCount);
            return new FileJournal(directory, snapshotEvery, captureState, logger, lockFile, stream, activeGeneration, frames);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Queues a change set; the task completes once it is fsynced. Call in the order changes were made.</summary>
    public Task Append(StorageChangeSet changes)
    {
        if (_fault is { } fault)
        {
            return Task.FromException(new StorageException($"The journal in '{_directory}' failed earlier and accepts no more writes: {fault.Message}", fault));
        }

        var pending = new PendingFrame(JournalFormat.Frame(changes));
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException(new ObjectDisposedException(nameof(FileJournal)));
        }

        _lastCommit = pending.Durable.Task;
        return _lastCommit;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _commitLoop.ConfigureAwait(false);
        if (_fault is null && _framesSinceSnapshot > 0)
        {
            try
            {
                // A snapshot at shutdown keeps the next start from replaying the whole journal.
                WriteSnapshot();
            }
            catch (IOException ex)
            {
                LogSnapshotFailed(_logger, _directory, ex.Message);
            }
        }

        await _journal.DisposeAsync().ConfigureAwait(false);
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private static FileStream AcquireLock(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush(flushToDisk: true);
            return stream;
        }
        catch (IOException ex)
        {
            throw new StorageLockedException(
                $"Storage:DataDirectory '{directory}' is in use by another process or store (lock file '{path}' is held). Only one writer may use a data directory.",
                ex);
        }
    }

    private static long LoadSnapshot(string directory, OutboxBook book)
    {
        var path = Path.Combine(directory, SnapshotFileName);
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(path);
        var generation = JournalFormat.ReadHeader(bytes, JournalFormat.SnapshotMagic, path);
        var payload = JournalFormat.TryReadFrame(bytes, JournalFormat.HeaderLength, JournalFormat.MaxSnapshotFrameLength);
        var state = payload is { } p ? JournalFormat.Deserialize(p.Span) : null;
        if (state is null || JournalFormat.HeaderLength + JournalFormat.FrameHeaderLength + payload!.Value.Length != bytes.Length)
        {
            // Snapshots are renamed into place only when complete, so a bad one is real corruption, not a torn write.
            throw new StorageCorruptedException($"Snapshot '{path}' fails its checksum or cannot be read; refusing to start. Restore it from a backup.");
        }

        book.Apply(state);
        return generation;
    }

    private static int Replay(string path, OutboxBook book, bool repair, TimeProvider time, ILogger logger)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < JournalFormat.HeaderLength)
        {
            // Created but its header never reached the disk: it can hold nothing acknowledged.
            LogTornTail(logger, path, 0, bytes.Length);
            Truncate(path, 0);
            using var rewrite = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
            rewrite.Write(JournalFormat.Header(JournalFormat.JournalMagic, ParseGeneration(path)!.Value));
            rewrite.Flush(flushToDisk: true);
            return 0;
        }

        JournalFormat.ReadHeader(bytes, JournalFormat.JournalMagic, path);
        var memory = bytes.AsMemory();
        var offset = JournalFormat.HeaderLength;
        var frames = 0;
        while (offset < bytes.Length)
        {
            var payload = JournalFormat.TryReadFrame(memory, offset, JournalFormat.MaxJournalFrameLength);
            var changes = payload is { } p ? JournalFormat.Deserialize(p.Span) : null;
            if (changes is not null)
            {
                book.Apply(changes);
                frames++;
                offset += JournalFormat.FrameHeaderLength + payload!.Value.Length;
                continue;
            }

            var lost = bytes.Length - offset;
            if (!AnyValidFrameAfter(memory, offset + 1))
            {
                // Only the last write can be torn, and it was never acknowledged (acks follow the fsync).
                LogTornTail(logger, path, offset, lost);
                Truncate(path, offset);
                break;
            }

            if (!repair)
            {
                throw new StorageCorruptedException(
                    $"Journal '{path}' is corrupt at byte {offset.ToString(CultureInfo.InvariantCulture)} with valid records after it ({lost.ToString(CultureInfo.InvariantCulture)} bytes from there on); refusing to start. " +
                    "Restore from a backup, or set Storage:RepairCorruptJournal=true to keep everything before the corruption (a copy of the journal is kept).");
            }

            var backup = $"{path}.corrupt-{time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture)}";
            File.Copy(path, backup, overwrite: false);
            LogRepaired(logger, path, offset, lost, backup);
            Truncate(path, offset);
            break;
        }

        return frames;
    }

    private static bool AnyValidFrameAfter(ReadOnlyMemory<byte> file, int from)
    {
        for (var offset = from; offset <= file.Length - JournalFormat.FrameHeaderLength; offset++)
        {
            if (JournalFormat.TryReadFrame(file, offset, JournalFormat.MaxJournalFrameLength) is { } payload && JournalFormat.Deserialize(payload.Span) is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }

    private static FileStream CreateJournal(string directory, long generation)
    {
        var stream = new FileStream(JournalPath(directory, generation), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
        stream.Write(JournalFormat.Header(JournalFormat.JournalMagic, generation));
        stream.Flush(flushToDisk: true);
        return stream;
    }

    private static string JournalPath(string directory, long generation) =>
        Path.Combine(directory, $"journal-{generation.ToString("D10", CultureInfo.InvariantCulture)}.log");

    private static long? ParseGeneration(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return long.TryParse(name.AsSpan("journal-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ? generation : null;
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<PendingFrame>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var bytes = 0;
            while (bytes < MaxCommitBatchBytes && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                bytes += pending.Frame.Length;
            }

            if (_fault is { } fault)
            {
                batch.ForEach(p => p.Durable.TrySetException(new StorageException($"The journal failed earlier: {fault.Message}", fault)));
                continue;
            }

            try
            {
                foreach (var pending in batch)
                {
                    _journal.Write(pending.Frame);
                }

                _journal.Flush(flushToDisk: true);
                _framesSinceSnapshot += batch.Count;
            }
            catch (Exception ex)
            {
                // Whatever went wrong, waiting writers must hear about it rather than hang.
                _fault = ex;
                LogJournalFailed(_logger, _directory, ex.Message);
                batch.ForEach(p => p.Durable.TrySetException(new StorageException($"Writing the journal in '{_directory}' failed: {ex.Message}", ex)));
                continue;
            }

            batch.ForEach(p => p.Durable.TrySetResult());
            if (_framesSinceSnapshot >= _snapshotEvery)
            {
                try
                {
                    WriteSnapshot();
                }
                catch (Exception ex)
                {
                    // The journal still holds everything; a failed snapshot only delays compaction.
                    LogSnapshotFailed(_logger, _directory, ex.Message);
                }
            }
        }
    }

    /// <summary>
    /// Snapshot, then compaction. Crash-safe at every step: the new snapshot appears only by atomic rename; it
    /// covers journal G, so on open any journal ≤ G is deleted and only later ones replayed. Changes queued but not
    /// yet written when the state was captured go to journal G+1 too; replaying them again is harmless (idempotent).
    /// </summary>
    private void WriteSnapshot()
    {
        var state = _captureState();
        var generation = _generation;
        var temp = Path.Combine(_directory, SnapshotTempFileName);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            stream.Write(JournalFormat.Header(JournalFormat.SnapshotMagic, generation));
            stream.Write(JournalFormat.Frame(state));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path.Combine(_directory, SnapshotFileName), overwrite: true);
        var next = CreateJournal(_directory, generation + 1);
        var previous = _journal;
        _journal = next;
        Interlocked.Exchange(ref _generation, generation + 1);
        previous.Dispose();

        // Journal G stays until the next snapshot: .NET cannot fsync the directory, so should a power loss undo the
        // rename above, the older snapshot plus journals G and G+1 still hold everything. Open deletes it sooner.
        File.Delete(JournalPath(_directory, generation - 1));
        LogSnapshotWritten(_logger, _directory, generation, state.Records?.Count ?? 0, _framesSinceSnapshot);
        _framesSinceSnapshot = 0;
    }

    private sealed class PendingFrame(byte[] frame)
    {
        public byte[] Frame { get; } = frame;

        public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "File store opened at {Directory}: snapshot generation {Generation}, {Frames} journal records replayed, {Records} outbox records")]
    private static partial void LogOpened(ILogger logger, string directory, long generation, int frames, int records);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Journal {Path} ended in a torn record at byte {Offset}; truncated {LostBytes} bytes that were never acknowledged")]
    private static partial void LogTornTail(ILogger logger, string path, int offset, int lostBytes);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Error, Message = "Journal {Path} was corrupt at byte {Offset}; Storage:RepairCorruptJournal is set, so {LostBytes} bytes after it were dropped (original kept as {Backup})")]
    private static partial void LogRepaired(ILogger logger, string path, int offset, int lostBytes, string backup);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Information, Message = "Snapshot of {Directory} written (covers journal {Generation}, {Records} outbox records, {Frames} journal records compacted)")]
    private static partial void LogSnapshotWritten(ILogger logger, string directory, long generation, int records, int frames);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Error, Message = "Writing a snapshot in {Directory} failed (the journal still holds everything): {Reason}")]
    private static partial void LogSnapshotFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Critical, Message = "Writing the journal in {Directory} failed; the file store accepts no more writes until restarted: {Reason}")]
    private static partial void LogJournalFailed(ILogger logger, string directory, string reason);
}
