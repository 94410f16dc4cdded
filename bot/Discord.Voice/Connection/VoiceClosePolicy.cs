namespace DiscordLedgerBot.Voice.Connection;

public enum VoiceCloseAction
{
    /// <summary>Reconnect to the same server and resume (op 7): the session and its keys live on.</summary>
    Resume,

    /// <summary>The voice session is gone: ask the main gateway again (op 4) for a new session and server.</summary>
    Rejoin,

    /// <summary>Reconnecting cannot help; the reason says why.</summary>
    GiveUp,
}

/// <summary>What to do after the voice WebSocket closed with a code (null = dropped without a close frame).</summary>
public static class VoiceClosePolicy
{
    public static (VoiceCloseAction Action, string Reason) Decide(int? closeCode) => closeCode switch
    {
        null or 1001 or 1006 or 1011 or 1012 => (VoiceCloseAction.Resume, "the connection dropped"),
        4015 => (VoiceCloseAction.Resume, "the voice server crashed (4015)"),
        4006 => (VoiceCloseAction.Rejoin, "the voice session is no longer valid (4006)"),
        4009 => (VoiceCloseAction.Rejoin, "the voice session timed out (4009)"),
        4011 => (VoiceCloseAction.Rejoin, "the voice server was not found (4011)"),
        1000 => (VoiceCloseAction.GiveUp, "closed normally (1000)"),
        4014 => (VoiceCloseAction.GiveUp, "disconnected: kicked, moved out, or the channel was deleted (4014)"),
        4017 => (VoiceCloseAction.GiveUp, "this call requires end-to-end encryption (DAVE) and refused our client (4017): since 2026-03-01 Discord admits only DAVE clients; check that max_dave_protocol_version is advertised"),
        4021 => (VoiceCloseAction.GiveUp, "rate limited by the voice server (4021)"),
        4022 => (VoiceCloseAction.GiveUp, "the call was terminated (4022)"),
        4001 => (VoiceCloseAction.GiveUp, "the server did not know an opcode we sent (4001): a client bug"),
        4002 => (VoiceCloseAction.GiveUp, "the server could not decode a payload we sent (4002): a client bug"),
        4003 => (VoiceCloseAction.GiveUp, "we sent a payload before identifying (4003): a client bug"),
        4004 => (VoiceCloseAction.GiveUp, "the voice token was refused (4004)"),
        4005 => (VoiceCloseAction.GiveUp, "we identified twice (4005): a client bug"),
        4012 => (VoiceCloseAction.GiveUp, "the server does not know the protocol we selected (4012)"),
        4016 => (VoiceCloseAction.GiveUp, "the server does not know the encryption mode we selected (4016)"),
        4020 => (VoiceCloseAction.GiveUp, "the server refused a request as malformed (4020)"),
        _ => (VoiceCloseAction.GiveUp, $"closed with unknown code {closeCode}"),
    };
}
