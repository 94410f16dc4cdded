using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Tests.Interactions;
using Microsoft.Extensions.Logging.Abstractions;

namespace DiscordLedgerBot.Discord.Tests.Commands;

public class ApplicationCommandRegistrarTests
{
    private static readonly ApplicationCommandScope Guild = ApplicationCommandScope.Guild(1100000000000000001, 1200000000000000002);

    /// <summary>What Discord's GET returns for a set it stored: our fields plus ids, defaults and localizations.</summary>
    private static JsonElement AsDiscordEchoes(IReadOnlyList<ApplicationCommand> commands)
    {
        var array = ApplicationCommandJson.ToJson(commands);
        var index = 0;
        foreach (var command in array.Select(node => node!.AsObject()))
        {
            command["id"] = $"14000000000000000{index++:D2}";
            command["application_id"] = "1100000000000000001";
            command["guild_id"] = "1200000000000000002";
            command["version"] = "1400000000000000099";
            command["dm_permission"] = true;
            command["nsfw"] ??= false;
            command["integration_types"] ??= new JsonArray(0);
            command["contexts"] ??= null;
            command["name_localizations"] = null;
            command["description_localizations"] = null;
            AddOptionDefaults(command["options"] as JsonArray);
        }

        return JsonDocument.Parse(array.ToJsonString()).RootElement.Clone();
    }

    private static void AddOptionDefaults(JsonArray? options)
    {
        foreach (var option in options?.Select(node => node!.AsObject()) ?? [])
        {
            option["name_localizations"] = null;
            if (option["min_value"] is { } min && option["type"]!.GetValue<int>() == 10)
            {
                option["min_value"] = JsonValue.Create(min.GetValue<double>() + 0.0);
            }

            AddOptionDefaults(option["options"] as JsonArray);
        }
    }

    private static (ApplicationCommandRegistrar Registrar, RecordingDiscordRest Recorder) Create(JsonElement? registered)
    {
        var rest = new RecordingDiscordRest { Responder = request => request.Method == HttpMethod.Get ? registered : null };
        return (new ApplicationCommandRegistrar(rest, NullLogger<ApplicationCommandRegistrar>.Instance), rest);
    }

    [Fact]
    public async Task Skips_the_overwrite_when_discord_already_has_the_declared_set()
    {
        var declared = ApplicationCommandDeclarations.All();
        var (registrar, rest) = Create(AsDiscordEchoes(declared));

        var outcome = await registrar.RegisterAsync(Guild, declared, CancellationToken.None);

        Assert.Equal(CommandRegistrationOutcome.Unchanged, outcome);
        var call = Assert.Single(rest.Calls);
        Assert.Equal(HttpMethod.Get, call.Method);
        Assert.Equal("/applications/1100000000000000001/guilds/1200000000000000002/commands", call.Path);
    }

    [Fact]
    public async Task Overwrites_when_a_description_changed()
    {
        var declared = ApplicationCommandDeclarations.All();
        var registered = AsDiscordEchoes([ApplicationCommandBuilder.ChatInput("ping", "Old text").Build(), declared[0], declared[2]]);
        var (registrar, rest) = Create(registered);

        var outcome = await registrar.RegisterAsync(Guild, declared, CancellationToken.None);

        Assert.Equal(CommandRegistrationOutcome.Overwritten, outcome);
        var put = rest.Calls[1];
        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.Equal(3, put.Body!.AsArray().Count);
    }

    [Fact]
    public async Task Overwrites_when_an_option_or_permission_changed()
    {
        var declared = ApplicationCommandDeclarations.All();
        var echoed = JsonNode.Parse(AsDiscordEchoes(declared).GetRawText())!.AsArray();
        echoed[0]!["default_member_permissions"] = "8";
        var (registrar, rest) = Create(JsonDocument.Parse(echoed.ToJsonString()).RootElement.Clone());

        Assert.Equal(CommandRegistrationOutcome.Overwritten, await registrar.RegisterAsync(Guild, declared, CancellationToken.None));
        Assert.Equal(2, rest.Calls.Count);
    }

    [Fact]
    public async Task Overwrites_when_nothing_is_registered_and_removes_commands_no_longer_declared()
    {
        var (empty, emptyRest) = Create(JsonDocument.Parse("[]").RootElement.Clone());
        var (stale, staleRest) = Create(AsDiscordEchoes([.. ApplicationCommandDeclarations.All(), ApplicationCommandBuilder.ChatInput("old", "Old").Build()]));

        Assert.Equal(CommandRegistrationOutcome.Overwritten, await empty.RegisterAsync(ApplicationCommandScope.Global(1100000000000000001), ApplicationCommandDeclarations.All(), CancellationToken.None));
        Assert.Equal(CommandRegistrationOutcome.Overwritten, await stale.RegisterAsync(Guild, ApplicationCommandDeclarations.All(), CancellationToken.None));
        Assert.Equal("/applications/1100000000000000001/commands", emptyRest.Calls[1].Path);
        Assert.Equal(3, staleRest.Calls[1].Body!.AsArray().Count);
    }

    [Fact]
    public async Task An_invalid_declaration_fails_before_any_call()
    {
        var (registrar, rest) = Create(null);

        await Assert.ThrowsAsync<InvalidApplicationCommandsException>(() =>
            registrar.RegisterAsync(Guild, [ApplicationCommandBuilder.ChatInput("Bad Name", "x").Build()], CancellationToken.None));
        Assert.Empty(rest.Calls);
    }

    [Fact]
    public void The_wire_form_sends_permissions_as_a_decimal_string_and_omits_defaults()
    {
        var json = ApplicationCommandJson.ToJson(ApplicationCommandDeclarations.Ledger());
        var ping = ApplicationCommandJson.ToJson(ApplicationCommandDeclarations.Ping());

        Assert.Equal("2080", json["default_member_permissions"]!.GetValue<string>());
        Assert.Null(ping["default_member_permissions"]);
        Assert.True(ping.ContainsKey("default_member_permissions"));
        Assert.False(ping.ContainsKey("options"));
        var add = json["options"]![0]!;
        Assert.Equal(1, add["type"]!.GetValue<int>());
        Assert.True(add["options"]![0]!["required"]!.GetValue<bool>());
        Assert.Null(add["options"]![1]!["required"]);
    }
}
