using System.Text.Json;
using System.Text.Json.Serialization;
using DiscordLedgerBot.Core.Monday;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Cli;

/// <summary>The monday client and ledger an operator verb works through, built from the layered configuration.</summary>
internal sealed class LedgerCliConnection : IDisposable
{
    private readonly HttpClient _http;

    private LedgerCliConnection(MondayOptions options, TimeProvider time)
    {
        Options = options;
        _http = StandaloneHttpClients.Create(Timeout.InfiniteTimeSpan);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Client = new MondayClient(new HttpMondayTransport(_http, wrapped), wrapped, time, NullLogger<MondayClient>.Instance);
        Ledger = new MondayLedger(Client, wrapped, NullLogger<MondayLedger>.Instance);
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Console output for people and scripts, never embedded in HTML: keep quotes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public MondayOptions Options { get; }

    public MondayClient Client { get; }

    public MondayLedger Ledger { get; }

    /// <summary>Binds and validates <c>Monday:*</c>; <paramref name="boardOverride"/> wins over Monday:BoardId.</summary>
    /// <exception cref="CliUsageException">The configuration is incomplete; the message names each key and env var.</exception>
    public static LedgerCliConnection Open(CliContext context, string? boardOverride = null, bool requireBoard = true)
    {
        var options = new MondayOptions();
        context.Configuration.GetSection(MondayOptions.SectionName).Bind(options);
        if (boardOverride is not null)
        {
            options.BoardId = boardOverride;
        }

        var failures = new List<string>();
        var validation = new MondayOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            failures.AddRange(validation.Failures);
        }

        if (requireBoard && string.IsNullOrEmpty(options.BoardId))
        {
            failures.Add("Monday:BoardId is required (env Monday__BoardId, or --board); run `bot provision` to create the board.");
        }

        return failures.Count > 0
            ? throw new CliUsageException(string.Join(Environment.NewLine, failures))
            : new LedgerCliConnection(options, context.Time);
    }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
    }
}
