using System.Globalization;

namespace DiscordLedgerBot.Discord.Messages;

/// <summary>
/// Builds one embed within Discord's limits. Free text (title, description, field name/value, footer, author) is cut
/// to its limit with "…"; structural limits (more than 25 fields, bad URL or colour, empty field) fail with
/// <see cref="DiscordLimitException"/>.
/// </summary>
public sealed class EmbedBuilder
{
    private readonly List<EmbedFieldPayload> _fields = [];
    private string? _title;
    private string? _description;
    private string? _url;
    private int? _color;
    private string? _timestamp;
    private EmbedFooterPayload? _footer;
    private EmbedAuthorPayload? _author;

    public EmbedBuilder WithTitle(string title)
    {
        _title = DiscordText.Truncate(DiscordText.Required(title, "Embed title"), DiscordLimits.EmbedTitleLength);
        return this;
    }

    public EmbedBuilder WithDescription(string description)
    {
        _description = DiscordText.Truncate(DiscordText.Required(description, "Embed description"), DiscordLimits.EmbedDescriptionLength);
        return this;
    }

    public EmbedBuilder WithUrl(string url)
    {
        _url = DiscordText.Url(url, DiscordLimits.EmbedUrlLength, "Embed url");
        return this;
    }

    /// <param name="rgb">0xRRGGBB.</param>
    public EmbedBuilder WithColor(int rgb)
    {
        if (rgb is < 0 or > 0xFFFFFF)
        {
            throw new DiscordLimitException($"Embed color must be 0x000000-0xFFFFFF (was 0x{rgb:X}).");
        }

        _color = rgb;
        return this;
    }

    public EmbedBuilder WithTimestamp(DateTimeOffset timestamp)
    {
        _timestamp = timestamp.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
        return this;
    }

    public EmbedBuilder AddField(string name, string value, bool inline = false)
    {
        if (_fields.Count == DiscordLimits.EmbedFields)
        {
            throw new DiscordLimitException($"An embed holds at most {DiscordLimits.EmbedFields} fields.");
        }

        _fields.Add(new EmbedFieldPayload(
            DiscordText.Truncate(DiscordText.Required(name, "Embed field name"), DiscordLimits.EmbedFieldNameLength),
            DiscordText.Truncate(DiscordText.Required(value, $"Embed field '{name}' value"), DiscordLimits.EmbedFieldValueLength),
            inline));
        return this;
    }

    public EmbedBuilder WithFooter(string text)
    {
        _footer = new EmbedFooterPayload(DiscordText.Truncate(DiscordText.Required(text, "Embed footer"), DiscordLimits.EmbedFooterLength));
        return this;
    }

    public EmbedBuilder WithAuthor(string name, string? url = null)
    {
        _author = new EmbedAuthorPayload(
            DiscordText.Truncate(DiscordText.Required(name, "Embed author name"), DiscordLimits.EmbedAuthorNameLength),
            url is null ? null : DiscordText.Url(url, DiscordLimits.EmbedUrlLength, "Embed author url"));
        return this;
    }

    public EmbedPayload Build()
    {
        if (_title is null && _description is null && _fields.Count == 0 && _footer is null && _author is null)
        {
            throw new DiscordLimitException("An embed needs a title, description, field, footer or author.");
        }

        return new EmbedPayload
        {
            Title = _title,
            Description = _description,
            Url = _url,
            Color = _color,
            Timestamp = _timestamp,
            Fields = _fields.Count == 0 ? null : [.. _fields],
            Footer = _footer,
            Author = _author,
        };
    }
}
