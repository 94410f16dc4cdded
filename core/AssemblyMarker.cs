namespace DiscordLedgerBot.Core;

/// <summary>Anchor for assembly scanning and InternalsVisibleTo.</summary>
public static class CoreAssembly
{
}
