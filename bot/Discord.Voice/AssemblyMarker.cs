namespace DiscordLedgerBot.Voice;

/// <summary>Anchor for assembly scanning.</summary>
public static class VoiceAssembly
{
}
