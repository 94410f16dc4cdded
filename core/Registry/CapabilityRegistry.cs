using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>Settings of the registry core (bound from the Registry configuration section by the host).</summary>
public sealed record CapabilityRegistryOptions
{
    /// <summary>Ledger item that receives override and prune audit updates.</summary>
    public string AuditLedgerKey { get; init; } = "registry-audit";

    public int MaxAuditEntries { get; init; } = 1000;

    public CircuitBreakerOptions Breaker { get; init; } = new();
}

/// <summary>The tool id is not in the registry (admin API: 404).</summary>
public sealed class UnknownToolException(string toolId)
    : Exception($"Tool '{toolId}' is not registered. List registered tools with GET /admin/registry/tools or `bot registry list`.")
{
    public string ToolId { get; } = toolId;
}

/// <summary>One tool as operators see it: definition, live health, circuit and overrides.</summary>
public sealed record ToolStatus(ToolDefinition Definition, ToolHealthSnapshot Health, CircuitState Circuit, IReadOnlyList<ToolOverride> Overrides);

/// <summary>What a health checker needs to probe one tool.</summary>
public sealed record HealthCheckRequest(ToolDefinition Tool, DateTimeOffset? LastHeartbeatAt);

public enum HeartbeatOutcome
{
    Accepted,
    UnknownTool,
    NotTtlTool,
}

/// <summary>
/// The capability registry: tools × workflows with live health, circuit breakers and operator overrides, and
/// the ranking that picks an execution surface. Reads (rank, list) are lock-free over an immutable state that
/// every change replaces after it has been persisted, so a failed save changes nothing.
/// </summary>
public sealed partial class CapabilityRegistry
{
    private const int MaxActorLength = 100;
    private const int MaxReasonLength = 500;
    private readonly IRegistryStore _store;
    private readonly IDecisionRecorder _recorder;
    private readonly IRegistryEventSink _events;
    private readonly TimeProvider _time;
    private readonly CapabilityRegistryOptions _options;
    private readonly ILogger _logger;
    private readonly IToolHealthStore? _shared;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private RegistryState? _state;

