using System.Globalization;

namespace DiscordLedgerBot.Discord.Messages;

/// <summary>
/// Fits free text into Discord's length limits. Lengths are counted in UTF-16 units, which is never fewer than the
/// code points Discord counts, so a fitted string is always accepted; a surrogate pair is never split.
/// </summary>
public static class DiscordText
{
    /// <summary>The single character that marks text as cut short.</summary>
    public const string Ellipsis = "…";

    /// <summary>Returns <paramref name="text"/> unchanged when it fits, else its start plus "…" in exactly <paramref name="maxLength"/> units.</summary>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text.Length <= maxLength)
        {
            return text;
        }

        var keep = maxLength - Ellipsis.Length;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), Ellipsis);
    }

    internal static string Required(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new DiscordLimitException($"{what} must not be empty.");
        }

        return value;
    }

    internal static string CustomId(string? customId, string what)
    {
        if (string.IsNullOrEmpty(customId) || customId.Length > DiscordLimits.CustomIdLength)
        {
            throw new DiscordLimitException(
                $"{what} custom_id must be 1-{DiscordLimits.CustomIdLength} characters (was {customId?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"}).");
        }

        return customId;
    }

    internal static string Url(string url, int maxLength, string what)
    {
        if (url.Length > maxLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) ||
            (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != "discord"))
        {
            throw new DiscordLimitException($"{what} must be an absolute http(s) or discord:// URL of at most {maxLength} characters.");
        }

        return url;
    }
}

/// <summary>A message, embed or component would break one of Discord's structural limits; sending it would get a 400.</summary>
public sealed class DiscordLimitException(string message) : Exception(message);

/// <summary>Discord's documented limits for messages, embeds and components (protocol facts section 4).</summary>
public static class DiscordLimits
{
    public const int ContentLength = 2000;
    public const int EmbedsPerMessage = 10;
    public const int EmbedTitleLength = 256;
    public const int EmbedDescriptionLength = 4096;
    public const int EmbedFields = 25;
    public const int EmbedFieldNameLength = 256;
    public const int EmbedFieldValueLength = 1024;
    public const int EmbedFooterLength = 2048;
    public const int EmbedAuthorNameLength = 256;
    public const int EmbedUrlLength = 2048;
    public const int EmbedTotalLength = 6000;
    public const int ActionRowsPerMessage = 5;
    public const int ButtonsPerRow = 5;
    public const int ButtonLabelLength = 80;
    public const int ButtonUrlLength = 512;
    public const int CustomIdLength = 100;
    public const int SelectOptions = 25;
    public const int SelectOptionTextLength = 100;
    public const int SelectPlaceholderLength = 150;
    public const int ModalTitleLength = 45;
    public const int ModalComponents = 5;
    public const int TextInputLabelLength = 45;
    public const int TextInputPlaceholderLength = 100;
    public const int TextInputValueLength = 4000;
    public const int AutocompleteChoices = 25;
    public const int ChoiceNameLength = 100;
    public const int ChoiceStringValueLength = 100;
    public const int AllowedMentionIds = 100;
}
