using System.Globalization;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Discord.Interactions;

namespace DiscordLedgerBot.Slices.Shared;

/// <summary>Checks of what people type, each failing with a message that names the problem and the fix.</summary>
public static class SurfaceText
{
    /// <summary>
    /// Free text for the ledger: trimmed, within <paramref name="maxLength"/>, and free of invisible or direction-changing
    /// characters (zero-width spaces, bidi overrides), which would make an item look like something it is not.
    /// </summary>
    public static string Clean(string? text, string what, int maxLength, bool singleLine = true)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new InteractionInputException($"{what} must not be empty.");
        }

        if (trimmed.Length > maxLength)
        {
            throw new InteractionInputException($"{what} is {trimmed.Length} characters; at most {maxLength} fit. Shorten it (put details in a /ledger note).");
        }

        foreach (var c in trimmed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                throw new InteractionInputException(
                    $"{what} contains an invisible or text-direction character (U+{(int)c:X4}); remove it and type the text plainly.");
            }

            if (singleLine && char.IsControl(c))
            {
                throw new InteractionInputException($"{what} must be a single line.");
            }
        }

        return trimmed;
    }

    /// <summary>A due date: YYYY-MM-DD, "today", "tomorrow" or "+N" days; never in the past.</summary>
    public static DateOnly DueDate(string? text, DateOnly today)
    {
        var value = text?.Trim().ToLowerInvariant();
        DateOnly due;
        if (value == "today")
        {
            due = today;
        }
        else if (value == "tomorrow")
        {
            due = today.AddDays(1);
        }
        else if (value is ['+', .. var days] && int.TryParse(days.TrimEnd('d'), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset <= 3650)
        {
            due = today.AddDays(offset);
        }
        else if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out due))
        {
            throw new InteractionInputException($"'{text}' is not a date: use YYYY-MM-DD (e.g. {today.AddDays(7):yyyy-MM-dd}), today, tomorrow or +N days.");
        }

        if (due < today)
        {
            throw new InteractionInputException($"The due date {due:yyyy-MM-dd} is in the past (today is {today:yyyy-MM-dd}). Pick today or later.");
        }

        return due;
    }

    public static LedgerStatus Status(string? text) =>
        LedgerStatusNames.TryParse(text, out var status)
            ? status
            : throw new InteractionInputException($"'{text}' is not a status: use requested, in_progress, blocked or done.");

    public static string Label(this LedgerStatus status) => status switch
    {
        LedgerStatus.Requested => "Requested",
        LedgerStatus.InProgress => "In progress",
        LedgerStatus.Blocked => "Blocked",
        _ => "Done",
    };
}
