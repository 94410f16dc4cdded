using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Emulators.Discord.Voice;
using DiscordLedgerBot.Voice.Audio;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DiscordLedgerBot.Emulators.Discord;

/// <summary>
/// Voice messages: a member posts one (Ogg Opus as Discord clients record it, or a WAV the emulator encodes so), the
/// file is served from the emulator's CDN route, and MESSAGE_CREATE goes to the bot as Discord sends it — flag
/// IS_VOICE_MESSAGE, one audio/ogg attachment with duration_secs and waveform; nothing without GUILD_MESSAGES /
/// DIRECT_MESSAGES, and no attachment in a guild message that does not mention the bot without MESSAGE_CONTENT (a DM
/// and a reply that pings the bot — its author lands in <c>mentions</c> — keep theirs).
/// </summary>
public sealed partial class DiscordEmulator
{
    public const int VoiceMessageFlag = 1 << 13;
    private const int GuildMessagesIntent = 1 << 9;
    private const int DirectMessagesIntent = 1 << 12;
    private const int MessageContentIntent = 1 << 15;

    private readonly ConcurrentDictionary<string, byte[]> _attachments = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter)> _cdnFailures = new();

    /// <summary>Attachment downloads the CDN route answered, in order (status code per request).</summary>
    public ObservableLog<int> CdnRequests { get; } = new();

    /// <summary>The next <paramref name="count"/> CDN downloads fail with <paramref name="status"/> (and Retry-After, when given).</summary>
    public void FailCdnRequests(int count, int status, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
        {
            _cdnFailures.Enqueue((status, retryAfter));
        }
    }

    /// <summary>
    /// <paramref name="userId"/> posts a voice message in <paramref name="channelId"/>: <paramref name="audio"/> is an Ogg
    /// file (served as it is, even if corrupt) or a 16-bit PCM WAV (encoded to mono Ogg Opus as Discord clients do).
    /// <paramref name="replyTo"/> makes it a reply; <paramref name="pingReplied"/> (on by default, as in Discord clients)
    /// mentions the replied-to author. Returns the stored message; MESSAGE_CREATE is dispatched if the bot's intents ask for it.
    /// </summary>
    /// <exception cref="EmulatorRequestException">Unknown channel or user, a user who cannot see the channel, or a bad WAV.</exception>
    public async Task<EmulatedMessage> PostVoiceMessageAsync(string channelId, string userId, byte[] audio, string? replyTo = null, bool pingReplied = true)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var (ogg, duration, waveform) = VoiceMessageAudio(audio);
        JsonObject dispatch;
        EmulatedMessage stored;
        bool direct;
        lock (_rest.Gate)
        {
            var channel = _world.FindChannel(channelId) ?? throw new EmulatorRequestException($"Unknown channel {channelId}.");
            var author = _world.FindUser(userId) ?? throw new EmulatorRequestException($"Unknown user {userId}.");
            direct = channel.Guild is null;
            if (channel.Guild is { } guild && (guild.PermissionsIn(userId, channel.Id) & DiscordPermission.ViewChannel) == 0)
            {
                throw new EmulatorRequestException($"User {userId} cannot see channel {channelId}.");
            }

            StoredMessage? referenced = null;
            if (replyTo is not null)
            {
                referenced = channel.Messages.FirstOrDefault(message => message.Id == replyTo && !message.Deleted && !message.Ephemeral)
                    ?? throw new EmulatorRequestException($"Unknown message {replyTo} in channel {channelId}.");
            }

            var message = EmulatedMessages.Create(_world, channel, author, new JsonObject { ["content"] = string.Empty }, referenced is null ? 0 : 19, VoiceMessageFlag);
            var attachmentId = Snowflakes.Next();
            _attachments[attachmentId] = ogg;
            var path = $"attachments/{channelId}/{attachmentId}/voice-message.ogg?ex=0&is=0&hm={attachmentId}";
            message["attachments"] = new JsonArray(new JsonObject
            {
                ["id"] = attachmentId,
                ["filename"] = "voice-message.ogg",
                ["size"] = ogg.Length,
                ["url"] = new Uri(BaseUrl, path).ToString(),
                ["proxy_url"] = new Uri(BaseUrl, path).ToString(),
                ["content_type"] = "audio/ogg",
                ["duration_secs"] = Math.Round(duration.TotalSeconds, 3),
                ["waveform"] = waveform,
                ["flags"] = 0,
            });
            if (referenced is not null)
            {
                message["message_reference"] = new JsonObject { ["type"] = 0, ["channel_id"] = channel.Id, ["message_id"] = referenced.Id, ["guild_id"] = channel.Guild?.Id };
                message["referenced_message"] = referenced.ToJson(Options.BotUserId);
                if (pingReplied && message["referenced_message"]?["author"] is JsonObject repliedTo && repliedTo["id"]?.GetValue<string>() != userId)
                {
                    message["mentions"] = new JsonArray(repliedTo.DeepClone());
                }
            }

            var kept = new StoredMessage(message);
            channel.Messages.Add(kept);
            stored = new EmulatedMessage(kept.Id, channelId, kept.ToJson(Options.BotUserId));
            dispatch = kept.ToJson(Options.BotUserId);
            if (channel.Guild is { } home)
            {
                dispatch["guild_id"] = home.Id;
                if (home.FindMember(userId) is { } member)
                {
                    var memberJson = DiscordObjects.Member(home, member);
                    memberJson.Remove("user");
                    dispatch["member"] = memberJson;
                }
            }
        }

        var intents = _gateway.LatestIntents ?? 0;
        var mentionsBot = dispatch["mentions"] is JsonArray mentions && mentions.Any(user => user?["id"]?.GetValue<string>() == Options.BotUserId);
        if (!direct && !mentionsBot && (intents & MessageContentIntent) == 0)
        {
            dispatch["content"] = string.Empty;
            dispatch["attachments"] = new JsonArray();
            dispatch["embeds"] = new JsonArray();
            dispatch["components"] = new JsonArray();
        }

        await _gateway.DispatchIfIdentifiedAsync("MESSAGE_CREATE", dispatch, direct ? DirectMessagesIntent : GuildMessagesIntent);
        return stored;
    }

    private void MapVoiceMessages()
    {
        _app.MapPost("/__emulator/channels/{channelId}/voice-message", (Func<HttpContext, string, Task<IResult>>)PostVoiceMessageAsync);
        _app.MapGet("/attachments/{channelId}/{attachmentId}/{filename}", (Func<string, Task<IResult>>)ServeAttachmentAsync);
    }

    /// <summary><c>POST /__emulator/channels/{id}/voice-message?user_id=…[&amp;reply_to=…[&amp;ping=false]]</c> with an Ogg Opus or WAV body.</summary>
    private async Task<IResult> PostVoiceMessageAsync(HttpContext context, string channelId)
    {
        var userId = context.Request.Query["user_id"].ToString();
        if (userId.Length == 0)
        {
            return Json(400, new JsonObject { ["message"] = "?user_id= (the member who posts the voice message) is required." });
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length == 0)
        {
            return Json(400, new JsonObject { ["message"] = "The body must be an Ogg Opus file or a 16-bit PCM WAV." });
        }

        try
        {
            var replyTo = context.Request.Query["reply_to"].ToString();
            var ping = !string.Equals(context.Request.Query["ping"].ToString(), "false", StringComparison.OrdinalIgnoreCase);
            var message = await PostVoiceMessageAsync(channelId, userId, body.ToArray(), replyTo.Length == 0 ? null : replyTo, ping);
            return Json(200, message.Message);
        }
        catch (EmulatorRequestException invalid)
        {
            return Json(400, new JsonObject { ["message"] = invalid.Message });
        }
    }

    private Task<IResult> ServeAttachmentAsync(string attachmentId)
    {
        if (_cdnFailures.TryDequeue(out var failure))
        {
            CdnRequests.Add(failure.Status);
            if (failure.RetryAfter is { } wait)
            {
                return Task.FromResult<IResult>(new RetryAfterResult(failure.Status, wait));
            }

            return Task.FromResult(Results.StatusCode(failure.Status));
        }

        if (!_attachments.TryGetValue(attachmentId, out var file))
        {
            CdnRequests.Add(404);
            return Task.FromResult(Results.NotFound());
        }

        CdnRequests.Add(200);
        return Task.FromResult(Results.Bytes(file, "audio/ogg"));
    }

    private static (byte[] Ogg, TimeSpan Duration, string Waveform) VoiceMessageAudio(byte[] audio)
    {
        if (audio.AsSpan().StartsWith("RIFF"u8))
        {
            VoiceClip clip;
            try
            {
                clip = VoiceClip.FromWav(audio);
            }
            catch (FormatException invalid)
            {
                throw new EmulatorRequestException(invalid.Message);
            }

            return (OggOpusWriter.Encode(clip), clip.Duration, OggOpusWriter.Waveform(clip));
        }

        // Served as given so a bot's handling of broken files can be tested; the metadata is best effort then.
        try
        {
            var pcm = OggOpusDecoder.Decode(OggOpusReader.Read(audio));
            var clip = VoiceClip.FromMono(pcm, 16_000);
            return (audio, clip.Duration, OggOpusWriter.Waveform(clip));
        }
        catch (FormatException)
        {
            return (audio, TimeSpan.FromSeconds(1), Convert.ToBase64String(new byte[10]));
        }
    }

    private sealed class RetryAfterResult(int status, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
    }
}
