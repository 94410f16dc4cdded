using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>Settings of the monday client, bound from the <c>Monday</c> configuration section.</summary>
public sealed class MondayOptions
{
    public const string SectionName = "Monday";

    /// <summary>Personal or OAuth token, sent as the Authorization header. Never logged.</summary>
    public string Token { get; set; } = string.Empty;

    public Uri ApiUrl { get; set; } = new("https://api.monday.com/v2");

    /// <summary>The ledger board; empty until <c>bot provision</c> created it.</summary>
    public string BoardId { get; set; } = string.Empty;

    /// <summary>
    /// Boards the bot may touch. Empty: only <see cref="BoardId"/>. A board outside the list is refused at start and
    /// on every request that names one (provision, validation), so a mistyped id can never write to another team's board.
    /// </summary>
    public IList<string> AllowedBoardIds { get; } = [];

    /// <summary>Sent as <c>API-Version</c>; the schema we validate against is this version's.</summary>
    public string ApiVersion { get; set; } = "2026-10";

    /// <summary>Per attempt. monday itself gives up after 60 s, so its own TIMEOUT answer normally arrives first.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(65);

    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>First back-off step when monday gave no wait hint; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of any single wait (a daily-limit hint can ask for hours).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most aliased mutations in one request.</summary>
    public int MaxMutationsPerRequest { get; set; } = 200;

    /// <summary>monday's single-query complexity cap.</summary>
    public long MaxQueryComplexity { get; set; } = 5_000_000;

    /// <summary>Cost assumed for a mutation until monday reported real costs (monday documents ~10,000 for create_item).</summary>
    public long InitialMutationCostEstimate { get; set; } = 30_000;

    /// <summary>Cost assumed for a read until monday reported real costs.</summary>
    public long InitialQueryCostEstimate { get; set; } = 50_000;

    /// <summary>True when <paramref name="boardId"/> may be used: listed in <see cref="AllowedBoardIds"/>, or the configured board when the list is empty.</summary>
    public bool IsBoardAllowed(string boardId) =>
        AllowedBoardIds.Count > 0 ? AllowedBoardIds.Contains(boardId, StringComparer.Ordinal) : string.IsNullOrEmpty(BoardId) || BoardId == boardId;

    /// <exception cref="MondayBoardNotAllowedException">The board is outside the allow-list; nothing was sent.</exception>
    public void EnsureBoardAllowed(string boardId)
    {
        if (!IsBoardAllowed(boardId))
        {
            throw new MondayBoardNotAllowedException(boardId, AllowedBoardIds.Count > 0 ? AllowedBoardIds : [BoardId]);
        }
    }

    /// <summary>Never shows the token, so options can be logged safely.</summary>
    public override string ToString() =>
        $"Monday {{ ApiUrl = {ApiUrl}, BoardId = {BoardId}, ApiVersion = {ApiVersion}, Token = {(string.IsNullOrEmpty(Token) ? "(missing)" : "(redacted)")} }}";
}

/// <summary>Start-up validation; every message names the full key and its environment variable.</summary>
public sealed class MondayOptionsValidator : IValidateOptions<MondayOptions>
{
    public ValidateOptionsResult Validate(string? name, MondayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add("Monday:Token is required (env Monday__Token).");
        }

        if (options.ApiUrl is null || !options.ApiUrl.IsAbsoluteUri || options.ApiUrl.Scheme is not ("https" or "http"))
        {
            failures.Add("Monday:ApiUrl must be an absolute http(s) URL (env Monday__ApiUrl).");
        }

        if (!string.IsNullOrEmpty(options.BoardId) && !options.BoardId.All(char.IsAsciiDigit))
        {
            failures.Add($"Monday:BoardId must be digits only, got '{options.BoardId}' (env Monday__BoardId).");
        }

        foreach (var allowed in options.AllowedBoardIds.Where(id => id.Length == 0 || !id.All(char.IsAsciiDigit)))
        {
            failures.Add($"Monday:AllowedBoardIds entries must be digits only, got '{allowed}' (env Monday__AllowedBoardIds__0, …).");
        }

        if (options.AllowedBoardIds.Count > 0 && !string.IsNullOrEmpty(options.BoardId) && !options.AllowedBoardIds.Contains(options.BoardId, StringComparer.Ordinal))
        {
            failures.Add($"Monday:BoardId {options.BoardId} is not in Monday:AllowedBoardIds ({string.Join(", ", options.AllowedBoardIds)}); add it there or use an allowed board (env Monday__BoardId).");
        }

        if (!IsVersion(options.ApiVersion))
        {
            failures.Add($"Monday:ApiVersion must look like YYYY-MM, got '{options.ApiVersion}' (env Monday__ApiVersion).");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.AttemptTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Monday:AttemptTimeout must be between 0 and 10 minutes (env Monday__AttemptTimeout).");
        }

        if (options.MaxRetryAttempts is < 1 or > 20)
        {
            failures.Add("Monday:MaxRetryAttempts must be 1..20 (env Monday__MaxRetryAttempts).");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryBaseDelay)
        {
            failures.Add("Monday:RetryBaseDelay must be positive and not above Monday:MaxRetryDelay (env Monday__RetryBaseDelay, Monday__MaxRetryDelay).");
        }

        if (options.MaxMutationsPerRequest is < 1 or > 1000)
        {
            failures.Add("Monday:MaxMutationsPerRequest must be 1..1000 (env Monday__MaxMutationsPerRequest).");
        }

        if (options.MaxQueryComplexity < 1)
        {
            failures.Add("Monday:MaxQueryComplexity must be positive (env Monday__MaxQueryComplexity).");
        }

        if (options.InitialMutationCostEstimate < 1 || options.InitialQueryCostEstimate < 1)
        {
            failures.Add("Monday:InitialMutationCostEstimate and Monday:InitialQueryCostEstimate must be positive (env Monday__InitialMutationCostEstimate, Monday__InitialQueryCostEstimate).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsVersion(string? value) =>
        value is { Length: 7 } && value[4] == '-' && value[..4].All(char.IsAsciiDigit) && value[5..].All(char.IsAsciiDigit);
}

/// <summary>A board outside <c>Monday:AllowedBoardIds</c> was named; nothing was sent to monday.</summary>
public sealed class MondayBoardNotAllowedException(string boardId, IEnumerable<string> allowed)
    : InvalidOperationException($"Board {boardId} is not allowed: this bot may use only board(s) {string.Join(", ", allowed)} (Monday:AllowedBoardIds / Monday:BoardId).")
{
    public string BoardId { get; } = boardId;
}

/// <summary>The configured board does not exist on monday (deleted, or a wrong id); nothing was written.</summary>
public sealed class MondayBoardMissingException(string boardId)
    : InvalidOperationException($"monday has no board {boardId} (Monday:BoardId, env Monday__BoardId); run `bot provision` to create one or fix the id.")
{
    public string BoardId { get; } = boardId;
}
