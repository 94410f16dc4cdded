using System.Text.Json;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Discord.Interactions;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Bot.Tests.Surface;

/// <summary>
/// Interactions Discord itself would never produce (a custom_id no bot message carries), delivered straight to the
/// bot's dispatcher the way the HTTP interactions endpoint does, with the initial response captured.
/// </summary>
internal static class ForgedInteractions
{
    /// <summary>A button press with <paramref name="customId"/>, by the member and in the channel of a <paramref name="genuine"/> interaction.</summary>
    public static async Task<InteractionCallback> PressAsync(SurfaceDriver driver, JsonObject genuine, string customId)
    {
        var forged = genuine.DeepClone().AsObject();
        forged["id"] = "9" + genuine["id"]!.GetValue<string>()[1..];
        forged["type"] = 3;
        forged["data"] = new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 };
        var interaction = InteractionParser.Parse(JsonDocument.Parse(forged.ToJsonString()).RootElement);
        var sink = new CapturingSink();
        var dispatcher = driver.Bot.Services.GetRequiredService<InteractionDispatcher>();
        await dispatcher.DispatchAsync(interaction, TimeProvider.System.GetTimestamp(), sink, CancellationToken.None);
        return sink.Callback ?? throw new InvalidOperationException("The dispatcher sent no initial response.");
    }

    public static string Text(InteractionCallback callback) =>
        JsonSerializer.SerializeToNode(callback.Data)?["content"]?.GetValue<string>() ?? string.Empty;

    private sealed class CapturingSink : IInteractionCallbackSink
    {
        public InteractionCallback? Callback { get; private set; }

        public Task SendAsync(Interaction interaction, InteractionCallback callback, CancellationToken cancellationToken)
        {
            Callback = callback;
            return Task.CompletedTask;
        }
    }
}
