using System.Text.Json;

namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>
/// Dispatch INTERACTION_CREATE. <see cref="Interaction"/> is the raw interaction object; the interactions layer parses it.
/// <see cref="ReceivedAt"/> (TimeProvider timestamp) lets the responder honour the 3-second deadline.
/// </summary>
public sealed record InteractionCreated(JsonElement Interaction, long ReceivedAt) : IGatewayEvent;
