using System.Globalization;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>
/// Interaction settings, bound from the <c>Discord</c> section beside <see cref="DiscordOptions"/>
/// (keys <c>Discord:PublicKey</c>, <c>Discord:InteractionDeferAfter</c>, <c>Discord:InteractionSignatureMaxAge</c>).
/// </summary>
public sealed class DiscordInteractionsOptions
{
    public const string SectionName = "Discord";

    /// <summary>The application's Ed25519 public key (64 hex characters, developer portal). Required only for the HTTP endpoint.</summary>
    public string? PublicKey { get; set; }

    /// <summary>
    /// A handler still running this long after the interaction was received gets an automatic deferral, leaving margin
    /// under Discord's 3-second deadline for the callback's own round trip.
    /// </summary>
    public TimeSpan InteractionDeferAfter { get; set; } = TimeSpan.FromSeconds(2.2);

    /// <summary>HTTP interactions whose signed timestamp is older than this (or as far in the future) are refused as replays.</summary>
    public TimeSpan InteractionSignatureMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest HTTP interaction body accepted.</summary>
    public int InteractionMaxBodyBytes { get; set; } = 1024 * 1024;
}

public sealed class DiscordInteractionsOptionsValidator : IValidateOptions<DiscordInteractionsOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordInteractionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.PublicKey) && !IsHexKey(options.PublicKey))
        {
            failures.Add("Discord:PublicKey must be the application's public key: 64 hexadecimal characters from the developer portal (env Discord__PublicKey).");
        }

        if (options.InteractionDeferAfter <= TimeSpan.Zero || options.InteractionDeferAfter > TimeSpan.FromSeconds(2.8))
        {
            failures.Add($"Discord:InteractionDeferAfter must be between 0 and 2.8 seconds so the deferral beats Discord's 3-second deadline (was {options.InteractionDeferAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; env Discord__InteractionDeferAfter).");
        }

        if (options.InteractionSignatureMaxAge < TimeSpan.FromSeconds(1) || options.InteractionSignatureMaxAge > TimeSpan.FromHours(1))
        {
            failures.Add("Discord:InteractionSignatureMaxAge must be between 1 second and 1 hour (env Discord__InteractionSignatureMaxAge).");
        }

        if (options.InteractionMaxBodyBytes < 1024)
        {
            failures.Add("Discord:InteractionMaxBodyBytes must be at least 1024 (env Discord__InteractionMaxBodyBytes).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsHexKey(string key) => key.Length == 64 && key.All(char.IsAsciiHexDigit);
}
