namespace DiscordLedgerBot.Discord;

/// <summary>Anchor for assembly scanning.</summary>
public static class DiscordAssembly
{
}
