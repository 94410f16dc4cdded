using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Messages;

namespace DiscordLedgerBot.Discord.Tests.Messages;

public class MessageBuilderTests
{
    private static string Text(int length) => new('x', length);

    private static JsonNode Json(object payload) => JsonNode.Parse(JsonSerializer.Serialize(payload))!;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2000, 2000)]
    [InlineData(2001, 2000)]
    [InlineData(5000, 2000)]
    public void Content_is_cut_to_2000_with_an_ellipsis(int length, int expected)
    {
        var message = new MessageBuilder().WithContent(Text(length)).Build();

        Assert.Equal(expected, message.Content!.Length);
        Assert.Equal(length > 2000, message.Content.EndsWith(DiscordText.Ellipsis, StringComparison.Ordinal));
    }

    [Fact]
    public void Truncation_never_splits_a_surrogate_pair()
    {
        var fits = new string('a', 254) + "😀";
        var cutInsidePair = new string('a', 254) + "😀😀";

        Assert.Equal(fits, DiscordText.Truncate(fits, 256));
        Assert.Equal(new string('a', 254) + "…", DiscordText.Truncate(cutInsidePair, 256));
    }

    [Fact]
    public void Embed_free_text_is_cut_exactly_at_each_limit()
    {
        var atLimit = new EmbedBuilder().WithTitle(Text(256)).WithDescription(Text(4096)).AddField(Text(256), Text(1024))
            .WithFooter(Text(2048)).WithAuthor(Text(256)).Build();
        var over = new EmbedBuilder().WithTitle(Text(257)).WithDescription(Text(4097)).AddField(Text(257), Text(1025))
            .WithFooter(Text(2049)).WithAuthor(Text(257)).Build();

        Assert.Equal(Text(256), atLimit.Title);
        Assert.Equal(Text(4096), atLimit.Description);
        Assert.Equal((256, 1024), (atLimit.Fields![0].Name.Length, atLimit.Fields[0].Value.Length));
        Assert.Equal(Text(255) + "…", over.Title);
        Assert.Equal(Text(4095) + "…", over.Description);
        Assert.Equal(Text(255) + "…", over.Fields![0].Name);
        Assert.Equal(Text(1023) + "…", over.Fields[0].Value);
        Assert.Equal(Text(2047) + "…", over.Footer!.Text);
        Assert.Equal(Text(255) + "…", over.Author!.Name);
    }

    [Fact]
    public void An_embed_holds_25_fields_and_refuses_the_26th()
    {
        var embed = new EmbedBuilder();
        for (var i = 0; i < 25; i++)
        {
            embed.AddField($"f{i}", "v");
        }

        var exception = Assert.Throws<DiscordLimitException>(() => embed.AddField("f25", "v"));
        Assert.Contains("25 fields", exception.Message, StringComparison.Ordinal);
        Assert.Equal(25, embed.Build().Fields!.Count);
    }

    [Fact]
    public void Empty_fields_and_bad_colours_or_urls_fail_clearly()
    {
        Assert.Throws<DiscordLimitException>(() => new EmbedBuilder().AddField("name", " "));
        Assert.Throws<DiscordLimitException>(() => new EmbedBuilder().WithColor(0x1000000));
        Assert.Throws<DiscordLimitException>(() => new EmbedBuilder().WithUrl("not a url"));
        Assert.Throws<DiscordLimitException>(() => new EmbedBuilder().Build());
    }

    [Fact]
    public void A_message_holds_10_embeds_and_refuses_the_11th()
    {
        var message = new MessageBuilder();
        for (var i = 0; i < 10; i++)
        {
            message.AddEmbed(e => e.WithTitle($"e{i}"));
        }

        Assert.Throws<DiscordLimitException>(() => message.AddEmbed(e => e.WithTitle("e10")));
        Assert.Equal(10, message.Build().Embeds!.Count);
    }

    [Fact]
    public void Embeds_over_6000_in_total_have_their_descriptions_shortened_last_first()
    {
        var message = new MessageBuilder()
            .AddEmbed(e => e.WithTitle("first").WithDescription(Text(4000)))
            .AddEmbed(e => e.WithTitle("second").WithDescription(Text(4000)))
            .Build();

        var embeds = message.Embeds!;
        Assert.Equal(6000, embeds.Sum(e => e.CountedLength));
        Assert.Equal(Text(4000), embeds[0].Description);
        Assert.EndsWith("…", embeds[1].Description!, StringComparison.Ordinal);
    }

    [Fact]
    public void Embeds_over_6000_without_descriptions_to_shorten_fail()
    {
        var message = new MessageBuilder();
        for (var e = 0; e < 8; e++)
        {
            message.AddEmbed(embed =>
            {
                for (var f = 0; f < 3; f++)
                {
                    embed.AddField(Text(256), Text(1024));
                }
            });
        }

        var exception = Assert.Throws<DiscordLimitException>(message.Build);
        Assert.Contains("6000", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Five_rows_of_five_buttons_fit_and_more_fail()
    {
        var message = new MessageBuilder();
        for (var row = 0; row < 5; row++)
        {
            message.AddActionRow(r =>
            {
                for (var b = 0; b < 5; b++)
                {
                    r.AddButton($"b:{row}:{b}", "Go");
                }
            });
        }

        Assert.Throws<DiscordLimitException>(() => message.AddActionRow(r => r.AddButton("extra", "Go")));
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddButton("1", "a").AddButton("2", "a").AddButton("3", "a").AddButton("4", "a").AddButton("5", "a").AddButton("6", "a"));
        Assert.Equal(25, message.Build().Components!.Sum(r => r.Components.Count));
    }

    [Fact]
    public void A_button_on_the_wire_carries_discords_fields_only()
    {
        var message = new MessageBuilder().AddActionRow(r => r.AddButton("esc:ack:1", "Acknowledge")).Build();

        var button = Json(message)["components"]![0]!["components"]![0]!.AsObject();

        Assert.Equal("esc:ack:1", button["custom_id"]!.GetValue<string>());
        // The builder's own bookkeeping (which custom_id a component reports back with) never reaches Discord.
        Assert.All(button.Select(p => p.Key), key => Assert.Matches("^[a-z_]+$", key));
    }

    [Fact]
    public void Custom_ids_must_be_1_to_100_characters_and_unique_per_message()
    {
        Assert.Equal(Text(100), ((ButtonPayload)new ActionRowBuilder().AddButton(Text(100), "ok").Build().Components[0]).CustomId);
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddButton(Text(101), "too long"));
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddButton(string.Empty, "empty"));
        var duplicate = new MessageBuilder()
            .AddActionRow(r => r.AddButton("approve:1", "Approve"))
            .AddActionRow(r => r.AddButton("approve:1", "Again"));

        var exception = Assert.Throws<DiscordLimitException>(duplicate.Build);
        Assert.Contains("approve:1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Button_labels_are_cut_at_80()
    {
        var row = new ActionRowBuilder().AddButton("a", Text(80)).AddButton("b", Text(81)).Build();

        Assert.Equal(Text(80), ((ButtonPayload)row.Components[0]).Label);
        Assert.Equal(Text(79) + "…", ((ButtonPayload)row.Components[1]).Label);
    }

    [Fact]
    public void Selects_take_1_to_25_options_alone_in_their_row()
    {
        var options = Enumerable.Range(0, 25).Select(i => new SelectOption($"Option {i}", $"v{i}", Text(101))).ToList();

        var select = (StringSelectPayload)new ActionRowBuilder().AddStringSelect("pick", options, placeholder: Text(151)).Build().Components[0];

        Assert.Equal(25, select.Options.Count);
        Assert.Equal(100, select.Options[0].Description!.Length);
        Assert.Equal(150, select.Placeholder!.Length);
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddStringSelect("pick", [.. options, new SelectOption("x", "v25")]));
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddStringSelect("pick", []));
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddButton("b", "B").AddStringSelect("pick", options));
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddStringSelect("pick", [new SelectOption("a", "same"), new SelectOption("b", "same")]));
        Assert.Throws<DiscordLimitException>(() => new ActionRowBuilder().AddStringSelect("pick", options, minValues: 3, maxValues: 2));
    }

    [Fact]
    public void Allowed_mentions_are_always_serialized_and_default_to_nobody()
    {
        var json = Json(MessageBuilder.Text("hello @everyone"));

        Assert.Equal("""{"parse":[]}""", json["allowed_mentions"]!.ToJsonString());
    }

    [Fact]
    public void Explicit_mentions_list_only_the_given_users_and_roles()
    {
        var message = new MessageBuilder().WithContent("<@42> <@&7>").WithAllowedMentions(AllowedMentions.Only([42UL, 42UL], [7UL])).Build();

        Assert.Equal("""{"parse":[],"users":["42"],"roles":["7"]}""", Json(message)["allowed_mentions"]!.ToJsonString());
        Assert.Throws<DiscordLimitException>(() => AllowedMentions.Only(Enumerable.Range(1, 101).Select(i => (ulong)i)));
    }

    [Fact]
    public void An_empty_message_is_refused()
    {
        Assert.Throws<DiscordLimitException>(() => new MessageBuilder().Build());
    }

    [Fact]
    public void Ephemeral_sets_flag_64()
    {
        var message = MessageBuilder.Text("only you", ephemeral: true);

        Assert.Equal(64, message.Flags);
        Assert.True(message.IsEphemeral);
    }

    [Fact]
    public void Modals_cut_free_text_and_enforce_structure()
    {
        var modal = new ModalBuilder("edit:1", Text(46))
            .AddTextInput("title", Text(46), placeholder: Text(101), value: Text(50), maxLength: 40)
            .Build();

        var input = (TextInputPayload)modal.Components[0].Components[0];
        Assert.Equal(45, modal.Title.Length);
        Assert.Equal(45, input.Label.Length);
        Assert.Equal(100, input.Placeholder!.Length);
        Assert.Equal(40, input.Value!.Length);
        Assert.Throws<DiscordLimitException>(() => new ModalBuilder("m", "t").Build());
        Assert.Throws<DiscordLimitException>(() => new ModalBuilder(Text(101), "t"));
        Assert.Throws<DiscordLimitException>(() => new ModalBuilder("m", "t").AddTextInput("a", "A").AddTextInput("a", "B"));
        Assert.Throws<DiscordLimitException>(() => new ModalBuilder("m", "t").AddTextInput("a", "A", minLength: 10, maxLength: 5));
        var five = new ModalBuilder("m", "t");
        for (var i = 0; i < 5; i++)
        {
            five.AddTextInput($"i{i}", "L");
        }

        Assert.Throws<DiscordLimitException>(() => five.AddTextInput("i5", "L"));
    }
}
