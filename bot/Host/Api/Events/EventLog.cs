using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Api.Events;

/// <summary>
/// The bounded, durable log behind the event stream: the last <c>capacity</c> events in a ring in memory, and (unless
/// memory-only) appended as JSON lines to a file that is reloaded at start, so ids keep increasing across restarts
/// and a client resuming with Last-Event-ID after a restart still misses nothing the log kept. The file is rewritten
/// to the newest <c>capacity</c> lines once it holds twice that many, so it stays bounded too.
/// Readers never hold events of their own: they keep a cursor (the last id they sent) and read from the ring.
/// With the Redis store the log of every process is memory-only and fed by <see cref="RedisEventStream"/> through
/// <see cref="Import"/> with the cluster's ids, so a cursor from one process resumes on any other.
/// </summary>
public sealed class EventLog : IEventLogSink, IDisposable
{
    private readonly object _gate = new();
    private readonly StreamEvent?[] _ring;
    private readonly string? _path;
    private readonly TimeProvider _time;
    private StreamWriter? _file;
    private int _linesInFile;
    private long _lastId;
    private long _count;
    private TaskCompletionSource _appended = NewSignal();

    public EventLog(int capacity, string? path, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new StreamEvent?[capacity];
        _path = path;
        _time = time;
        if (path is not null)
        {
            Load(path);
            _file = OpenForAppend(path);
        }
    }

    public long LastId
    {
        get
        {
            lock (_gate)
            {
                return _lastId;
            }
        }
    }

    /// <summary>The oldest id still in the log (LastId + 1 when empty).</summary>
    public long FirstId
    {
        get
        {
            lock (_gate)
            {
                return FirstIdLocked();
            }
        }
    }

    public StreamEvent Append(string type, JsonObject data)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        TaskCompletionSource signal;
        StreamEvent appended;
        lock (_gate)
        {
            appended = new StreamEvent(_lastId + 1, type, _time.GetUtcNow(), data);
            signal = AddLocked(appended);
        }

        signal.TrySetResult();
        return appended;
    }

    /// <summary>The single-process sink: the event is in this log (and its file) when this returns.</summary>
    public Task AppendAsync(string type, JsonObject data, CancellationToken cancellationToken)
    {
        Append(type, data);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Adds an event that already has its id (the cluster's shared stream numbers them); false, changing nothing, when
    /// the log already holds that id or a later one. Ids may skip (the shared stream was trimmed past a slow reader).
    /// </summary>
    public bool Import(StreamEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (entry.Id <= _lastId)
            {
                return false;
            }

            signal = AddLocked(entry);
        }

        signal.TrySetResult();
        return true;
    }

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterId"/> (oldest first) and the id to continue after.</summary>
    /// <param name="types">Only these types are returned; null: all. Skipped events still advance the cursor.</param>
    public (IReadOnlyList<StreamEvent> Events, long Cursor, bool Gap) ReadAfter(long afterId, int max, IReadOnlySet<string>? types)
    {
        var events = new List<StreamEvent>();
        lock (_gate)
        {
            var first = FirstIdLocked();
            var gap = afterId + 1 < first;
            var cursor = Math.Max(afterId, first - 1);
            for (var position = FirstPositionAfter(afterId); position < _count && events.Count < max; position++)
            {
                var entry = At(position);
                cursor = entry.Id;
                if (types is null || types.Contains(entry.Type))
                {
                    events.Add(entry);
                }
            }

            return (events, cursor, gap);
        }
    }

    /// <summary>Completes when an event after <paramref name="afterId"/> exists (true) or <paramref name="timeout"/> passed (false).</summary>
    public async Task<bool> WaitAfterAsync(long afterId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (_lastId > afterId)
            {
                return true;
            }

            signal = _appended.Task;
        }

        try
        {
            await signal.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TaskCompletionSource AddLocked(StreamEvent entry)
    {
        Store(entry);
        if (_file is not null)
        {
            _file.WriteLine(Serialize(entry));
            _file.Flush();
            if (++_linesInFile >= 2 * _ring.Length)
            {
                Compact();
            }
        }

        var signal = _appended;
        _appended = NewSignal();
        return signal;
    }

    // The ring holds events by arrival position (ids ascend with it but need not be contiguous).
    private void Store(StreamEvent entry)
    {
        _ring[_count % _ring.Length] = entry;
        _lastId = entry.Id;
        _count++;
    }

    private long OldestPosition => _count - Math.Min(_count, _ring.Length);

    private StreamEvent At(long position) => _ring[position % _ring.Length]!;

    private long FirstIdLocked() => _count == 0 ? _lastId + 1 : At(OldestPosition).Id;

    /// <summary>The position of the oldest kept event whose id is above <paramref name="afterId"/> (binary search; ids ascend).</summary>
    private long FirstPositionAfter(long afterId)
    {
        long low = OldestPosition, high = _count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (At(middle).Id <= afterId)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Load(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        foreach (var line in File.ReadLines(path))
        {
            _linesInFile++;
            // A line torn by a crash mid-write is the last one; everything before it is whole.
            if (TryDeserialize(line) is { } entry && entry.Id > _lastId)
            {
                Store(entry);
            }
        }
    }

    private void Compact()
    {
        var temporary = _path + ".tmp";
        var kept = 0;
        using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
        {
            for (var position = OldestPosition; position < _count; position++)
            {
                writer.WriteLine(Serialize(At(position)));
                kept++;
            }
        }

        _file!.Dispose();
        File.Move(temporary, _path!, overwrite: true);
        _file = OpenForAppend(_path!);
        _linesInFile = kept;
    }

    private static StreamWriter OpenForAppend(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    private static string Serialize(StreamEvent entry) =>
        new JsonObject { ["id"] = entry.Id, ["type"] = entry.Type, ["at"] = entry.At, ["data"] = entry.Data.DeepClone() }.ToJsonString();

    private static StreamEvent? TryDeserialize(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject o && o["data"] is JsonObject data
                ? new StreamEvent(o["id"]!.GetValue<long>(), o["type"]!.GetValue<string>(), o["at"]!.GetValue<DateTimeOffset>(), (JsonObject)data.DeepClone())
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
