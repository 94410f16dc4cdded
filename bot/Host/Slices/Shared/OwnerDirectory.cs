using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Core.Monday;
using DiscordLedgerBot.Core.Storage;
using DiscordLedgerBot.Discord.Interactions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Shared;

/// <summary>A monday person a Discord user is linked to.</summary>
public sealed record MondayPerson(string Id, string Name, string Email);

/// <summary>
/// Discord user ↔ monday user. Links come from configuration (<see cref="SurfaceOptions.Owners"/>), from
/// <c>/ledger link</c> (kept durably in the store) or from an email that matches one of monday's users. The ledger's
/// owner column holds the monday person's name, so the board reads naturally; the card shows both.
/// </summary>
public sealed partial class OwnerDirectory(
    MondayClient monday,
    ILedgerCache store,
    IOptionsMonitor<SurfaceOptions> options,
    TimeProvider time,
    ILogger<OwnerDirectory> logger)
{
    private const string StoreKey = "surface:owner-links";
    private const string UsersDocument =
        "query LedgerSurfaceUsers { complexity { before after query reset_in_x_seconds } users(limit: 200) { id name email } }";

    private readonly ConcurrentDictionary<ulong, MondayPerson> _links = new();
    private IReadOnlyList<MondayPerson>? _mondayUsers;

    /// <summary>Loads the stored links and resolves the configured ones against monday's users.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (await store.GetEntryAsync(StoreKey, cancellationToken) is { } stored)
        {
            foreach (var (id, person) in JsonSerializer.Deserialize<Dictionary<string, MondayPerson>>(stored.EntryJson) ?? [])
            {
                _links[ulong.Parse(id, CultureInfo.InvariantCulture)] = person;
            }
        }

        foreach (var (discordId, mondayUser) in options.CurrentValue.Owners)
        {
            if (!ulong.TryParse(discordId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || _links.ContainsKey(id))
            {
                continue;
            }

            if (await FindMondayUserAsync(mondayUser, cancellationToken) is { } person)
            {
                _links[id] = person;
            }
            else
            {
                LogUnresolvedConfiguredOwner(logger, discordId, mondayUser);
            }
        }
    }

    public MondayPerson? Find(ulong discordUserId) => _links.GetValueOrDefault(discordUserId);

    /// <summary>The Discord user whose monday person carries <paramref name="ownerText"/> (the owner column's value).</summary>
    public ulong? DiscordUserFor(string? ownerText) =>
        ownerText is null ? null : _links.FirstOrDefault(link => string.Equals(link.Value.Name, ownerText, StringComparison.OrdinalIgnoreCase)) is { Value: not null } found ? found.Key : null;

    public IReadOnlyList<(ulong DiscordUserId, MondayPerson Person)> All => [.. _links.Select(link => (link.Key, link.Value))];

    /// <summary>Links <paramref name="discordUserId"/> to the monday user with that email or id; throws a user-facing error when none matches.</summary>
    public async Task<MondayPerson> LinkAsync(ulong discordUserId, string emailOrId, CancellationToken cancellationToken)
    {
        var person = await FindMondayUserAsync(emailOrId, cancellationToken)
            ?? throw new InteractionInputException($"monday has no user with the email or id '{emailOrId}'. Check the address you use to sign in to monday (or your numeric monday user id).");
        _links[discordUserId] = person;
        var json = JsonSerializer.Serialize(_links.ToDictionary(link => link.Key.ToString(CultureInfo.InvariantCulture), link => link.Value));
        await store.SetEntryAsync(new LedgerCacheEntry(StoreKey, json, null, time.GetUtcNow()), cancellationToken);
        LogLinked(logger, discordUserId, person.Id, person.Name);
        return person;
    }

    /// <summary>The prompt an unmapped person gets, listing every way to link.</summary>
    public static string HowToLink(string who) =>
        $"{who} is not linked to a monday user yet, so the item would have no owner. Ways to link: "
        + "(1) they run `/ledger link email:<their monday email>`; "
        + "(2) an admin adds them under Surface:Owners in the configuration (Discord user id → monday email or id). Nothing was recorded.";

    private async Task<MondayPerson?> FindMondayUserAsync(string emailOrId, CancellationToken cancellationToken)
    {
        var wanted = emailOrId.Trim();
        var users = _mondayUsers ??= await ReadMondayUsersAsync(cancellationToken);
        return users.FirstOrDefault(u => string.Equals(u.Email, wanted, StringComparison.OrdinalIgnoreCase))
            ?? users.FirstOrDefault(u => u.Id == wanted)
            ?? users.FirstOrDefault(u => string.Equals(u.Name, wanted, StringComparison.OrdinalIgnoreCase));
    }

    private async Task<IReadOnlyList<MondayPerson>> ReadMondayUsersAsync(CancellationToken cancellationToken)
    {
        var response = await monday.QueryAsync(UsersDocument, new JsonObject(), 1_000, cancellationToken);
        if (response.Data is not { } data || !data.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. users.EnumerateArray().Select(user => new MondayPerson(
            user.GetProperty("id").ToString(),
            user.TryGetProperty("name", out var name) ? name.GetString() ?? string.Empty : string.Empty,
            user.TryGetProperty("email", out var email) ? email.GetString() ?? string.Empty : string.Empty))];
    }

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Discord user {DiscordUserId} linked to monday user {MondayUserId} ({Name})")]
    private static partial void LogLinked(ILogger logger, ulong discordUserId, string mondayUserId, string name);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "Surface:Owners maps Discord user {DiscordUserId} to '{MondayUser}', which matches no monday user")]
    private static partial void LogUnresolvedConfiguredOwner(ILogger logger, string discordUserId, string mondayUser);
}
