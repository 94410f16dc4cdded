using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Tests.Ledger;

public class LedgerCommandValidatorTests
{
    private static readonly LedgerKey Key = LedgerKey.FromOrigin(LedgerSource.Cli, "k1");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line one\nline two")]
    [InlineData("tab\there")]
    public void Bad_titles_are_rejected(string title)
    {
        var rejection = LedgerCommandValidator.Validate(new CreateLedgerEntry("idem-1", Key, title, LedgerSource.Cli));
        Assert.NotNull(rejection);
        Assert.Equal(LedgerRejectionKind.Validation, rejection.Kind);
    }

    [Fact]
    public void Ten_kilobyte_title_is_rejected_with_monday_limit_in_the_reason()
    {
        var rejection = LedgerCommandValidator.Validate(new CreateLedgerEntry("idem-1", Key, new string('x', 10_240), LedgerSource.Cli));
        Assert.NotNull(rejection);
        Assert.Contains("255", rejection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Quote \" and 'single'")]
    [InlineData("Braces { } and $variable and \\backslash")]
    [InlineData("mutation { delete_item(item_id: 1) { id } }")]
    [InlineData("\u202Eעברית RTL\u200B zero\u200Dwidth")]
    public void Hostile_but_single_line_titles_are_accepted(string title) =>
        Assert.Null(LedgerCommandValidator.Validate(new CreateLedgerEntry("idem-1", Key, title, LedgerSource.Cli)));

    [Fact]
    public void Illegal_status_change_is_rejected_as_illegal_transition()
    {
        var rejection = LedgerCommandValidator.Validate(new ChangeLedgerStatus("idem-2", Key, LedgerStatus.Requested, LedgerStatus.Done));
        Assert.NotNull(rejection);
        Assert.Equal(LedgerRejectionKind.IllegalTransition, rejection.Kind);
        Assert.Contains("requested", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains("done", rejection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("new\nline")]
    public void Idempotency_keys_must_be_header_safe(string key) =>
        Assert.NotNull(LedgerCommandValidator.Validate(new ArchiveLedgerEntry(key, Key)));

    [Fact]
    public void Update_without_changes_is_rejected() =>
        Assert.NotNull(LedgerCommandValidator.Validate(new UpdateLedgerDetails("idem-3", Key)));

    [Fact]
    public void Non_numeric_item_id_is_rejected() =>
        Assert.NotNull(LedgerCommandValidator.Validate(new ArchiveLedgerEntry("idem-4", Key) { MondayItemId = "12a" }));

    [Fact]
    public void Default_ledger_key_is_rejected() =>
        Assert.NotNull(LedgerCommandValidator.Validate(new ArchiveLedgerEntry("idem-5", default)));
}
