namespace DiscordLedgerBot.Discord.Interactions;

/// <summary>A handler for one route. It receives the parsed interaction plus reply helpers and returns what to show.</summary>
public delegate Task<InteractionResponse> InteractionHandler(InteractionContext context, CancellationToken cancellationToken);

/// <summary>How a route is answered when its handler is slower than the deferral threshold.</summary>
/// <param name="DeferEphemeral">Defer commands/modals with the EPHEMERAL flag, so the eventual reply is private (fixed at deferral time).</param>
/// <param name="DeferAtOnce">
/// Commands only: acknowledge with the deferral as soon as the interaction arrives, unless the handler has already
/// finished, and deliver its answer as the edit. For handlers that wait on I/O (a durable append, a monday read): the
/// person sees "thinking…" at once instead of the acknowledgement queueing behind that wait.
/// </param>
public sealed record InteractionRouteOptions(bool DeferEphemeral = false, bool DeferAtOnce = false);

/// <summary>
/// Routes interactions to handlers: commands and autocomplete by command path ("ledger", "ledger add",
/// "ledger admin sync"; the longest declared path that prefixes the invoked one wins), components and modals by the
/// longest matching custom_id prefix (e.g. "approve:" for "approve:42").
/// </summary>
public sealed class InteractionRouter
{
    private readonly Dictionary<string, Route> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Route> _autocomplete = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Route> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Route> _modals = new(StringComparer.Ordinal);

    public InteractionRouter MapCommand(string commandPath, InteractionHandler handler, InteractionRouteOptions? options = null) =>
        Add(_commands, Normalize(commandPath), handler, options, "command");

    public InteractionRouter MapAutocomplete(string commandPath, InteractionHandler handler) =>
        Add(_autocomplete, Normalize(commandPath), handler, null, "autocomplete");

    public InteractionRouter MapComponent(string customIdPrefix, InteractionHandler handler, InteractionRouteOptions? options = null) =>
        Add(_components, customIdPrefix, handler, options, "component");

    public InteractionRouter MapModal(string customIdPrefix, InteractionHandler handler, InteractionRouteOptions? options = null) =>
        Add(_modals, customIdPrefix, handler, options, "modal");

    /// <summary>The route for an interaction, or null when nothing handles it.</summary>
    public Route? Find(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return interaction.Data switch
        {
            ApplicationCommandData command when interaction.Type == InteractionType.ApplicationCommandAutocomplete => FindCommand(_autocomplete, command.CommandPath),
            ApplicationCommandData command => FindCommand(_commands, command.CommandPath),
            ComponentInteractionData component => FindPrefix(_components, component.CustomId),
            ModalSubmitData modal => FindPrefix(_modals, modal.CustomId),
            _ => null,
        };
    }

    private static Route? FindCommand(Dictionary<string, Route> routes, string path)
    {
        for (var candidate = path; ; candidate = candidate[..candidate.LastIndexOf(' ')])
        {
            if (routes.TryGetValue(candidate, out var route))
            {
                return route;
            }

            if (!candidate.Contains(' ', StringComparison.Ordinal))
            {
                return null;
            }
        }
    }

    private static Route? FindPrefix(Dictionary<string, Route> routes, string customId) =>
        routes.Where(pair => customId.StartsWith(pair.Key, StringComparison.Ordinal))
            .OrderByDescending(pair => pair.Key.Length)
            .Select(pair => pair.Value)
            .FirstOrDefault();

    private static string Normalize(string commandPath) =>
        string.Join(' ', commandPath.TrimStart('/').Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private InteractionRouter Add(Dictionary<string, Route> routes, string key, InteractionHandler handler, InteractionRouteOptions? options, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(handler);
        if (!routes.TryAdd(key, new Route(key, handler, options ?? new InteractionRouteOptions())))
        {
            throw new InvalidOperationException($"A {kind} handler for '{key}' is already mapped.");
        }

        return this;
    }

    public sealed record Route(string Key, InteractionHandler Handler, InteractionRouteOptions Options);
}
