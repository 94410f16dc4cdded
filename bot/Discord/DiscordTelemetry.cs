using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DiscordLedgerBot.Discord;

/// <summary>Spans and instruments of our Discord client (REST calls, gateway events, interaction acks), on BCL types only.</summary>
public static class DiscordTelemetry
{
    public const string Name = "DiscordLedgerBot.Discord";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>From receiving an interaction to handing Discord its initial response (the 3-second deadline).</summary>
    public static readonly Histogram<double> InteractionAckLatency = Meter.CreateHistogram<double>("dlb.discord.interaction_ack_latency", unit: "ms", description: "Interaction receipt to initial response");

    public static readonly Counter<long> RestRateLimited = Meter.CreateCounter<long>("dlb.discord.rate_limited", description: "Discord REST answers of 429");
}
