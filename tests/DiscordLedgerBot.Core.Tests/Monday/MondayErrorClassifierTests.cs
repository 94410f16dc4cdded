using DiscordLedgerBot.Core.Monday;

namespace DiscordLedgerBot.Core.Tests.Monday;

public class MondayErrorClassifierTests
{
    [Theory]
    [InlineData("COMPLEXITY_BUDGET_EXHAUSTED")]
    [InlineData("complexityBudgetExhausted")]
    [InlineData("ComplexityException")]
    [InlineData("MINUTE_RATE_LIMIT_EXCEEDED")]
    [InlineData("RATE_LIMIT_EXCEEDED")]
    [InlineData("maxConcurrencyExceeded")]
    [InlineData("MAX_CONCURRENCY_EXCEEDED")]
    [InlineData("DAILY_LIMIT_EXCEEDED")]
    [InlineData("IP_RATE_LIMIT_EXCEEDED")]
    [InlineData("tooManyRequests")]
    [InlineData("FIELD_LIMIT_EXCEEDED")]
    public void Rate_limit_spellings_classify_as_rate_limited_on_200_and_429(string code)
    {
        Assert.Equal(MondayErrorKind.RateLimited, MondayErrorClassifier.Classify(code, "x", 200));
        Assert.Equal(MondayErrorKind.RateLimited, MondayErrorClassifier.Classify(code, "x", 429));
    }

    [Theory]
    [InlineData("IDEMPOTENCY_CONFLICT", 409, MondayErrorKind.Transient)]
    [InlineData("TIMEOUT_EXCEEDED", 503, MondayErrorKind.Transient)]
    [InlineData("API_TEMPORARILY_BLOCKED", 200, MondayErrorKind.Transient)]
    [InlineData("ItemNameTooLongException", 200, MondayErrorKind.Validation)]
    [InlineData("ColumnValueException", 200, MondayErrorKind.Validation)]
    [InlineData("InvalidBoardIdException", 200, MondayErrorKind.NotFound)]
    [InlineData("USER_ACCESS_DENIED", 403, MondayErrorKind.Unauthorized)]
    [InlineData(null, 429, MondayErrorKind.RateLimited)]
    [InlineData(null, 502, MondayErrorKind.Transient)]
    [InlineData(null, 423, MondayErrorKind.Transient)]
    [InlineData(null, 400, MondayErrorKind.Validation)]
    public void Codes_and_statuses_classify(string? code, int status, MondayErrorKind expected) =>
        Assert.Equal(expected, MondayErrorClassifier.Classify(code, "message", status));

    [Fact]
    public void Cursor_expiry_is_recognised_by_message() =>
        Assert.Equal(MondayErrorKind.CursorExpired, MondayErrorClassifier.Classify("InvalidArgumentException", "CursorExpiredError: cursor has expired", 200));

    [Fact]
    public void RateLimit_header_yields_the_longest_exhausted_reset()
    {
        var wait = MondayErrorClassifier.ParseRateLimitReset("\"minuteRate\";r=0;t=41, \"concurrency\";r=97, \"complexityMinute\";r=9200000;t=12");
        Assert.Equal(TimeSpan.FromSeconds(41), wait);
        Assert.Null(MondayErrorClassifier.ParseRateLimitReset("\"complexityMinute\";r=9200000;t=12"));
    }

    [Fact]
    public void Retry_after_accepts_seconds_and_dates()
    {
        var now = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), MondayErrorClassifier.ParseRetryAfter("7", now));
        Assert.Equal(TimeSpan.FromSeconds(30), MondayErrorClassifier.ParseRetryAfter("Sat, 21 Nov 2026 09:00:30 GMT", now));
        Assert.Null(MondayErrorClassifier.ParseRetryAfter(null, now));
    }
}
