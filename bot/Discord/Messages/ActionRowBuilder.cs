namespace DiscordLedgerBot.Discord.Messages;

/// <summary>An option offered by a string select.</summary>
public sealed record SelectOption(string Label, string Value, string? Description = null, bool IsDefault = false);

/// <summary>
/// One action row: up to 5 buttons, or exactly one select. Labels, placeholders and option descriptions are cut with
/// "…"; custom_ids, option values, URLs and counts are structural and fail with <see cref="DiscordLimitException"/>.
/// </summary>
public sealed class ActionRowBuilder
{
    private readonly List<ComponentPayload> _components = [];

    public ActionRowBuilder AddButton(string customId, string label, ButtonStyle style = ButtonStyle.Primary, bool disabled = false)
    {
        if (style == ButtonStyle.Link)
        {
            throw new DiscordLimitException("Use AddLinkButton for link buttons: they carry a url, not a custom_id.");
        }

        return AddToRow(new ButtonPayload(style, ButtonLabel(label), DiscordText.CustomId(customId, "Button"), null, disabled));
    }

    public ActionRowBuilder AddLinkButton(string url, string label, bool disabled = false) =>
        AddToRow(new ButtonPayload(ButtonStyle.Link, ButtonLabel(label), null, DiscordText.Url(url, DiscordLimits.ButtonUrlLength, "Link button url"), disabled));

    public ActionRowBuilder AddStringSelect(string customId, IReadOnlyList<SelectOption> options, string? placeholder = null, int minValues = 1, int maxValues = 1, bool disabled = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_components.Count > 0)
        {
            throw new DiscordLimitException("A select must be alone in its action row.");
        }

        if (options.Count is 0 or > DiscordLimits.SelectOptions)
        {
            throw new DiscordLimitException($"A select needs 1-{DiscordLimits.SelectOptions} options (had {options.Count}).");
        }

        if (minValues < 0 || maxValues < 1 || minValues > maxValues || maxValues > options.Count)
        {
            throw new DiscordLimitException($"Select '{customId}': need 0 <= min_values ({minValues}) <= max_values ({maxValues}) <= options ({options.Count}).");
        }

        var values = new HashSet<string>(StringComparer.Ordinal);
        var payloads = new List<SelectOptionPayload>(options.Count);
        foreach (var option in options)
        {
            if (string.IsNullOrEmpty(option.Value) || option.Value.Length > DiscordLimits.SelectOptionTextLength || !values.Add(option.Value))
            {
                throw new DiscordLimitException($"Select '{customId}': option values must be unique and 1-{DiscordLimits.SelectOptionTextLength} characters ('{option.Value}').");
            }

            payloads.Add(new SelectOptionPayload(
                DiscordText.Truncate(DiscordText.Required(option.Label, "Select option label"), DiscordLimits.SelectOptionTextLength),
                option.Value,
                string.IsNullOrEmpty(option.Description) ? null : DiscordText.Truncate(option.Description, DiscordLimits.SelectOptionTextLength),
                option.IsDefault));
        }

        _components.Add(new StringSelectPayload(
            DiscordText.CustomId(customId, "Select"),
            payloads,
            string.IsNullOrEmpty(placeholder) ? null : DiscordText.Truncate(placeholder, DiscordLimits.SelectPlaceholderLength),
            minValues,
            maxValues,
            disabled));
        return this;
    }

    public ActionRowPayload Build()
    {
        if (_components.Count == 0)
        {
            throw new DiscordLimitException("An action row needs at least one component.");
        }

        return new ActionRowPayload([.. _components]);
    }

    private static string ButtonLabel(string label) =>
        DiscordText.Truncate(DiscordText.Required(label, "Button label"), DiscordLimits.ButtonLabelLength);

    private ActionRowBuilder AddToRow(ButtonPayload button)
    {
        if (_components.Any(component => component is StringSelectPayload))
        {
            throw new DiscordLimitException("A select must be alone in its action row.");
        }

        if (_components.Count == DiscordLimits.ButtonsPerRow)
        {
            throw new DiscordLimitException($"An action row holds at most {DiscordLimits.ButtonsPerRow} buttons.");
        }

        _components.Add(button);
        return this;
    }
}
