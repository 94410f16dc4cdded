namespace DiscordLedgerBot.Discord.Messages;

/// <summary>
/// A modal with 1-5 text inputs (one per action row). Title, labels, placeholders and prefilled values are cut with
/// "…"; custom_ids, length bounds and the input count fail with <see cref="DiscordLimitException"/>.
/// </summary>
public sealed class ModalBuilder
{
    private readonly string _customId;
    private readonly string _title;
    private readonly List<TextInputPayload> _inputs = [];

    public ModalBuilder(string customId, string title)
    {
        _customId = DiscordText.CustomId(customId, "Modal");
        _title = DiscordText.Truncate(DiscordText.Required(title, "Modal title"), DiscordLimits.ModalTitleLength);
    }

    public ModalBuilder AddTextInput(
        string customId,
        string label,
        TextInputStyle style = TextInputStyle.Short,
        bool required = true,
        int? minLength = null,
        int? maxLength = null,
        string? placeholder = null,
        string? value = null)
    {
        if (_inputs.Count == DiscordLimits.ModalComponents)
        {
            throw new DiscordLimitException($"A modal holds at most {DiscordLimits.ModalComponents} text inputs.");
        }

        if (_inputs.Any(input => input.CustomId == customId))
        {
            throw new DiscordLimitException($"custom_id '{customId}' is used more than once in modal '{_customId}'.");
        }

        if (minLength is < 0 or > DiscordLimits.TextInputValueLength || maxLength is < 1 or > DiscordLimits.TextInputValueLength ||
            (minLength is { } min && maxLength is { } max && min > max))
        {
            throw new DiscordLimitException($"Text input '{customId}': need 0 <= min_length <= max_length, 1 <= max_length <= {DiscordLimits.TextInputValueLength}.");
        }

        var cap = maxLength ?? DiscordLimits.TextInputValueLength;
        _inputs.Add(new TextInputPayload(
            DiscordText.CustomId(customId, "Text input"),
            style,
            DiscordText.Truncate(DiscordText.Required(label, "Text input label"), DiscordLimits.TextInputLabelLength),
            required,
            minLength,
            maxLength,
            string.IsNullOrEmpty(placeholder) ? null : DiscordText.Truncate(placeholder, DiscordLimits.TextInputPlaceholderLength),
            string.IsNullOrEmpty(value) ? null : DiscordText.Truncate(value, cap)));
        return this;
    }

    public ModalPayload Build()
    {
        if (_inputs.Count == 0)
        {
            throw new DiscordLimitException($"Modal '{_customId}' needs at least one text input.");
        }

        return new ModalPayload(_customId, _title, [.. _inputs.Select(input => new ActionRowPayload([input]))]);
    }
}
