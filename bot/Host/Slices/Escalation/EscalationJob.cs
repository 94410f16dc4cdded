using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Slices.Ledger;
using Quartz;

namespace DiscordLedgerBot.Slices.Escalation;

/// <summary>
/// Every Escalation:Interval: one engine pass over the ledger's active items (<see cref="LedgerPassSource"/>: the item
/// index in one process, the board itself when processes are several). Never two passes at once in one process; a
/// second process is kept from doubling anything by the engine's keys and markers.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class EscalationJob(EscalationEngine engine, LedgerPassSource items, ILogger<EscalationJob> logger) : IJob
{
    public static readonly JobKey Key = new("escalation", "escalation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var result = await engine.RunAsync(await items.ActiveEntriesAsync(cancellationToken), cancellationToken);
        if (result.Fired + result.Reminded + result.Resolved + result.Archived + result.Failed > 0)
        {
            LogPass(logger, result.Items, result.Fired, result.Reminded, result.Resolved, result.Archived, result.Failed);
        }
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Escalation pass over {Items} item(s): {Fired} fired, {Reminded} reminded, {Resolved} resolved, {Archived} archived, {Failed} failed")]
    private static partial void LogPass(ILogger logger, int items, int fired, int reminded, int resolved, int archived, int failed);
}