    public CapabilityRegistry(
        IRegistryStore store,
        IDecisionRecorder recorder,
        IRegistryEventSink events,
        TimeProvider time,
        CapabilityRegistryOptions? options = null,
        ILogger<CapabilityRegistry>? logger = null,
        IToolHealthStore? sharedHealth = null)
    {
        _store = store;
        _recorder = recorder;
        _events = events;
        _time = time;
        _options = options ?? new CapabilityRegistryOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _shared = sharedHealth;
        var errors = _options.Breaker.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }
    }

    /// <summary>Raised after the set of tools or their definitions changed (the health scheduler re-plans).</summary>
    public event EventHandler? ToolsChanged;

    public long Revision => State.Revision;

    /// <summary>True when health, heartbeats and circuit transitions are shared with other processes (<see cref="IToolHealthStore"/>).</summary>
    public bool SharesHealth => _shared is not null;

    /// <summary>False until <see cref="InitializeAsync"/> loaded the registry (e.g. in a CLI verb while the bot holds the store).</summary>
    public bool IsInitialized => Volatile.Read(ref _state) is not null;

    public IReadOnlyList<string> Workflows => State.WorkflowList;

    public IReadOnlyList<ToolOverride> Overrides => State.Overrides;

    public IReadOnlyList<RegistryAuditEntry> Audit => State.Audit;

    private RegistryState State => Volatile.Read(ref _state) ?? throw new InvalidOperationException("The capability registry is not initialized; call InitializeAsync first.");

    /// <summary>
    /// Loads the persisted registry; when the store is empty, seeds it from <paramref name="seed"/> (the declarative
    /// catalog) and saves it. The store wins over the file afterwards, so runtime changes survive restarts.
    /// </summary>
    public async Task InitializeAsync(RegistryCatalog? seed, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await _store.LoadAsync(cancellationToken);
            RegistryState state;
            if (snapshot is not null)
            {
                state = FromSnapshot(snapshot, previous: null);
            }
            else
            {
                if (seed is null)
                {
                    throw new RegistryValidationException("The registry store is empty and no catalog was given to seed it (Registry:CatalogPath).");
                }

                state = Build(1, seed.Workflows, seed.Tools, [], [], previous: null);
                if (!await _store.SaveAsync(ToSnapshot(state), expectedRevision: 0, cancellationToken))
                {
                    // Another process seeded the empty store first: its registry is the one.
                    state = FromSnapshot(await _store.LoadAsync(cancellationToken) ?? throw new RegistryConcurrencyException("The registry store was seeded by another writer and then emptied during start."), previous: null);
                }
            }

            Volatile.Write(ref _state, state);
        }
        finally
        {
            _writeLock.Release();
        }

        ToolsChanged?.Invoke(this, EventArgs.Empty);
    }

    public IReadOnlyList<ToolStatus> ListTools()
    {
        var now = _time.GetUtcNow();
        return [.. State.Entries.Select(e => e.ToStatus(now))];
    }

    public ToolStatus? FindTool(string toolId) =>
        State.ById.TryGetValue(toolId, out var entry) ? entry.ToStatus(_time.GetUtcNow()) : null;

    public bool TryGetCheckRequest(string toolId, out HealthCheckRequest request)
    {
        if (State.ById.TryGetValue(toolId, out var entry))
        {
            request = new HealthCheckRequest(entry.Definition, entry.Health.Current.LastHeartbeatAt);
            return true;
        }

        request = null!;
        return false;
    }

    /// <summary>Ranks the tools that serve <paramref name="workflow"/>; tools lacking a required affordance are listed as skipped.</summary>
    public ToolRanking Rank(string workflow, IReadOnlyList<string>? requiredAffordances = null)
    {
        var state = State;
        if (!state.Workflows.Contains(workflow))
        {
            throw new RegistryValidationException($"Workflow '{workflow}' is not declared (declared: {string.Join(", ", state.WorkflowList)}).");
        }

        requiredAffordances ??= [];
        var now = _time.GetUtcNow();
        var serving = state.ByWorkflow.TryGetValue(workflow, out var entries) ? entries : [];
        var ranked = new RankedTool[serving.Length];
        Span<ulong> keys = serving.Length <= 512 ? stackalloc ulong[serving.Length] : new ulong[serving.Length];
        for (var i = 0; i < serving.Length; i++)
        {
            ranked[i] = serving[i].Assess(workflow, requiredAffordances, now);
            keys[i] = RankKey.Compute(ranked[i], i);
        }

        keys.Sort(ranked.AsSpan());
        return new ToolRanking(workflow, requiredAffordances, ranked, now);
    }

    /// <summary>
    /// Picks the best tool for a workflow action and records why (including why better-placed tools were
    /// skipped) as an update on the workflow's ledger item, once per <paramref name="idempotencyKey"/>.
    /// </summary>
    public async Task<ToolSelection> SelectAsync(
        string workflow,
        string ledgerKey,
        string idempotencyKey,
        IReadOnlyList<string>? requiredAffordances,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ledgerKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var ranking = Rank(workflow, requiredAffordances);
        var now = ranking.At;
        RankedTool? chosen = null;
        var passedOver = new List<(RankedTool Tool, string Why)>();
        foreach (var candidate in ranking.Tools)
        {
            if (!candidate.IsEligible)
            {
                passedOver.Add((candidate, candidate.Reason));
                continue;
            }

            if (candidate.Circuit == CircuitState.HalfOpen
                && !(State.ById.TryGetValue(candidate.ToolId, out var entry) && entry.Breaker.TryBeginProbe(now)))
            {
                passedOver.Add((candidate, "circuit half-open and its single probe call is already in flight"));
                continue;
            }

            if (chosen is null)
            {
                chosen = candidate;
            }
        }

        var rationale = ComposeRationale(ranking, chosen, passedOver);
        var selection = new ToolSelection(workflow, ledgerKey, idempotencyKey, chosen, ranking, rationale);
        await _recorder.RecordAsync(ledgerKey, rationale, idempotencyKey, cancellationToken);
        _events.Publish(new ToolSelected(workflow, ledgerKey, chosen?.ToolId, rationale, now));
        return selection;
    }

    /// <summary>
    /// Applies a health probe result on top of the cluster's newest observation of the tool and shares the outcome, so
    /// every process ranks with it; false when the tool is no longer registered. Without a shared store: this process only.
    /// </summary>
    public async Task<bool> RecordCheckResultAsync(string toolId, HealthCheckResult result, CancellationToken cancellationToken)
    {
        if (_shared is null)
        {
            return RecordCheckResult(toolId, result);
        }

        await AdoptSharedAsync(toolId, cancellationToken);
        if (!RecordCheckResult(toolId, result) || !State.ById.TryGetValue(toolId, out var entry))
        {
            return false;
        }

        await _shared.PublishHealthAsync(toolId, entry.Health.Export(), cancellationToken);
        return true;
    }

    /// <summary>A local agent's heartbeat, shared with the other processes (any of them may run the tool's TTL check).</summary>
    public async Task<HeartbeatOutcome> RecordHeartbeatAsync(string toolId, CancellationToken cancellationToken)
    {
        var outcome = RecordHeartbeat(toolId);
        if (outcome == HeartbeatOutcome.Accepted && _shared is not null && State.ById.TryGetValue(toolId, out var entry) && entry.Health.Current.LastHeartbeatAt is { } at)
        {
            await _shared.PublishHeartbeatAsync(toolId, at, cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Takes the cluster's observations of <paramref name="toolId"/> where they are newer than this process's. Status
    /// changes adopted this way are not announced again: the process that observed them published the event.
    /// </summary>
    public async Task AdoptSharedAsync(string toolId, CancellationToken cancellationToken)
    {
        if (_shared is null || !State.ById.ContainsKey(toolId))
        {
            return;
        }

        var observed = await _shared.LoadAsync(toolId, cancellationToken);
        if (observed is null || !State.ById.TryGetValue(toolId, out var entry))
        {
            return;
        }

        if (observed.Health is { } health)
        {
            entry.Health.Adopt(health);
        }

        if (observed.HeartbeatAt is { } heartbeat)
        {
            entry.Health.AdoptHeartbeat(heartbeat);
        }

        if (observed.Circuit is { } circuit)
        {
            entry.Breaker.Adopt(circuit);
        }
    }

    /// <summary>
    /// Keeps this process's view of every tool current with the cluster's: adopts all shared observations now, then each
    /// one another process publishes. Returns at once without a shared store.
    /// </summary>
    public async Task FollowSharedHealthAsync(CancellationToken cancellationToken)
    {
        if (_shared is null)
        {
            return;
        }

        await _shared.SubscribeAsync(
            async toolId =>
            {
                try
                {
                    await AdoptSharedAsync(toolId, cancellationToken);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogAdoptFailed(ex, toolId);
                }
            },
            cancellationToken);
        await AdoptAllSharedAsync(cancellationToken);
    }

    /// <summary>Adopts every tool's shared observations (after a start, or to heal a notification lost while disconnected).</summary>
    public async Task AdoptAllSharedAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in State.Entries)
        {
            await AdoptSharedAsync(entry.Definition.Id, cancellationToken);
        }
    }

    /// <summary>Applies a health probe result in this process only; false when the tool is no longer registered.</summary>
    public bool RecordCheckResult(string toolId, HealthCheckResult result)
    {
        if (!State.ById.TryGetValue(toolId, out var entry))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var change = entry.Health.Record(result, entry.Definition.Damping, now);
        if (change is { } changed)
        {
            LogHealthChanged(toolId, changed.Previous, changed.Current, result.Detail);
            _events.Publish(new ToolHealthChanged(toolId, changed.Previous, changed.Current, result.Detail, entry.Health.Current.EwmaLatencyMs, now));
        }

        return true;
    }

    /// <summary>Feeds the tool's circuit breaker with the outcome of a real call routed to it.</summary>
    public bool RecordCallOutcome(string toolId, bool succeeded, TimeSpan duration)
    {
        if (!State.ById.TryGetValue(toolId, out var entry))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (entry.Breaker.Record(succeeded, duration, now) is { } transition)
        {
            LogCircuitChanged(toolId, transition.Previous, transition.Current, transition.Reason);
            _events.Publish(new CircuitStateChanged(toolId, transition.Previous, transition.Current, transition.Reason, now));
            if (_shared is not null)
            {
                // The caller's call outcome path is synchronous; the store never throws for an unreachable server.
                _ = _shared.PublishCircuitAsync(toolId, entry.Breaker.Export(), CancellationToken.None);
            }
        }

        return true;
    }

    /// <summary>A local agent says a TTL-checked tool is alive.</summary>
    public HeartbeatOutcome RecordHeartbeat(string toolId)
    {
        if (!State.ById.TryGetValue(toolId, out var entry))
        {
            return HeartbeatOutcome.UnknownTool;
        }

        if (entry.Definition.HealthCheck.Kind != HealthCheckKind.Ttl)
        {
            return HeartbeatOutcome.NotTtlTool;
        }

        entry.Health.RecordHeartbeat(_time.GetUtcNow());
        return HeartbeatOutcome.Accepted;
    }

    /// <summary>Adds or replaces a tool (validated against the declared workflows).</summary>
    public async Task<ToolDefinition> UpsertToolAsync(ToolDocument document, string actor, CancellationToken cancellationToken)
    {
        RequireText(actor, "actor", MaxActorLength);
        ToolDefinition? tool = null;
        await MutateAsync(
            (state, now, change) =>
            {
                tool = RegistryCatalogParser.ValidateTool(document, state.WorkflowList);
                var replaced = state.ById.ContainsKey(tool.Id);
                var tools = state.Entries.Select(e => e.Definition).Where(d => d.Id != tool.Id).Append(tool);
                // Overrides for workflows the new definition no longer serves would silently never apply: drop them.
                var overrides = state.Overrides.Where(o => o.ToolId != tool.Id || o.Workflow is null || tool.Workflows.Contains(o.Workflow)).ToList();
                change.Audit(new RegistryAuditEntry(now, actor, replaced ? "tool-updated" : "tool-added", tool.Id, null, "admin change", null));
                change.Publish(new ToolRegistered(tool.Id, replaced, actor, now));
                change.DefinitionsChanged = true;
                return state with { Tools = [.. tools], Overrides = overrides };
            },
            cancellationToken);
        return tool!;
    }

    public async Task RemoveToolAsync(string toolId, string actor, string reason, CancellationToken cancellationToken)
    {
        RequireText(actor, "actor", MaxActorLength);
        RequireText(reason, "reason", MaxReasonLength);
        await MutateAsync(
            (state, now, change) =>
            {
                if (!state.ById.ContainsKey(toolId))
                {
                    throw new UnknownToolException(toolId);
                }

                change.Audit(new RegistryAuditEntry(now, actor, "tool-removed", toolId, null, reason, null));
                change.Publish(new ToolRemoved(toolId, actor, reason, now));
                change.DefinitionsChanged = true;
                return state with
                {
                    Tools = [.. state.Entries.Select(e => e.Definition).Where(d => d.Id != toolId)],
                    Overrides = [.. state.Overrides.Where(o => o.ToolId != toolId)],
                };
            },
            cancellationToken);
    }

    /// <summary>Sets (or replaces) the override for the tool and scope; audited, persisted and recorded on the audit ledger item.</summary>
    public async Task<ToolOverride> SetOverrideAsync(OverrideRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        RequireText(request.Actor, "actor", MaxActorLength);
        RequireText(request.Reason, "reason", MaxReasonLength);
        ToolOverride? applied = null;
        await MutateAsync(
            (state, now, change) =>
            {
                var entry = state.ById.TryGetValue(request.ToolId, out var found) ? found : throw new UnknownToolException(request.ToolId);
                ValidateScope(state, entry, request.Workflow);
                if (request.ExpiresAt is { } expires && expires <= now)
                {
                    throw new RegistryValidationException($"expiresAt {expires:u} is not in the future (now {now:u}).");
                }

                applied = new ToolOverride(request.ToolId, request.Workflow, request.Action, request.Actor.Trim(), request.Reason.Trim(), now, request.ExpiresAt);
                var action = "override-" + JsonNamingPolicy.KebabCaseLower.ConvertName(request.Action.ToString());
                change.Audit(new RegistryAuditEntry(now, applied.Actor, action, applied.ToolId, applied.Workflow, applied.Reason, applied.ExpiresAt));
                change.Publish(new OverrideChanged(applied, OverrideChangeKind.Set, applied.Actor, applied.Reason, now));
                change.Record($"Registry override: tool {applied.ToolId} {applied.Describe()}.", idempotencyKey);
                return state with
                {
                    Overrides = [.. state.Overrides.Where(o => !SameScope(o, applied.ToolId, applied.Workflow)), applied],
                };
            },
            cancellationToken);
        return applied!;
    }

    /// <summary>Removes the override for the tool and scope; returns the removed override, or null when there was none.</summary>
    public async Task<ToolOverride?> ClearOverrideAsync(
        string toolId,
        string? workflow,
        string actor,
        string reason,
        string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        RequireText(actor, "actor", MaxActorLength);
        RequireText(reason, "reason", MaxReasonLength);
        ToolOverride? removed = null;
        await MutateAsync(
            (state, now, change) =>
            {
                var entry = state.ById.TryGetValue(toolId, out var found) ? found : throw new UnknownToolException(toolId);
                ValidateScope(state, entry, workflow);
                removed = state.Overrides.FirstOrDefault(o => SameScope(o, toolId, workflow));
                if (removed is null)
                {
                    return state;
                }

                change.Audit(new RegistryAuditEntry(now, actor, "override-cleared", toolId, workflow, reason, null));
                change.Publish(new OverrideChanged(removed, OverrideChangeKind.Cleared, actor, reason, now));
                change.Record($"Registry override cleared: tool {toolId} for {removed.Scope} by {actor} ({reason}); was {removed.Describe()}.", idempotencyKey);
                return state with { Overrides = [.. state.Overrides.Where(o => !ReferenceEquals(o, removed))] };
            },
            cancellationToken);
        return removed;
    }

    /// <summary>
    /// Periodic housekeeping: marks tools without fresh evidence stale, prunes those stale past their policy, and
    /// drops expired overrides, each with a visible event and audit entry.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var state = State;
        var now = _time.GetUtcNow();
        var toPrune = new List<(string Id, DateTimeOffset Evidence)>();
        foreach (var entry in state.Entries)
        {
            var health = entry.Health.Current;
            var evidence = (entry.Definition.HealthCheck.Kind == HealthCheckKind.Ttl ? health.LastHeartbeatAt : health.LastResultAt) ?? entry.TrackedSince;
            var silence = now - evidence;
            var policy = entry.Definition.Staleness;
            if (silence >= policy.StaleAfter && entry.Health.MarkStale(now))
            {
                LogToolStale(entry.Definition.Id, evidence);
                _events.Publish(new ToolStale(entry.Definition.Id, evidence, now));
                if (_shared is not null)
                {
                    await _shared.PublishHealthAsync(entry.Definition.Id, entry.Health.Export(), cancellationToken);
                }
            }

            if (policy.PruneAfter is { } pruneAfter && silence >= policy.StaleAfter + pruneAfter)
            {
                toPrune.Add((entry.Definition.Id, evidence));
            }
        }

        if (toPrune.Count == 0 && state.Overrides.All(o => o.IsActive(now)))
        {
            return;
        }

        await MutateAsync(
            (current, at, change) =>
            {
                var pruned = toPrune.Where(p => current.ById.ContainsKey(p.Id)).ToList();
                foreach (var (id, evidence) in pruned)
                {
                    change.Audit(new RegistryAuditEntry(at, "registry", "tool-pruned", id, null, $"no evidence of life since {evidence:u}", null));
                    change.Publish(new ToolPruned(id, evidence, at));
                    change.Record($"Registry pruned tool {id}: no evidence of life since {evidence:u}.", null);
                    change.DefinitionsChanged = true;
                }

                var expired = current.Overrides.Where(o => !o.IsActive(at)).ToList();
                foreach (var gone in expired)
                {
                    change.Audit(new RegistryAuditEntry(at, "registry", "override-expired", gone.ToolId, gone.Workflow, gone.Reason, gone.ExpiresAt));
                    change.Publish(new OverrideChanged(gone, OverrideChangeKind.Expired, "registry", "expired", at));
                    change.Record($"Registry override expired: tool {gone.ToolId} was {gone.Describe()}.", null);
                }

                if (pruned.Count == 0 && expired.Count == 0)
                {
                    return current;
                }

                var prunedIds = pruned.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
                return current with
                {
                    Tools = [.. current.Entries.Select(e => e.Definition).Where(d => !prunedIds.Contains(d.Id))],
                    Overrides = [.. current.Overrides.Where(o => o.IsActive(at) && !prunedIds.Contains(o.ToolId))],
                };
            },
            cancellationToken);
    }

    /// <summary>
    /// Adopts the persisted registry when another writer (the CLI) saved a newer revision. Health and circuit
    /// state of tools that remain are kept.
    /// </summary>
    public async Task<bool> ReloadIfChangedAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await _store.LoadAsync(cancellationToken);
            var current = State;
            if (snapshot is null || snapshot.Revision <= current.Revision)
            {
                return false;
            }

            Volatile.Write(ref _state, FromSnapshot(snapshot, current));
            _events.Publish(new RegistryReloaded(snapshot.Revision, _time.GetUtcNow()));
        }
        finally
        {
            _writeLock.Release();
        }

        ToolsChanged?.Invoke(this, EventArgs.Empty);
        return true;
    }

    private static void ValidateScope(RegistryState state, RegistryEntry entry, string? workflow)
    {
        if (workflow is null)
        {
            return;
        }

        if (!state.Workflows.Contains(workflow))
        {
            throw new RegistryValidationException($"workflow '{workflow}' is not declared (declared: {string.Join(", ", state.WorkflowList)}).");
        }

        if (!entry.Workflows.Contains(workflow))
        {
            throw new RegistryValidationException($"tool '{entry.Definition.Id}' does not serve workflow '{workflow}' (serves: {string.Join(", ", entry.Definition.Workflows)}).");
        }
    }

    private static bool SameScope(ToolOverride candidate, string toolId, string? workflow) =>
        candidate.ToolId == toolId && string.Equals(candidate.Workflow, workflow, StringComparison.Ordinal);

    private static void RequireText(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            throw new RegistryValidationException($"{field} is required (1-{maxLength} characters).");
        }
    }

    private static string ComposeRationale(ToolRanking ranking, RankedTool? chosen, List<(RankedTool Tool, string Why)> passedOver)
    {
        var text = new StringBuilder();
        var needs = ranking.RequiredAffordances.Count > 0 ? $" needing {string.Join(", ", ranking.RequiredAffordances)}" : string.Empty;
        if (chosen is { } pick)
        {
            text.Append(CultureInfo.InvariantCulture, $"Workflow {ranking.Workflow}{needs} → {pick.ToolId} ({pick.Tool.DisplayName}): {pick.Reason}.");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"Workflow {ranking.Workflow}{needs} → no eligible tool.");
        }

        if (passedOver.Count > 0)
        {
            text.Append(" Skipped: ");
            text.AppendJoin("; ", passedOver.Select(p => $"{p.Tool.ToolId} — {p.Why}"));
            text.Append('.');
        }

        var fallbacks = ranking.Tools.Where(t => t.IsEligible && t.ToolId != chosen?.ToolId && passedOver.All(p => p.Tool.ToolId != t.ToolId)).Select(t => t.ToolId).ToList();
        if (fallbacks.Count > 0)
        {
            text.Append(" Fallbacks in order: ").AppendJoin(", ", fallbacks).Append('.');
        }

        return text.ToString();
    }

    /// <summary>How often a change is re-applied on top of another writer's newer registry before it is reported as contended.</summary>
    public const int MaxSaveAttempts = 16;

    private async Task MutateAsync(Func<RegistryState, DateTimeOffset, PendingChange, RegistryState> apply, CancellationToken cancellationToken)
    {
        PendingChange change;
        var adoptedNewer = false;
        await _writeLock.WaitAsync(cancellationToken);
        RegistryState next;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                // Optimistic concurrency: the change is computed from the state it will replace and saved only if the store
                // still holds that revision; otherwise the newer registry is adopted and the change re-applied to it.
                change = new PendingChange();
                var current = State;
                var now = _time.GetUtcNow();
                var proposed = apply(current, now, change);
                if (ReferenceEquals(proposed, current))
                {
                    if (adoptedNewer)
                    {
                        ToolsChanged?.Invoke(this, EventArgs.Empty);
                    }

                    return;
                }

                var audit = current.Audit.Concat(change.AuditEntries).TakeLast(_options.MaxAuditEntries).ToList();
                next = Build(current.Revision + 1, proposed.WorkflowList, proposed.Tools, proposed.Overrides, audit, current);
                if (await _store.SaveAsync(ToSnapshot(next), current.Revision, cancellationToken))
                {
                    Volatile.Write(ref _state, next);
                    break;
                }

                if (attempt == MaxSaveAttempts)
                {
                    throw new RegistryConcurrencyException($"The registry changed under this writer {MaxSaveAttempts} times in a row; nothing was saved. Try again.");
                }

                // A writer that just saved is one round trip ahead of one that must reload first; a short random pause
                // breaks that rhythm so a busy writer cannot starve the others.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * attempt)), _time, cancellationToken);
                var newer = await _store.LoadAsync(cancellationToken)
                    ?? throw new RegistryConcurrencyException("The registry store was emptied by another writer; nothing was saved.");
                Volatile.Write(ref _state, FromSnapshot(newer, current));
                adoptedNewer = true;
            }
        }
        finally
        {
            _writeLock.Release();
        }

        foreach (var registryEvent in change.Events)
        {
            _events.Publish(registryEvent);
        }

        foreach (var (body, key) in change.Decisions)
        {
            var idempotencyKey = key ?? $"registry-r{next.Revision}-{Math.Abs(body.GetHashCode(StringComparison.Ordinal))}";
            try
            {
                await _recorder.RecordAsync(_options.AuditLedgerKey, body, idempotencyKey, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The change is persisted and audited locally; a ledger hiccup must not report it as failed.
                LogRecordFailed(ex, _options.AuditLedgerKey);
            }
        }

        if (change.DefinitionsChanged || adoptedNewer)
        {
            ToolsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private RegistryState FromSnapshot(RegistrySnapshot snapshot, RegistryState? previous)
    {
        var catalog = RegistryCatalogParser.Validate(new RegistryCatalogDocument { Workflows = snapshot.Workflows, Tools = snapshot.Tools });
        return Build(snapshot.Revision, catalog.Workflows, catalog.Tools, snapshot.Overrides, snapshot.Audit, previous);
    }

    private RegistryState Build(
        long revision,
        IReadOnlyList<string> workflows,
        IReadOnlyList<ToolDefinition> tools,
        IReadOnlyList<ToolOverride> overrides,
        IReadOnlyList<RegistryAuditEntry> audit,
        RegistryState? previous)
    {
        var now = _time.GetUtcNow();
        var byTool = overrides.ToLookup(o => o.ToolId, StringComparer.Ordinal);
        var entries = tools
            .OrderBy(t => t.Id, StringComparer.Ordinal)
            .Select(tool =>
            {
                RegistryEntry? carried = null;
                previous?.ById.TryGetValue(tool.Id, out carried);
                return RegistryEntry.Create(tool, byTool[tool.Id], carried, _options.Breaker, now);
            })
            .ToArray();
        return new RegistryState(
            revision,
            workflows,
            workflows.ToFrozenSet(StringComparer.Ordinal),
            entries,
            entries.ToFrozenDictionary(e => e.Definition.Id, StringComparer.Ordinal),
            // Entries are in id order, which the rank key's last field relies on for deterministic ties.
            workflows.ToFrozenDictionary(w => w, w => entries.Where(e => e.Workflows.Contains(w)).ToArray(), StringComparer.Ordinal),
            tools,
            overrides,
            audit);
    }

    private static RegistrySnapshot ToSnapshot(RegistryState state) => new()
    {
        Revision = state.Revision,
        Workflows = state.WorkflowList,
        Tools = [.. state.Entries.Select(e => RegistryCatalogParser.ToDocument(e.Definition))],
        Overrides = state.Overrides,
        Audit = state.Audit,
    };

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Tool {ToolId} health {Previous} -> {Current}: {Detail}")]
    private partial void LogHealthChanged(string toolId, HealthStatus previous, HealthStatus current, string detail);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Tool {ToolId} circuit {Previous} -> {Current}: {Reason}")]
    private partial void LogCircuitChanged(string toolId, CircuitState previous, CircuitState current, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Tool {ToolId} is stale: no evidence of life since {Evidence}")]
    private partial void LogToolStale(string toolId, DateTimeOffset evidence);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Registry change was persisted but recording it on ledger item {LedgerKey} failed")]
    private partial void LogRecordFailed(Exception exception, string ledgerKey);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Adopting the shared health of tool {ToolId} failed; the next notification or refresh retries")]
    private partial void LogAdoptFailed(Exception exception, string toolId);

    /// <summary>Side effects a change produces, released only after it has been persisted.</summary>
    private sealed class PendingChange
    {
        public List<RegistryEvent> Events { get; } = [];

        public List<RegistryAuditEntry> AuditEntries { get; } = [];

        public List<(string Body, string? IdempotencyKey)> Decisions { get; } = [];

        public bool DefinitionsChanged { get; set; }

        public void Publish(RegistryEvent registryEvent) => Events.Add(registryEvent);

        public void Audit(RegistryAuditEntry entry) => AuditEntries.Add(entry);

        public void Record(string body, string? idempotencyKey) => Decisions.Add((body, idempotencyKey));
    }

    private sealed record RegistryState(
        long Revision,
        IReadOnlyList<string> WorkflowList,
        FrozenSet<string> Workflows,
        RegistryEntry[] Entries,
        FrozenDictionary<string, RegistryEntry> ById,
        FrozenDictionary<string, RegistryEntry[]> ByWorkflow,
        IReadOnlyList<ToolDefinition> Tools,
        IReadOnlyList<ToolOverride> Overrides,
        IReadOnlyList<RegistryAuditEntry> Audit);

    /// <summary>A registered tool with its precomputed lookup sets and its live (unpersisted) health and circuit.</summary>
    private sealed class RegistryEntry
    {
        private RegistryEntry(ToolDefinition definition, ToolHealthTracker health, ToolCircuitBreaker breaker, DateTimeOffset trackedSince, ToolOverride[] overrides)
        {
            Definition = definition;
            Health = health;
            Breaker = breaker;
            TrackedSince = trackedSince;
            OverrideList = overrides;
            Workflows = definition.Workflows.ToFrozenSet(StringComparer.Ordinal);
            Affordances = definition.Affordances.ToFrozenSet(StringComparer.Ordinal);
            GlobalOverride = overrides.FirstOrDefault(o => o.Workflow is null);
            WorkflowOverrides = overrides.Where(o => o.Workflow is not null).ToFrozenDictionary(o => o.Workflow!, StringComparer.Ordinal);
        }

        public ToolDefinition Definition { get; }

        public ToolHealthTracker Health { get; }

        public ToolCircuitBreaker Breaker { get; }

        /// <summary>When this process started tracking the tool; the staleness clock starts here before any result.</summary>
        public DateTimeOffset TrackedSince { get; }

        public FrozenSet<string> Workflows { get; }

        public FrozenSet<string> Affordances { get; }

        public ToolOverride[] OverrideList { get; }

        public ToolOverride? GlobalOverride { get; }

        public FrozenDictionary<string, ToolOverride> WorkflowOverrides { get; }

        public static RegistryEntry Create(ToolDefinition tool, IEnumerable<ToolOverride> overrides, RegistryEntry? carried, CircuitBreakerOptions breaker, DateTimeOffset now)
        {
            // A changed probe or damping makes the old verdict meaningless; anything else keeps the live state.
            var keepHealth = carried is not null && SameProbe(carried.Definition, tool);
            return new RegistryEntry(
                tool,
                keepHealth ? carried!.Health : new ToolHealthTracker(),
                carried?.Breaker ?? new ToolCircuitBreaker(breaker),
                keepHealth ? carried!.TrackedSince : now,
                [.. overrides]);
        }

        public RankedTool Assess(string workflow, IReadOnlyList<string> requiredAffordances, DateTimeOffset now)
        {
            var health = Health.Current;
            var circuit = Breaker.StateAt(now);
            var applied = EffectiveOverride(workflow, now);
            for (var i = 0; i < requiredAffordances.Count; i++)
            {
                if (!Affordances.Contains(requiredAffordances[i]))
                {
                    return new RankedTool(Definition, RankVerdict.MissingAffordance, health, circuit, default, applied, requiredAffordances[i]);
                }
            }

            var verdict = applied is { Action: OverrideAction.Disable } ? RankVerdict.Disabled
                : health.Status == HealthStatus.Critical ? RankVerdict.Critical
                : circuit == CircuitState.Open || (circuit == CircuitState.HalfOpen && Breaker.ProbeInFlight(now)) ? RankVerdict.CircuitOpen
                : RankVerdict.Eligible;
            return new RankedTool(Definition, verdict, health, circuit, circuit == CircuitState.Open ? Breaker.OpenUntil : default, applied, null);
        }

        public ToolStatus ToStatus(DateTimeOffset now) =>
            new(Definition, Health.Current, Breaker.StateAt(now), [.. OverrideList.Where(o => o.IsActive(now))]);

        private ToolOverride? EffectiveOverride(string workflow, DateTimeOffset now)
        {
            // The narrower scope wins: a per-workflow enable lifts a global disable for that workflow only.
            if (WorkflowOverrides.Count > 0 && WorkflowOverrides.TryGetValue(workflow, out var specific) && specific.IsActive(now))
            {
                return specific;
            }

            return GlobalOverride is { } global && global.IsActive(now) ? global : null;
        }

        private static bool SameProbe(ToolDefinition before, ToolDefinition after)
        {
            var a = RegistryCatalogParser.ToDocument(before);
            var b = RegistryCatalogParser.ToDocument(after);
            return JsonSerializer.Serialize(a.HealthCheck, RegistryCatalogParser.JsonOptions) == JsonSerializer.Serialize(b.HealthCheck, RegistryCatalogParser.JsonOptions)
                && a.Damping == b.Damping;
        }
    }
}
