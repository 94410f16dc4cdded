using System.Globalization;
using System.Text.Json.Serialization;

namespace DiscordLedgerBot.Core.Escalation;

/// <summary>What makes an item escalate.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EscalationCondition>))]
public enum EscalationCondition
{
    /// <summary>The due date's day ended (in the team's time zone) and the item is not done; <c>After</c> adds grace.</summary>
    DueDatePassed,

    /// <summary>The due date moved at least <c>DriftDays</c> later than the first due date the bot saw.</summary>
    DueDateDrift,

    /// <summary>The item has been Blocked for <c>After</c>.</summary>
    BlockedLongerThan,

    /// <summary>The item has had no owner for <c>After</c>.</summary>
    NoOwnerAfter,

    /// <summary>Started by a person ("escalate now") with no policy running; holds until the item is done.</summary>
    Manual,
}

/// <summary>Who a level reaches.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EscalationTarget>))]
public enum EscalationTarget
{
    /// <summary>The item's owner: mentioned on the notice and sent a direct message.</summary>
    Owner,

    /// <summary>The team's Discord role, mentioned on the notice.</summary>
    TeamRole,

    /// <summary>The moderator channel gets the notice too.</summary>
    ModeratorChannel,
}

/// <summary>High urgency fires at any hour; low urgency waits for the team's support hours on business days.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EscalationUrgency>))]
public enum EscalationUrgency
{
    High,
    Low,
}

/// <summary>One step of a policy: fires <see cref="Delay"/> after the previous level (the first: after the condition began).</summary>
public sealed record EscalationLevel(TimeSpan Delay, IReadOnlyList<EscalationTarget> Targets, bool FollowUp);

/// <summary>A team's support window: business days and hours in its time zone.</summary>
public sealed record SupportCalendar(string TimeZoneId, TimeOnly Start, TimeOnly End, IReadOnlyList<DayOfWeek> BusinessDays)
{
    public static SupportCalendar Default { get; } = new("UTC", new TimeOnly(9, 0), new TimeOnly(17, 0), [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]);

    private TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    public bool IsOpen(DateTimeOffset instant)
    {
        var local = ToLocal(instant);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return BusinessDays.Contains(local.DayOfWeek) && time >= Start && time < End;
    }

    /// <summary><paramref name="instant"/> itself when the window is open, else the next opening.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset instant)
    {
        if (IsOpen(instant))
        {
            return instant;
        }

        var local = ToLocal(instant);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (TimeOnly.FromDateTime(local.DateTime) >= Start)
        {
            day = day.AddDays(1);
        }

        for (var i = 0; i < 8; i++, day = day.AddDays(1))
        {
            if (BusinessDays.Contains(day.DayOfWeek))
            {
                return StartOfLocal(day.ToDateTime(Start));
            }
        }

        // Validation requires at least one business day, so a week always holds an opening.
        throw new InvalidOperationException("The support calendar has no business day.");
    }

    /// <summary>The instant the local day <paramref name="day"/> begins (its midnight in the team's zone).</summary>
    public DateTimeOffset StartOfDay(DateOnly day) => StartOfLocal(day.ToDateTime(TimeOnly.MinValue));

    public DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(ToLocal(now).DateTime);

    private DateTimeOffset StartOfLocal(DateTime local)
    {
        var zone = Zone;
        // A local time skipped by a daylight-saving jump does not exist; the jump's end is the first valid instant.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TimeZoneId} {Start:HH\\:mm}-{End:HH\\:mm} {string.Join(',', BusinessDays.Select(d => d.ToString()[..3]))}");
}

/// <summary>
/// A policy as the engine runs it: immutable, copied into each episode when the episode starts so that editing the
/// configuration never changes an escalation already under way.
/// </summary>
public sealed record EscalationPolicy
{
    public required string Name { get; init; }

    public required EscalationCondition Condition { get; init; }

    /// <summary>Grace (due date passed) or threshold (blocked, no owner) before the condition counts.</summary>
    public TimeSpan After { get; init; }

    public int DriftDays { get; init; }

    public EscalationUrgency Urgency { get; init; } = EscalationUrgency.High;

    /// <summary>How many more times the levels loop after the last one fired (0: the levels run once).</summary>
    public int Repeat { get; init; }

    /// <summary>An acknowledgement lapses after this long and escalation resumes; zero: it holds until the item is done.</summary>
    public TimeSpan AckTimeout { get; init; }

    /// <summary>While acknowledged (or at the top of its levels) but not done, remind once a day in support hours.</summary>
    public bool DailyReminder { get; init; } = true;

    public required IReadOnlyList<EscalationLevel> Levels { get; init; }

    public required SupportCalendar Calendar { get; init; }

    /// <summary>The team role <see cref="EscalationTarget.TeamRole"/> mentions (a Discord role id), when the team has one.</summary>
    public string? TeamRoleId { get; init; }

    public int StepCount => Levels.Count * (Repeat + 1);
}
