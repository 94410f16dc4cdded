using DiscordLedgerBot.Core.Escalation;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Testing;
using static DiscordLedgerBot.Core.Tests.Escalation.EscalationHarness;

namespace DiscordLedgerBot.Core.Tests.Escalation;

/// <summary>
/// Every policy timeline on a fake clock (TestTime.Start is Saturday 2026-11-21 09:00 UTC), through the engine and a
/// real store: what fires, when, and that nothing fires twice.
/// </summary>
public sealed class EscalationTimelineTests
{
    [Fact]
    public async Task Each_level_fires_once_at_its_delay_and_the_levels_stop_at_the_top()
    {
        await using var harness = InMemory(Policy(_ => { }));
        var item = Item("1", due: Yesterday);

        await harness.PassAsync(item);
        await harness.PassAsync(item);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));

        harness.Time.Advance(TimeSpan.FromMinutes(59));
        await harness.PassAsync(item);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.PassAsync(item);
        await harness.PassAsync(item);
        Assert.Equal([1, 2], await harness.LevelsWrittenAsync("cli:1"));

        // Level 3's delay counts from level 2's firing.
        harness.Time.Advance(TimeSpan.FromHours(2));
        await harness.PassAsync(item);
        harness.Time.Advance(TimeSpan.FromDays(3));
        await harness.PassAsync(item);
        await harness.PassAsync(item);

        Assert.Equal([1, 2, 3], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Equal([1, 2, 3], harness.FiredNotices("cli:1").Select(n => n.Level));
        var commands = await harness.CommandsAsync();
        Assert.Equal(3, commands.OfType<CommentOnLedgerEntry>().Count());
        var lastTrail = commands.OfType<EscalateLedgerEntry>().Last().Trail;
        Assert.Contains("level 3 (due-date-passed)", lastTrail[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeat_loops_over_the_levels_the_configured_number_of_times()
    {
        await using var harness = InMemory(Policy(p => p.Repeat = 1, delays: [TimeSpan.Zero, TimeSpan.FromHours(1)]));
        var item = Item("1", due: Yesterday);
        for (var hour = 0; hour < 10; hour++)
        {
            await harness.PassAsync(item);
            harness.Time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal([1, 2, 1, 2], await harness.LevelsWrittenAsync("cli:1"));
    }

    [Fact]
    public async Task Acknowledgement_stops_further_levels_and_reminds_daily_while_not_done()
    {
        await using var harness = InMemory(Policy(p => p.DailyReminder = true));
        using var events = harness.Bus.Subscribe<EscalationAcknowledged>("probe");
        var item = Item("1", due: Yesterday);
        await harness.PassAsync(item);

        var ack = await harness.Engine.AcknowledgeAsync(item, "due-date-passed.1", "Grace", "Discord", "interaction:1", CancellationToken.None);
        Assert.True(ack.Succeeded, ack.Message);
        var stale = await harness.Engine.AcknowledgeAsync(item, "due-date-passed.7", "Grace", "Discord", "interaction:3", CancellationToken.None);
        Assert.False(stale.Succeeded);
        Assert.Contains("which is over", stale.Message, StringComparison.Ordinal);
        var again = await harness.Engine.AcknowledgeAsync(item, "due-date-passed.1", "Linus", "Discord", "interaction:2", CancellationToken.None);
        Assert.False(again.Succeeded);
        Assert.Contains("Already acknowledged by Grace", again.Message, StringComparison.Ordinal);

        for (var hour = 0; hour < 24 * 4; hour++)
        {
            harness.Time.Advance(TimeSpan.FromHours(1));
            await harness.PassAsync(item);
        }

        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));
        // Saturday 09:00 + 1 day is Sunday: reminders wait for business days (Monday, Tuesday, Wednesday 09:00 UTC).
        var reminders = harness.Notices.Where(n => n.Kind == EscalationNoticeKind.Reminder).ToList();
        Assert.Equal(3, reminders.Count);
        Assert.Equal(DayOfWeek.Monday, reminders[0].Episode.LastReminderAt!.Value.DayOfWeek);
        Assert.True(events.Reader.TryRead(out var acknowledged));
        Assert.Equal(("cli:1", "due-date-passed.1", 1, "Grace"), (acknowledged.EntryKey, acknowledged.EpisodeId, acknowledged.Level, acknowledged.Actor));
        Assert.False(events.Reader.TryRead(out _));
        var comment = Assert.Single((await harness.CommandsAsync()).OfType<CommentOnLedgerEntry>(), c => c.IdempotencyKey == "interaction:1");
        Assert.Contains("acknowledged by Grace", comment.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_acknowledgement_lapses_after_its_timeout_and_escalation_resumes_with_the_next_level()
    {
        await using var harness = InMemory(Policy(p => p.AckTimeout = TimeSpan.FromHours(2)));
        var item = Item("1", due: Yesterday);
        await harness.PassAsync(item);
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.True((await harness.Engine.AcknowledgeAsync(item, null, "Grace", "API", "api:ack:1", CancellationToken.None)).Succeeded);

        harness.Time.Advance(TimeSpan.FromMinutes(119));
        await harness.PassAsync(item);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.PassAsync(item);
        await harness.PassAsync(item);
        Assert.Equal([2], (await harness.LevelsWrittenAsync("cli:1")).Skip(1));
        Assert.Contains("acknowledgement lapsed", harness.FiredNotices("cli:1")[^1].Reason, StringComparison.Ordinal);

        // Re-armed: acknowledging again is possible and holds again.
        Assert.True((await harness.Engine.AcknowledgeAsync(item, null, "Grace", "API", "api:ack:2", CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Quiet_hours_defer_a_low_urgency_policy_to_the_next_business_morning_but_not_a_high_urgency_one()
    {
        var options = Policy(p => p.Urgency = EscalationUrgency.Low);
        options.Teams["default"] = new EscalationTeamOptions { TimeZone = "Europe/Berlin", SupportStart = new TimeOnly(9, 0), SupportEnd = new TimeOnly(17, 0) };
        var high = new EscalationPolicyOptions { Condition = EscalationCondition.BlockedLongerThan, After = TimeSpan.FromHours(1), Urgency = EscalationUrgency.High, DailyReminder = false };
        high.Levels.Add(EscalationLevelOptions.Of(TimeSpan.Zero, EscalationTarget.ModeratorChannel));
        options.Policies["blocked-urgent"] = high;
        await using var harness = InMemory(options);
        var overdue = Item("1", due: Yesterday);
        var blocked = Item("2", status: LedgerStatus.Blocked);

        // Saturday 09:00 UTC: the weekend, outside Berlin's business days.
        await harness.PassAsync(overdue, blocked);
        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.PassAsync(overdue, blocked);
        Assert.Empty(await harness.LevelsWrittenAsync("cli:1"));
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:2"));

        // Monday 07:59 UTC is 08:59 in Berlin: still closed.
        harness.Time.SetUtcNow(new DateTimeOffset(2026, 11, 23, 7, 59, 0, TimeSpan.Zero));
        await harness.PassAsync(overdue, blocked);
        Assert.Empty(await harness.LevelsWrittenAsync("cli:1"));

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.PassAsync(overdue, blocked);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), harness.FiredNotices("cli:1")[0].Episode.Fired[0].At);
    }

    [Fact]
    public async Task A_done_item_resolves_its_episode_and_a_reopened_item_restarts_the_policy_from_the_first_level()
    {
        await using var harness = InMemory(Policy(_ => { }));
        var item = Item("1", due: Yesterday);
        await harness.PassAsync(item);
        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.PassAsync(item);
        Assert.Equal([1, 2], await harness.LevelsWrittenAsync("cli:1"));

        await harness.PassAsync(item with { Status = LedgerStatus.Done });
        Assert.Empty((await harness.Engine.GetStateAsync("cli:1", CancellationToken.None))!.Episodes);
        harness.Time.Advance(TimeSpan.FromHours(5));
        await harness.PassAsync(item with { Status = LedgerStatus.Done });

        await harness.PassAsync(item with { Status = LedgerStatus.InProgress });
        Assert.Equal([1, 2, 1], await harness.LevelsWrittenAsync("cli:1"));
        var notices = harness.FiredNotices("cli:1");
        Assert.Equal(["due-date-passed.1", "due-date-passed.1", "due-date-passed.2"], notices.Select(n => n.Episode.Id));
    }

    [Fact]
    public async Task Editing_a_policy_leaves_running_episodes_on_the_policy_they_started_with()
    {
        await using var harness = InMemory(Policy(_ => { }));
        var running = Item("1", due: Yesterday);
        await harness.PassAsync(running);

        // The team slows the policy down to one level after 10 hours; the running episode keeps its 1 h second level.
        harness.Options.CurrentValue = Policy(_ => { }, delays: [TimeSpan.FromHours(10)]);
        var later = Item("2", due: Yesterday.AddDays(1));
        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.PassAsync(running, later);

        Assert.Equal([1, 2], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Empty(await harness.LevelsWrittenAsync("cli:2"));
        harness.Time.Advance(TimeSpan.FromHours(2));
        await harness.PassAsync(running, later);
        Assert.Equal([1, 2, 3], await harness.LevelsWrittenAsync("cli:1"));

        // Item 2 starts on the edited policy: due Saturday, so its onset is Sunday 00:00 and its one level fires at 10:00.
        harness.Time.SetUtcNow(new DateTimeOffset(2026, 11, 22, 9, 59, 0, TimeSpan.Zero));
        await harness.PassAsync(running, later);
        Assert.Empty(await harness.LevelsWrittenAsync("cli:2"));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.PassAsync(running, later);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:2"));
        Assert.Equal([1, 2, 3], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Single((await harness.Engine.GetStateAsync("cli:2", CancellationToken.None))!.Episodes[0].Policy.Levels);
    }

    [Fact]
    public async Task A_restarted_process_neither_repeats_nor_skips_a_level()
    {
        await using var harness = OverFiles(Policy(_ => { }));
        var item = Item("1", due: Yesterday);
        await harness.PassAsync(item);

        await harness.RestartAsync();
        await harness.PassAsync(item);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));

        // Down for 5 hours: on return the next level fires once, and the one after waits its own delay from then.
        await harness.RestartAsync();
        harness.Time.Advance(TimeSpan.FromHours(5));
        await harness.PassAsync(item);
        await harness.RestartAsync();
        await harness.PassAsync(item);
        Assert.Equal([1, 2], await harness.LevelsWrittenAsync("cli:1"));

        harness.Time.Advance(TimeSpan.FromHours(2));
        await harness.RestartAsync();
        await harness.PassAsync(item);
        Assert.Equal([1, 2, 3], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Equal([1, 2, 3], harness.FiredNotices("cli:1").Select(n => n.Level));
    }

    [Fact]
    public async Task Two_processes_over_one_store_fire_each_level_once()
    {
        await using var harness = InMemory(Policy(_ => { }));
        var other = harness.NewEngine();
        var item = Item("1", due: Yesterday);
        for (var hour = 0; hour < 4; hour++)
        {
            await Task.WhenAll(harness.Engine.RunAsync([item], CancellationToken.None), other.RunAsync([item], CancellationToken.None));
            harness.Time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal([1, 2, 3], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Equal([1, 2, 3], harness.FiredNotices("cli:1").Select(n => n.Level));
    }

    [Fact]
    public async Task Escalate_now_fires_the_next_level_at_once_even_when_acknowledged_and_starts_an_episode_when_none_runs()
    {
        await using var harness = InMemory(Policy(_ => { }));
        var calm = Item("1", due: Yesterday.AddDays(30));
        var now = await harness.Engine.EscalateNowAsync(calm, "Grace", "customer waiting", CancellationToken.None);
        Assert.True(now.Succeeded, now.Message);
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));

        Assert.True((await harness.Engine.AcknowledgeAsync(calm, null, "Grace", "Discord", "interaction:5", CancellationToken.None)).Succeeded);
        await harness.Engine.EscalateNowAsync(calm, "Grace", "still waiting", CancellationToken.None);
        await harness.Engine.EscalateNowAsync(calm, "Grace", "really", CancellationToken.None);
        var top = await harness.Engine.EscalateNowAsync(calm, "Grace", "more", CancellationToken.None);
        Assert.False(top.Succeeded);
        Assert.Contains("highest escalation level", top.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], await harness.LevelsWrittenAsync("cli:1"));

        // The manual episode holds until the item is done; then it resolves.
        await harness.PassAsync(calm);
        Assert.Single((await harness.Engine.GetStateAsync("cli:1", CancellationToken.None))!.Episodes);
        await harness.PassAsync(calm with { Status = LedgerStatus.Done });
        Assert.Empty((await harness.Engine.GetStateAsync("cli:1", CancellationToken.None))!.Episodes);
    }

    [Fact]
    public async Task Blocked_no_owner_and_due_date_drift_start_after_their_thresholds()
    {
        var options = new EscalationOptions();
        options.Policies[EscalationOptions.DefaultPolicyName] = new EscalationPolicyOptions { Enabled = false };
        foreach (var (name, condition, after, drift) in new[]
        {
            ("blocked", EscalationCondition.BlockedLongerThan, TimeSpan.FromHours(48), 0),
            ("unowned", EscalationCondition.NoOwnerAfter, TimeSpan.FromHours(8), 0),
            ("drift", EscalationCondition.DueDateDrift, TimeSpan.Zero, 7),
        })
        {
            var policy = new EscalationPolicyOptions { Condition = condition, After = after, DriftDays = drift, DailyReminder = false };
            policy.Levels.Add(EscalationLevelOptions.Of(TimeSpan.Zero, EscalationTarget.TeamRole));
            options.Policies[name] = policy;
        }

        await using var harness = InMemory(options);
        var due = Yesterday.AddDays(10);
        var blocked = Item("1", status: LedgerStatus.Blocked);
        var unowned = Item("2", owner: null);
        var drifting = Item("3", due: due);
        await harness.PassAsync(blocked, unowned, drifting);
        harness.Time.Advance(TimeSpan.FromHours(7));
        await harness.PassAsync(blocked, unowned, drifting with { DueDate = due.AddDays(6) });
        Assert.Empty(harness.Notices);

        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.PassAsync(blocked, unowned, drifting with { DueDate = due.AddDays(7) });
        Assert.Equal(["unowned", "drift"], harness.Notices.Select(n => n.Episode.Policy.Name).Order().Reverse());

        harness.Time.Advance(TimeSpan.FromHours(40));
        await harness.PassAsync(blocked, unowned with { Owner = "Ada" }, drifting with { DueDate = due.AddDays(7) });
        Assert.Equal([1], await harness.LevelsWrittenAsync("cli:1"));
        Assert.Empty((await harness.Engine.GetStateAsync("cli:2", CancellationToken.None))?.Episodes ?? []);
    }

    [Fact]
    public async Task Items_done_longer_than_the_retention_period_are_archived_through_the_outbox_once()
    {
        var options = Policy(_ => { });
        options.Retention.ArchiveDoneAfter = TimeSpan.FromDays(30);
        await using var harness = InMemory(options);
        var done = Item("1", status: LedgerStatus.Done);
        await harness.PassAsync(done);
        harness.Time.Advance(TimeSpan.FromDays(29));
        await harness.PassAsync(done);
        Assert.Empty((await harness.CommandsAsync()).OfType<ArchiveLedgerEntry>());

        harness.Time.Advance(TimeSpan.FromDays(1));
        await harness.PassAsync(done);
        await harness.PassAsync(done);
        Assert.Single((await harness.CommandsAsync()).OfType<ArchiveLedgerEntry>());
    }

    [Fact]
    public void Options_are_validated_at_start_naming_each_key()
    {
        var options = new EscalationOptions { Interval = TimeSpan.Zero, ModeratorChannelId = "general" };
        options.Teams["ops"] = new EscalationTeamOptions { TimeZone = "Mars/Olympus", SupportStart = new TimeOnly(18, 0), SupportEnd = new TimeOnly(9, 0) };
        var policy = new EscalationPolicyOptions { Condition = EscalationCondition.BlockedLongerThan, Team = "nobody", Repeat = 99 };
        options.Policies["Blocked Items"] = policy;

        var result = new EscalationOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        foreach (var key in new[] { "Escalation:Interval", "Escalation:ModeratorChannelId", "Escalation:Teams:ops:TimeZone", "Escalation:Teams:ops:SupportStart", "Escalation:Policies:Blocked Items ", "Policies:Blocked Items:Team", "Policies:Blocked Items:After", "Policies:Blocked Items:Repeat", "Policies:Blocked Items:Levels" })
        {
            Assert.Contains(failures, f => f.Contains(key, StringComparison.Ordinal));
        }

        Assert.True(new EscalationOptionsValidator().Validate(null, new EscalationOptions()).Succeeded);
        Assert.Equal(3, Assert.Single(new EscalationOptions().BuildPolicies()).Levels.Count);
    }
}
