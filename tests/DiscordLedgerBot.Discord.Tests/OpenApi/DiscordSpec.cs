using DiscordLedgerBot.Emulators.Discord.OpenApi;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Discord.Tests.OpenApi;

/// <summary>The official spec, loaded once per test run (1.2 MB).</summary>
internal static class DiscordSpec
{
    private static readonly Lazy<DiscordOpenApiValidator> Loaded =
        new(() => DiscordOpenApiValidator.Load(SharedContracts.Contract("discord", "openapi.json")));

    public static DiscordOpenApiValidator Validator => Loaded.Value;
}
