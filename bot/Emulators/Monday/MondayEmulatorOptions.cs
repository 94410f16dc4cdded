namespace DiscordLedgerBot.Emulators.Monday;

/// <summary>Settings of one <see cref="MondayEmulator"/> instance. Defaults model an Enterprise-plan personal token.</summary>
public sealed class MondayEmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free port (read it back from <see cref="MondayEmulator.ApiUrl"/>).</summary>
    public int Port { get; set; }

    /// <summary>JSON file the state is loaded from at start and written to (atomically) after every change; null = in memory only.</summary>
    public string? StateFile { get; set; }

    /// <summary>When set, <c>Authorization</c> must carry exactly this token (raw or <c>Bearer</c>); otherwise any non-empty token is accepted.</summary>
    public string? RequiredToken { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public MondayRateLimitOptions RateLimits { get; set; } = new();

    public MondayComplexityOptions Complexity { get; set; } = new();

    /// <summary>How long an <c>Idempotency-Key</c>'s first response is replayed (monday: 30 minutes).</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary><c>Retry-After</c> seconds sent with a 409 IDEMPOTENCY_CONFLICT.</summary>
    public int IdempotencyConflictRetryAfterSeconds { get; set; } = 1;

    /// <summary>Lifetime of items_page cursors, counted from the first page request (monday: 60 minutes).</summary>
    public TimeSpan CursorLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Maps <c>/__emulator/*</c> (faults, state, stats) for out-of-process tests and the sandbox.</summary>
    public bool EnableControlApi { get; set; } = true;

    /// <summary>Items per board before <c>ItemsLimitationException</c> (monday's page says 10,000).</summary>
    public int MaxItemsPerBoard { get; set; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending setting.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"MondayEmulator:Port must be 0..65535 (was {Port}).");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, "MondayEmulator:TimeProvider");
        RateLimits.Validate();
        Complexity.Validate();
        if (IdempotencyWindow <= TimeSpan.Zero || CursorLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("MondayEmulator:IdempotencyWindow and MondayEmulator:CursorLifetime must be positive.");
        }

        if (MaxItemsPerBoard <= 0)
        {
            throw new ArgumentException("MondayEmulator:MaxItemsPerBoard must be positive.");
        }
    }
}

/// <summary>monday's account-level limits (rate-limits page, 2026). Every limit can be switched off with <c>int.MaxValue</c>.</summary>
public sealed class MondayRateLimitOptions
{
    public int SingleQueryComplexityLimit { get; set; } = 5_000_000;

    /// <summary>Complexity points per window (personal token: reads+writes combined).</summary>
    public int ComplexityPerMinute { get; set; } = 10_000_000;

    /// <summary>Window length for complexity and requests; it starts with the first call and resets that long after it.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);

    public int RequestsPerMinute { get; set; } = 5_000;

    public int MaxConcurrentRequests { get; set; } = 250;

    /// <summary>Requests per 10 seconds from one IP (monday: 5,000); every emulator client is 127.0.0.1.</summary>
    public int IpRequestsPer10Seconds { get; set; } = 5_000;

    /// <summary>Daily calls, reset at 00:00 UTC. Rejected calls and complexity-only calls count 0.1.</summary>
    public int DailyCallLimit { get; set; } = 25_000;

    /// <summary><c>retry_in_seconds</c> for MAX_CONCURRENCY_EXCEEDED (monday's fixtures: ~15).</summary>
    public int ConcurrencyRetryInSeconds { get; set; } = 15;

    /// <summary>HTTP status of rate-limit rejections: 429 (monday's 2026 fixtures) or 200 (older behaviour).</summary>
    public int RateLimitHttpStatus { get; set; } = 429;

    internal void Validate()
    {
        if (SingleQueryComplexityLimit <= 0 || ComplexityPerMinute <= 0 || RequestsPerMinute <= 0 || MaxConcurrentRequests <= 0 || DailyCallLimit <= 0 || IpRequestsPer10Seconds <= 0)
        {
            throw new ArgumentException("MondayEmulator:RateLimits limits must be positive.");
        }

        if (Window <= TimeSpan.Zero)
        {
            throw new ArgumentException("MondayEmulator:RateLimits:Window must be positive.");
        }

        if (RateLimitHttpStatus is not (200 or 429))
        {
            throw new ArgumentException($"MondayEmulator:RateLimits:RateLimitHttpStatus must be 200 or 429 (was {RateLimitHttpStatus}).");
        }
    }
}

/// <summary>
/// Query cost model. monday's exact costs are not published (and changed in 2025-10), so the emulator uses:
/// cost(field) = base(field) + multiplier(field) x cost(sub-selection), where base comes from <see cref="FieldCosts"/>
/// ("Type.field" keys) or the defaults below, and the multiplier of a list field is its <c>limit</c> argument, else
/// the number of <c>ids</c>, else <see cref="DefaultListSize"/>.
/// </summary>
public sealed class MondayComplexityOptions
{
    public Dictionary<string, int> FieldCosts { get; set; } = new(StringComparer.Ordinal)
    {
        ["Mutation.create_item"] = 10_000,
        ["Mutation.create_subitem"] = 10_000,
        ["Query.users"] = 10_000,
        ["Query.complexity"] = 0,
        ["Mutation.complexity"] = 0,
    };

    /// <summary>Base cost of root mutation fields without an entry in <see cref="FieldCosts"/>.</summary>
    public int DefaultMutationCost { get; set; } = 10_000;

    /// <summary>Base cost of other composite (object/list) fields without an entry.</summary>
    public int DefaultObjectFieldCost { get; set; } = 1;

    /// <summary>Base cost of scalar/enum fields without an entry.</summary>
    public int DefaultLeafFieldCost { get; set; }

    public int DefaultListSize { get; set; } = 25;

    internal void Validate()
    {
        if (DefaultMutationCost < 0 || DefaultObjectFieldCost < 0 || DefaultLeafFieldCost < 0 || DefaultListSize < 1 || FieldCosts.Values.Any(v => v < 0))
        {
            throw new ArgumentException("MondayEmulator:Complexity costs must be non-negative and DefaultListSize at least 1.");
        }
    }
}
