using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Escalation;

/// <summary>
/// Section "Escalation": the policies the escalation job runs, the teams' support calendars and where notices go
/// (docs/operations/escalation.md). With nothing configured a team gets <see cref="DefaultPolicyName"/>: an item whose
/// due date passed escalates to its owner at once, to the team role 4 hours later and to the moderators (with a follow-up subitem) a day later, in support hours.
/// </summary>
public sealed class EscalationOptions
{
    public const string SectionName = "Escalation";
    public const string DefaultTeam = "default";
    public const string DefaultPolicyName = "due-date-passed";

    /// <summary>False stops the job: no episode starts or advances (the board keeps what it shows).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the job evaluates every item.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Discord channel id where <see cref="EscalationTarget.ModeratorChannel"/> levels post, and items with no card channel.</summary>
    public string? ModeratorChannelId { get; set; }

    /// <summary>The policy "escalate now" runs on an item no policy escalates yet (its levels, repeat, timeouts).</summary>
    public string ManualPolicy { get; set; } = DefaultPolicyName;

    /// <summary>Team name → support calendar and role. A "default" team (UTC, 09:00–17:00, Monday–Friday) exists unless configured.</summary>
    public IDictionary<string, EscalationTeamOptions> Teams { get; } = new Dictionary<string, EscalationTeamOptions>(StringComparer.Ordinal);

    /// <summary>Policy name → policy. <see cref="DefaultPolicyName"/> exists unless configured (set its Enabled=false to turn it off).</summary>
    public IDictionary<string, EscalationPolicyOptions> Policies { get; } = new Dictionary<string, EscalationPolicyOptions>(StringComparer.Ordinal);

    /// <summary>Archiving of items done for longer than a period (docs/operations/escalation.md, "Retention").</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>The enabled policies as the engine runs them (validated options only).</summary>
    public IReadOnlyList<EscalationPolicy> BuildPolicies() =>
        [.. EffectivePolicies().Where(p => p.Value.Enabled).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Build(p.Key, p.Value))];

    /// <summary>The policy "escalate now" starts, as the engine runs it; null when <see cref="ManualPolicy"/> names none.</summary>
    public EscalationPolicy? BuildManualPolicy() =>
        EffectivePolicies().TryGetValue(ManualPolicy, out var policy) ? Build(ManualPolicy, policy) with { Condition = EscalationCondition.Manual } : null;

    public IReadOnlyDictionary<string, EscalationPolicyOptions> EffectivePolicies()
    {
        var policies = new Dictionary<string, EscalationPolicyOptions>(Policies, StringComparer.Ordinal);
        if (!policies.ContainsKey(DefaultPolicyName))
        {
            policies[DefaultPolicyName] = EscalationPolicyOptions.DueDatePassedDefault();
        }

        return policies;
    }

    public IReadOnlyDictionary<string, EscalationTeamOptions> EffectiveTeams()
    {
        var teams = new Dictionary<string, EscalationTeamOptions>(Teams, StringComparer.Ordinal);
        teams.TryAdd(DefaultTeam, new EscalationTeamOptions());
        return teams;
    }

    private EscalationPolicy Build(string name, EscalationPolicyOptions policy)
    {
        var team = EffectiveTeams()[policy.Team];
        return new EscalationPolicy
        {
            Name = name,
            Condition = policy.Condition,
            After = policy.After,
            DriftDays = policy.DriftDays,
            Urgency = policy.Urgency,
            Repeat = policy.Repeat,
            AckTimeout = policy.AckTimeout,
            DailyReminder = policy.DailyReminder,
            Levels = [.. policy.Levels.Select(l => new EscalationLevel(l.Delay, [.. l.Targets.Distinct()], l.FollowUp))],
            Calendar = team.ToCalendar(),
            TeamRoleId = string.IsNullOrEmpty(team.RoleId) ? null : team.RoleId,
        };
    }
}

