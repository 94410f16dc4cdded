namespace DiscordLedgerBot.Core.Ledger;

/// <summary>
/// Input rules every command must meet before anything is sent to monday: the status machine, monday's 1–255
/// character item names, header-safe idempotency keys. Returns a rejection naming the problem, or null.
/// </summary>
public static class LedgerCommandValidator
{
    /// <summary>monday's item-name limit (ItemNameTooLongException beyond it).</summary>
    public const int MaxTitleLength = 255;

    public const int MaxIdempotencyKeyLength = 200;

    public const int MaxOwnerLength = 255;

    public const int MaxCommentLength = 20_000;

    /// <summary>A long-text cap of ~2,000 characters is reported for monday (unconfirmed); we stay inside it.</summary>
    public const int MaxEscalationTrailLength = 2_000;

    public static LedgerRejected? Validate(LedgerCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var problem = CommonProblem(command) ?? command switch
        {
            CreateLedgerEntry create => TitleProblem(create.Title, "Title")
                ?? OwnerProblem(create.Owner)
                ?? ChannelProblem(create.DiscordChannelId)
                ?? (Enum.IsDefined(create.Source) ? null : $"Source {create.Source} is not a known surface."),
            ChangeLedgerStatus status => null,
            UpdateLedgerDetails details => DetailsProblem(details),
            CommentOnLedgerEntry comment => CommentProblem(comment.Body),
            AddLedgerFollowUp followUp => TitleProblem(followUp.Title, "Follow-up title"),
            EscalateLedgerEntry escalate => EscalationProblem(escalate),
            ArchiveLedgerEntry => null,
            MoveLedgerEntry move => Enum.IsDefined(move.Group) ? null : $"Group {move.Group} is not a ledger group.",
            _ => $"Unsupported command {command.GetType().Name}.",
        };

        if (problem is not null)
        {
            return new LedgerRejected(command, LedgerRejectionKind.Validation, problem);
        }

        if (command is ChangeLedgerStatus change && LedgerStatusMachine.RejectionReason(change.From, change.To) is { } reason)
        {
            return new LedgerRejected(command, LedgerRejectionKind.IllegalTransition, reason);
        }

        return null;
    }

    public static string? TitleProblem(string? title, string what)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return $"{what} must not be empty.";
        }

        if (title.Length > MaxTitleLength)
        {
            return $"{what} is {title.Length} characters; monday item names hold at most {MaxTitleLength}.";
        }

        // Item names are single-line on monday; a newline or other control character would be mangled.
        return title.Any(char.IsControl) ? $"{what} must be a single line without control characters." : null;
    }

    private static string? CommonProblem(LedgerCommand command)
    {
        if (string.IsNullOrEmpty(command.IdempotencyKey))
        {
            return "Idempotency key must not be empty.";
        }

        if (command.IdempotencyKey.Length > MaxIdempotencyKeyLength || command.IdempotencyKey.Any(c => c is < '!' or > '~'))
        {
            return $"Idempotency key must be 1–{MaxIdempotencyKeyLength} visible ASCII characters (it travels in an HTTP header).";
        }

        if (command.Key.Value is null)
        {
            return "Ledger key is missing.";
        }

        return command is not CreateLedgerEntry && command.MondayItemId is { } itemId && (itemId.Length == 0 || !itemId.All(char.IsAsciiDigit))
            ? $"monday item id must be digits, got '{itemId}'."
            : null;
    }

    private static string? OwnerProblem(string? owner) =>
        owner is null ? null
        : owner.Length > MaxOwnerLength ? $"Owner is {owner.Length} characters; at most {MaxOwnerLength}."
        : owner.Any(char.IsControl) ? "Owner must be a single line without control characters."
        : null;

    private static string? ChannelProblem(string? channelId) =>
        channelId is null || (channelId.Length is > 0 and <= 20 && channelId.All(char.IsAsciiDigit))
            ? null
            : $"Discord channel id must be 1–20 digits, got '{channelId}'.";

    private static string? DetailsProblem(UpdateLedgerDetails details)
    {
        if (details.Title is null && details.Owner is null && details.DueDate is null && !details.ClearOwner && !details.ClearDueDate)
        {
            return "Nothing to update: give a title, owner or due date (or clear one).";
        }

        if (details.ClearOwner && details.Owner is not null)
        {
            return "Owner cannot be set and cleared at once.";
        }

        if (details.ClearDueDate && details.DueDate is not null)
        {
            return "Due date cannot be set and cleared at once.";
        }

        return (details.Title is null ? null : TitleProblem(details.Title, "Title")) ?? OwnerProblem(details.Owner);
    }

    private static string? CommentProblem(string? body) =>
        string.IsNullOrWhiteSpace(body) ? "Comment must not be empty."
        : body.Length > MaxCommentLength ? $"Comment is {body.Length} characters; at most {MaxCommentLength}."
        : null;

    private static string? EscalationProblem(EscalateLedgerEntry escalate)
    {
        if (escalate.Level is < 0 or > 100)
        {
            return $"Escalation level must be 0–100, got {escalate.Level}.";
        }

        if (escalate.Trail is null || escalate.Trail.Any(line => line is null || line.Contains('\n', StringComparison.Ordinal)))
        {
            return "Escalation trail lines must be present and single-line.";
        }

        var length = escalate.Trail.Sum(line => line.Length + 1);
        return length > MaxEscalationTrailLength ? $"Escalation trail is {length} characters; at most {MaxEscalationTrailLength}." : null;
    }
}
