using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Monday.BoardSchema;
using DiscordLedgerBot.Emulators.Monday;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Support;

/// <summary>A monday emulator on a free 127.0.0.1 port with a provisioned ledger board, and the real client stack on top.</summary>
internal sealed class EmulatedLedger : IAsyncDisposable
{
    private readonly HttpClient _http;

    private EmulatedLedger(MondayEmulator emulator, HttpClient http, CountingTransport transport, MondayClient client, MondayLedger ledger, MondayOptions options)
    {
        Emulator = emulator;
        _http = http;
        Transport = transport;
        Client = client;
        Ledger = ledger;
        Options = options;
    }

    public MondayEmulator Emulator { get; }

    public CountingTransport Transport { get; }

    public MondayClient Client { get; }

    public MondayLedger Ledger { get; }

    public MondayOptions Options { get; }

    /// <summary>Runs before each request goes out (e.g. to move a fake clock at an exact point of a listing).</summary>
    public Action<MondayRequest>? BeforeSend
    {
        get => Transport.BeforeSend;
        set => Transport.BeforeSend = value;
    }

    public long BoardId => long.Parse(Options.BoardId, System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<EmulatedLedger> StartAsync(TimeProvider time, Action<MondayEmulatorOptions>? configure = null)
    {
        var emulatorOptions = new MondayEmulatorOptions { Port = 0, TimeProvider = time };
        configure?.Invoke(emulatorOptions);
        var emulator = await MondayEmulator.StartAsync(emulatorOptions);
        var options = TestOptions.Monday(emulator.ApiUrl, boardId: string.Empty);
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var transport = new CountingTransport(new HttpMondayTransport(http, Microsoft.Extensions.Options.Options.Create(options)));
        var client = TestOptions.Client(transport, time, options);
        var provisioned = await new LedgerBoardProvisioner(client).CreateAsync("Test ledger", Guid.NewGuid().ToString("N"), CancellationToken.None);
        Assert.Empty(provisioned.RemainingDrift);
        options.BoardId = provisioned.BoardId;
        return new EmulatedLedger(emulator, http, transport, client, TestOptions.Ledger(client, options), options);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _http.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>Counts what goes over the wire, split into reads and writes.</summary>
    internal sealed class CountingTransport(IMondayTransport inner) : IMondayTransport
    {
        private long _writes;
        private long _reads;

        public long Writes => Interlocked.Read(ref _writes);

        public long Reads => Interlocked.Read(ref _reads);

        public long Total => Writes + Reads;

        public Action<MondayRequest>? BeforeSend { get; set; }

        public Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken)
        {
            BeforeSend?.Invoke(request);
            Interlocked.Increment(ref request.IdempotencyKey is null ? ref _reads : ref _writes);
            return inner.SendAsync(request, cancellationToken);
        }
    }
}
