using System.Globalization;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>How the client treats an error.</summary>
public enum MondayErrorKind
{
    /// <summary>The request or one field is wrong; never retried.</summary>
    Validation,

    /// <summary>A rate-limit family error (complexity, minute, concurrency, daily, IP, per-field throttling); retried after the hint.</summary>
    RateLimited,

    /// <summary>Timeout, server error, busy board, idempotency conflict, dropped connection; retried (safe: mutations carry an Idempotency-Key).</summary>
    Transient,

    /// <summary>Token missing, invalid or without permission; never retried.</summary>
    Unauthorized,

    /// <summary>An items_page cursor outlived its 60 minutes; the reader restarts the listing.</summary>
    CursorExpired,

    /// <summary>The addressed board/item/column does not exist.</summary>
    NotFound,
}

/// <summary>One entry of a GraphQL <c>errors[]</c> array, classified.</summary>
public sealed record MondayError(string Message, string? Code, IReadOnlyList<string> Path, TimeSpan? RetryIn, MondayErrorKind Kind)
{
    /// <summary>The root field (alias) the error belongs to, when monday gave a path.</summary>
    public string? Alias => Path.Count > 0 ? Path[0] : null;
}

/// <summary>
/// Maps monday's many spellings of an error code to a <see cref="MondayErrorKind"/>. Codes are compared
/// case-insensitively with underscores ignored, so <c>COMPLEXITY_BUDGET_EXHAUSTED</c>, <c>complexityBudgetExhausted</c>
/// and <c>ComplexityException</c> all land in the same bucket (see docs/monday-api-facts.md §3).
/// </summary>
public static class MondayErrorClassifier
{
    private static readonly HashSet<string> RateLimitCodes = new(StringComparer.Ordinal)
    {
        "complexitybudgetexhausted", "complexityexception", "minuteratelimitexceeded", "ratelimitexceeded",
        "minutelimitrateexceeded", "maxconcurrencyexceeded", "concurrencylimitexceeded", "dailylimitexceeded",
        "ipratelimitexceeded", "toomanyrequests", "fieldlimitexceeded",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "timeoutexceeded", "apitemporarilyblocked", "idempotencyconflict", "internalservererror", "resourcelocked",
    };

    private static readonly HashSet<string> UnauthorizedCodes = new(StringComparer.Ordinal)
    {
        "unauthorized", "userunauthorizedexception", "useraccessdenied", "missingrequiredpermissions",
    };

    private static readonly HashSet<string> NotFoundCodes = new(StringComparer.Ordinal)
    {
        "resourcenotfoundexception", "invalidboardidexception", "invaliditemidexception",
    };

    public static string? Normalize(string? code) =>
        code?.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    public static MondayErrorKind Classify(string? code, string? message, int httpStatus)
    {
        var normalized = Normalize(code);
        if (normalized is not null)
        {
            if (RateLimitCodes.Contains(normalized))
            {
                return MondayErrorKind.RateLimited;
            }

            if (TransientCodes.Contains(normalized))
            {
                return MondayErrorKind.Transient;
            }

            if (UnauthorizedCodes.Contains(normalized))
            {
                return MondayErrorKind.Unauthorized;
            }

            if (NotFoundCodes.Contains(normalized))
            {
                return MondayErrorKind.NotFound;
            }

            if (normalized.Contains("cursor", StringComparison.Ordinal) && normalized.Contains("expire", StringComparison.Ordinal))
            {
                return MondayErrorKind.CursorExpired;
            }
        }

        if (message is not null && message.Contains("cursor", StringComparison.OrdinalIgnoreCase)
            && message.Contains("expire", StringComparison.OrdinalIgnoreCase))
        {
            return MondayErrorKind.CursorExpired;
        }

        return httpStatus switch
        {
            429 => MondayErrorKind.RateLimited,
            401 or 403 => MondayErrorKind.Unauthorized,
            408 or 423 or >= 500 => MondayErrorKind.Transient,
            _ => MondayErrorKind.Validation,
        };
    }

    /// <summary>Reads <c>Retry-After</c> as seconds or an HTTP date.</summary>
    public static TimeSpan? ParseRetryAfter(string? header, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (double.TryParse(header.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at > now
            ? at - now
            : null;
    }

    /// <summary>
    /// The longest <c>t=</c> among exhausted (<c>r=0</c>) policies of an IETF <c>RateLimit</c> header, e.g.
    /// <c>"minuteRate";r=0;t=41, "complexityMinute";r=9200000;t=12</c> → 41 s. Null when nothing is exhausted.
    /// </summary>
    public static TimeSpan? ParseRateLimitReset(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        TimeSpan? longest = null;
        foreach (var policy in header.Split(','))
        {
            long? remaining = null;
            long? reset = null;
            foreach (var parameter in policy.Split(';').Skip(1))
            {
                var pair = parameter.Split('=', 2);
                if (pair.Length != 2 || !long.TryParse(pair[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                switch (pair[0].Trim())
                {
                    case "r":
                        remaining = number;
                        break;
                    case "t":
                        reset = number;
                        break;
                }
            }

            if (remaining is <= 0 && reset is >= 0 && (longest is null || TimeSpan.FromSeconds(reset.Value) > longest))
            {
                longest = TimeSpan.FromSeconds(reset.Value);
            }
        }

        return longest;
    }
}
