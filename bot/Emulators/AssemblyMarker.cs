namespace DiscordLedgerBot.Emulators;

/// <summary>Anchor for assembly scanning.</summary>
public static class EmulatorsAssembly
{
}