public sealed class EscalationTeamOptions
{
    /// <summary>IANA time zone id (e.g. "Europe/Berlin").</summary>
    public string TimeZone { get; set; } = "UTC";

    public TimeOnly SupportStart { get; set; } = new(9, 0);

    public TimeOnly SupportEnd { get; set; } = new(17, 0);

    /// <summary>Empty: Monday to Friday.</summary>
    public IList<DayOfWeek> BusinessDays { get; } = [];

    /// <summary>Discord role id mentioned by <see cref="EscalationTarget.TeamRole"/> levels.</summary>
    public string? RoleId { get; set; }

    public SupportCalendar ToCalendar() =>
        new(TimeZone, SupportStart, SupportEnd, BusinessDays.Count == 0 ? SupportCalendar.Default.BusinessDays : [.. BusinessDays.Distinct()]);
}

public sealed class EscalationPolicyOptions
{
    public bool Enabled { get; set; } = true;

    public EscalationCondition Condition { get; set; } = EscalationCondition.DueDatePassed;

    /// <summary>Grace after the due day (due date passed); how long blocked / without owner before it counts.</summary>
    public TimeSpan After { get; set; }

    /// <summary>Due date drift: how many days later than first seen the due date must move.</summary>
    public int DriftDays { get; set; }

    public EscalationUrgency Urgency { get; set; } = EscalationUrgency.High;

    public string Team { get; set; } = EscalationOptions.DefaultTeam;

    public int Repeat { get; set; }

    public TimeSpan AckTimeout { get; set; }

    public bool DailyReminder { get; set; } = true;

    public IList<EscalationLevelOptions> Levels { get; } = [];

    public static EscalationPolicyOptions DueDatePassedDefault()
    {
        var policy = new EscalationPolicyOptions { Condition = EscalationCondition.DueDatePassed, Urgency = EscalationUrgency.Low, AckTimeout = TimeSpan.FromHours(24) };
        policy.Levels.Add(EscalationLevelOptions.Of(TimeSpan.Zero, EscalationTarget.Owner));
        policy.Levels.Add(EscalationLevelOptions.Of(TimeSpan.FromHours(4), EscalationTarget.Owner, EscalationTarget.TeamRole));
        var top = EscalationLevelOptions.Of(TimeSpan.FromHours(24), EscalationTarget.TeamRole, EscalationTarget.ModeratorChannel);
        top.FollowUp = true;
        policy.Levels.Add(top);
        return policy;
    }
}

public sealed class EscalationLevelOptions
{
    public TimeSpan Delay { get; set; }

    public IList<EscalationTarget> Targets { get; } = [];

    /// <summary>Also create a follow-up subitem on the item when this level fires.</summary>
    public bool FollowUp { get; set; }

    public static EscalationLevelOptions Of(TimeSpan delay, params EscalationTarget[] targets)
    {
        var level = new EscalationLevelOptions { Delay = delay };
        foreach (var target in targets)
        {
            level.Targets.Add(target);
        }

        return level;
    }
}

