namespace DiscordLedgerBot.Discord.Messages;

/// <summary>
/// Builds a message body that Discord will accept. Content is cut to 2000 characters with "…". When the embeds together
/// exceed the 6000-character total, descriptions are shortened (last embed first) because they are the free text most
/// likely to be long; if titles and fields alone are over, or a structural limit (10 embeds, 5 rows, duplicate
/// custom_id, empty message) is broken, <see cref="Build"/> throws <see cref="DiscordLimitException"/>.
/// Mentions default to <see cref="AllowedMentions.None"/>.
/// </summary>
public sealed class MessageBuilder
{
    private readonly List<EmbedPayload> _embeds = [];
    private readonly List<ActionRowPayload> _rows = [];
    private string? _content;
    private int _flags;
    private AllowedMentions _mentions = AllowedMentions.None;

    /// <summary>A plain-text message.</summary>
    public static MessagePayload Text(string content, bool ephemeral = false)
    {
        var builder = new MessageBuilder().WithContent(content);
        return (ephemeral ? builder.AsEphemeral() : builder).Build();
    }

    public MessageBuilder WithContent(string content)
    {
        _content = DiscordText.Truncate(DiscordText.Required(content, "Message content"), DiscordLimits.ContentLength);
        return this;
    }

    public MessageBuilder AddEmbed(EmbedPayload embed)
    {
        ArgumentNullException.ThrowIfNull(embed);
        if (_embeds.Count == DiscordLimits.EmbedsPerMessage)
        {
            throw new DiscordLimitException($"A message holds at most {DiscordLimits.EmbedsPerMessage} embeds.");
        }

        _embeds.Add(embed);
        return this;
    }

    public MessageBuilder AddEmbed(Action<EmbedBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var builder = new EmbedBuilder();
        build(builder);
        return AddEmbed(builder.Build());
    }

    public MessageBuilder AddActionRow(Action<ActionRowBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (_rows.Count == DiscordLimits.ActionRowsPerMessage)
        {
            throw new DiscordLimitException($"A message holds at most {DiscordLimits.ActionRowsPerMessage} action rows.");
        }

        var builder = new ActionRowBuilder();
        build(builder);
        _rows.Add(builder.Build());
        return this;
    }

    /// <summary>Only the invoking user sees the message (interaction responses and follow-ups only).</summary>
    public MessageBuilder AsEphemeral()
    {
        _flags |= MessageFlags.Ephemeral;
        return this;
    }

    public MessageBuilder SuppressEmbeds()
    {
        _flags |= MessageFlags.SuppressEmbeds;
        return this;
    }

    public MessageBuilder WithAllowedMentions(AllowedMentions mentions)
    {
        _mentions = mentions ?? throw new ArgumentNullException(nameof(mentions));
        return this;
    }

    public MessagePayload Build()
    {
        if (_content is null && _embeds.Count == 0 && _rows.Count == 0)
        {
            throw new DiscordLimitException("A message needs content, an embed or a component.");
        }

        var duplicate = _rows.SelectMany(row => row.Components)
            .Select(component => component.InteractiveId)
            .OfType<string>()
            .GroupBy(id => id, StringComparer.Ordinal)
            .FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new DiscordLimitException($"custom_id '{duplicate.Key}' is used more than once in one message.");
        }

        return new MessagePayload
        {
            Content = _content,
            Embeds = _embeds.Count == 0 ? null : FitEmbedTotal(_embeds),
            Components = _rows.Count == 0 ? null : [.. _rows],
            AllowedMentions = _mentions.ToPayload(),
            Flags = _flags == 0 ? null : _flags,
        };
    }

    private static List<EmbedPayload> FitEmbedTotal(List<EmbedPayload> embeds)
    {
        var fitted = embeds.ToList();
        var excess = fitted.Sum(embed => embed.CountedLength) - DiscordLimits.EmbedTotalLength;
        for (var i = fitted.Count - 1; i >= 0 && excess > 0; i--)
        {
            var description = fitted[i].Description;
            if (description is null || description.Length <= DiscordText.Ellipsis.Length)
            {
                continue;
            }

            var target = Math.Max(DiscordText.Ellipsis.Length, description.Length - excess);
            var shortened = DiscordText.Truncate(description, target);
            excess -= description.Length - shortened.Length;
            fitted[i] = fitted[i] with { Description = shortened };
        }

        if (excess > 0)
        {
            throw new DiscordLimitException(
                $"The embeds' titles, fields, footers and authors exceed Discord's {DiscordLimits.EmbedTotalLength}-character total by {excess} even with descriptions shortened.");
        }

        return fitted;
    }
}
