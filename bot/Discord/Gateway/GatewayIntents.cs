namespace DiscordLedgerBot.Discord.Gateway;

/// <summary>Intent bit names, to explain close codes 4013/4014 in words an operator can act on.</summary>
internal static class GatewayIntents
{
    /// <summary>Intents that must be switched on in the developer portal before Discord accepts them.</summary>
    public const int Privileged = (1 << 1) | (1 << 8) | (1 << 15);

    private static readonly Dictionary<int, string> Names = new()
    {
        [0] = "GUILDS",
        [1] = "GUILD_MEMBERS",
        [2] = "GUILD_MODERATION",
        [3] = "GUILD_EXPRESSIONS",
        [4] = "GUILD_INTEGRATIONS",
        [5] = "GUILD_WEBHOOKS",
        [6] = "GUILD_INVITES",
        [7] = "GUILD_VOICE_STATES",
        [8] = "GUILD_PRESENCES",
        [9] = "GUILD_MESSAGES",
        [10] = "GUILD_MESSAGE_REACTIONS",
        [11] = "GUILD_MESSAGE_TYPING",
        [12] = "DIRECT_MESSAGES",
        [13] = "DIRECT_MESSAGE_REACTIONS",
        [14] = "DIRECT_MESSAGE_TYPING",
        [15] = "MESSAGE_CONTENT",
        [16] = "GUILD_SCHEDULED_EVENTS",
        [20] = "AUTO_MODERATION_CONFIGURATION",
        [21] = "AUTO_MODERATION_EXECUTION",
        [24] = "GUILD_MESSAGE_POLLS",
        [25] = "DIRECT_MESSAGE_POLLS",
    };

    public static IReadOnlyList<string> Describe(int intents)
    {
        var names = new List<string>();
        for (var bit = 0; bit < 31; bit++)
        {
            if ((intents & (1 << bit)) != 0)
            {
                names.Add(Names.TryGetValue(bit, out var name) ? name : $"1<<{bit}");
            }
        }

        return names;
    }
}