/// <summary>Section "Escalation:Retention".</summary>
public sealed class RetentionOptions
{
    /// <summary>Items done for longer than this are archived on monday (restorable there for 30 days); zero turns archiving off.</summary>
    public TimeSpan ArchiveDoneAfter { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>Checks the whole section at start; each failure names its key and environment variable.</summary>
public sealed partial class EscalationOptionsValidator : IValidateOptions<EscalationOptions>
{
    public ValidateOptionsResult Validate(string? name, EscalationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromHours(1))
        {
            failures.Add(Key("Interval", "must be between 00:00:01 and 01:00:00"));
        }

        if (options.ModeratorChannelId is { Length: > 0 } channel && !IsSnowflake(channel))
        {
            failures.Add(Key("ModeratorChannelId", $"'{channel}' is not a Discord channel id (digits)"));
        }

        if (options.Retention.ArchiveDoneAfter < TimeSpan.Zero)
        {
            failures.Add(Key("Retention:ArchiveDoneAfter", "must not be negative (0 turns archiving off)"));
        }

        var teams = options.EffectiveTeams();
        foreach (var (teamName, team) in teams)
        {
            var prefix = $"Teams:{teamName}:";
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(team.TimeZone, out _))
            {
                failures.Add(Key(prefix + "TimeZone", $"'{team.TimeZone}' is not a time zone this machine knows (use an IANA id such as Europe/Berlin)"));
            }

            if (team.SupportStart >= team.SupportEnd)
            {
                failures.Add(Key(prefix + "SupportStart", "must be earlier than SupportEnd"));
            }

            if (team.RoleId is { Length: > 0 } role && !IsSnowflake(role))
            {
                failures.Add(Key(prefix + "RoleId", $"'{role}' is not a Discord role id (digits)"));
            }
        }

        var policies = options.EffectivePolicies();
        if (!policies.ContainsKey(options.ManualPolicy))
        {
            failures.Add(Key("ManualPolicy", $"names no policy ('{options.ManualPolicy}'); known: {string.Join(", ", policies.Keys)}"));
        }

        foreach (var (policyName, policy) in policies)
        {
            var prefix = $"Policies:{policyName}:";
            if (!PolicyName().IsMatch(policyName))
            {
                failures.Add(Key($"Policies:{policyName}", "policy names are 1–40 lowercase letters, digits and dashes"));
            }

            if (!teams.ContainsKey(policy.Team))
            {
                failures.Add(Key(prefix + "Team", $"names no team ('{policy.Team}'); known: {string.Join(", ", teams.Keys)}"));
            }

            if (policy.Condition == EscalationCondition.Manual)
            {
                failures.Add(Key(prefix + "Condition", "Manual is what 'escalate now' starts; use DueDatePassed, DueDateDrift, BlockedLongerThan or NoOwnerAfter"));
            }

            if (policy.After < TimeSpan.Zero || (policy.Condition is EscalationCondition.BlockedLongerThan or EscalationCondition.NoOwnerAfter && policy.After <= TimeSpan.Zero))
            {
                failures.Add(Key(prefix + "After", policy.Condition is EscalationCondition.BlockedLongerThan or EscalationCondition.NoOwnerAfter ? "must be positive for this condition (e.g. 48:00:00)" : "must not be negative"));
            }

            if (policy.Condition == EscalationCondition.DueDateDrift && policy.DriftDays < 1)
            {
                failures.Add(Key(prefix + "DriftDays", "must be at least 1 for DueDateDrift"));
            }

            if (policy.Repeat is < 0 or > 10)
            {
                failures.Add(Key(prefix + "Repeat", "must be between 0 and 10"));
            }

            if (policy.AckTimeout < TimeSpan.Zero)
            {
                failures.Add(Key(prefix + "AckTimeout", "must not be negative (0: an acknowledgement holds until done)"));
            }

            if (policy.Enabled && policy.Levels.Count == 0)
            {
                failures.Add(Key(prefix + "Levels", "needs at least one level ({ Delay, Targets })"));
            }

            for (var i = 0; i < policy.Levels.Count; i++)
            {
                if (policy.Levels[i].Delay < TimeSpan.Zero)
                {
                    failures.Add(Key($"{prefix}Levels:{i}:Delay", "must not be negative"));
                }

                if (policy.Levels[i].Targets.Count == 0)
                {
                    failures.Add(Key($"{prefix}Levels:{i}:Targets", "needs at least one of Owner, TeamRole, ModeratorChannel"));
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Key(string key, string problem) =>
        string.Create(CultureInfo.InvariantCulture, $"Escalation:{key} {problem} (env Escalation__{key.Replace(":", "__", StringComparison.Ordinal)}).");

    private static bool IsSnowflake(string text) => text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex PolicyName();
}
