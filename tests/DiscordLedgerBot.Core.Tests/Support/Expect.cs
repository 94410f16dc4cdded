using DiscordLedgerBot.Core.Ledger;

namespace DiscordLedgerBot.Core.Tests.Support;

/// <summary>Result assertions that print the whole result (with its reason) when they fail.</summary>
internal static class Expect
{
    public static LedgerApplied Applied(LedgerResult result) =>
        result as LedgerApplied ?? throw new Xunit.Sdk.XunitException($"Expected applied, got {Describe(result)}");

    public static LedgerRejected Rejected(LedgerResult result, LedgerRejectionKind kind)
    {
        if (result is LedgerRejected rejected && rejected.Kind == kind)
        {
            return rejected;
        }

        throw new Xunit.Sdk.XunitException($"Expected rejected ({kind}), got {Describe(result)}");
    }

    private static string Describe(LedgerResult result) => result switch
    {
        LedgerApplied a => $"applied item {a.MondayItemId}",
        LedgerRejected r => $"rejected {r.Kind}: {r.Reason}",
        LedgerRetryable t => $"retryable: {t.Reason}",
        _ => result.ToString(),
    };
}
