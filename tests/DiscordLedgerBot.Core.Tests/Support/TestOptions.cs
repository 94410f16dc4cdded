using DiscordLedgerBot.Core.Monday;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Tests.Support;

internal static class TestOptions
{
    public static MondayOptions Monday(Uri? apiUrl = null, string boardId = "1001") => new()
    {
        Token = "test-token-secret",
        ApiUrl = apiUrl ?? new Uri("https://api.monday.test/v2"),
        BoardId = boardId,
        RetryBaseDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromMinutes(2),
        AttemptTimeout = TimeSpan.FromMinutes(10),
    };

    public static MondayClient Client(IMondayTransport transport, TimeProvider time, MondayOptions? options = null) =>
        new(transport, Options.Create(options ?? Monday()), time, NullLogger<MondayClient>.Instance);

    public static MondayLedger Ledger(MondayClient client, MondayOptions? options = null) =>
        new(client, Options.Create(options ?? Monday()), NullLogger<MondayLedger>.Instance);
}
