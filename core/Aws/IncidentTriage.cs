using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;

namespace DiscordLedgerBot.Core.Aws;

/// <summary>What one triage step did: the incident's ledger key, whether it is open or recovered, and the validation item when one was made.</summary>
public sealed record IncidentTriageStep(string IncidentKey, string State, bool Created, string TimelineUpdate, string? ValidationKey, DateOnly? ValidationDue);

/// <summary>
/// Mirrors an incident triage session into the ledger, through the outbox: the first breaching snapshot opens an
/// incident item (due today, owned by whoever triages); every step of the session adds a timeline update with the
/// snapshot's figures; the first step that finds the metric back under its threshold adds a "validate the recovery"
/// item due <see cref="ValidationAfterDays"/> later, which the escalation engine reminds about and escalates like any
/// item past its due date. The incident's key derives from the metric (region, namespace, name, dimensions,
/// statistic), so a session's later steps find it without the caller carrying it.
/// </summary>
public sealed class IncidentTriage(LedgerIngestion ingestion, ILedger ledger, TimeProvider time)
{
    public const int ValidationAfterDays = 1;

    /// <param name="stepKey">The idempotency key of this step's request (a repeated request adds no second update).</param>
    public async Task<IncidentTriageStep> StepAsync(MetricSnapshot snapshot, string stepKey, string? owner, string? channelId, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrEmpty(stepKey);
        if (snapshot.Query.ThresholdValue is not { } threshold)
        {
            throw new ArgumentException("A triage step needs a threshold: it decides whether the incident is open or recovered.", nameof(snapshot));
        }

        var key = KeyOf(snapshot);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var existing = await ledger.FindByKeyAsync(key, cancellationToken).ConfigureAwait(false);
        var breachingNow = snapshot.Latest is { } latest && latest > threshold;
        var created = false;
        if (existing is null)
        {
            if (snapshot.Incident is not { } incident)
            {
                return new IncidentTriageStep(key.Value, "quiet", false, string.Empty, null, null);
            }

            var title = Shorten($"Incident: {snapshot.Query.MetricName} {snapshot.Query.Statistic} above {threshold.ToString(CultureInfo.InvariantCulture)} in {snapshot.Region} ({incident.Severity})", 255);
            var open = await ingestion.RecordAsync(new CreateLedgerEntry($"{key}:open", key, title, LedgerSource.Aws) { Owner = owner, DueDate = today, DiscordChannelId = channelId }, cancellationToken).ConfigureAwait(false);
            created = !open.IsDuplicate;
        }

        var state = breachingNow ? "open" : "recovered";
        var line = Timeline(snapshot, state, note);
        await ingestion.RecordAsync(new CommentOnLedgerEntry($"{stepKey}:timeline", key, line) { MondayItemId = existing?.MondayItemId }, cancellationToken).ConfigureAwait(false);
        if (breachingNow)
        {
            return new IncidentTriageStep(key.Value, state, created, line, null, null);
        }

        // One validation item per incident: its key derives from the incident's.
        var validationKey = LedgerKey.Parse($"{key.Value}:validate");
        var due = today.AddDays(ValidationAfterDays);
        var validation = new CreateLedgerEntry($"{validationKey}:open", validationKey, Shorten($"Validate recovery: {snapshot.Query.MetricName} {snapshot.Query.Statistic} in {snapshot.Region} stays under {threshold.ToString(CultureInfo.InvariantCulture)}", 255), LedgerSource.Aws)
        {
            Owner = owner ?? existing?.Owner,
            DueDate = due,
            DiscordChannelId = channelId ?? existing?.DiscordChannelId,
        };
        if (await ledger.FindByKeyAsync(validationKey, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await ingestion.RecordAsync(validation, cancellationToken).ConfigureAwait(false);
            }
            catch (OutboxIdempotencyConflictException)
            {
                // Recorded by an earlier step of the session (with another owner or due date): still one validation item.
            }
        }

        return new IncidentTriageStep(key.Value, state, created, line, validationKey.Value, due);
    }

    /// <summary><c>aws:incident:&lt;hash&gt;</c> of region, namespace, metric, sorted dimensions and statistic.</summary>
    public static LedgerKey KeyOf(MetricSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var query = snapshot.Query;
        var identity = string.Join('\n', [snapshot.Region, query.Namespace, query.MetricName, query.Statistic, .. query.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")]);
        return LedgerKey.Parse("aws:incident:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..20].ToLowerInvariant());
    }

    private static string Timeline(MetricSnapshot snapshot, string state, string? note)
    {
        var figures = string.Create(CultureInfo.InvariantCulture, $"latest {snapshot.Latest:0.####}, max {snapshot.Maximum:0.####}, average {snapshot.Average:0.####} over {snapshot.Points.Count} points ending {snapshot.Query.End:u}");
        var incident = snapshot.Incident is { } i ? $" {i.Summary}." : string.Empty;
        var text = $"[{state}] {snapshot.Query.Namespace} {snapshot.Query.MetricName} {snapshot.Query.Statistic}: {figures}.{incident}";
        return note is { Length: > 0 } ? $"{text}\nNote: {note}" : text;
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
