using Xunit.Abstractions;
using System.Text.Json;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

/// <summary>
/// Bounded, seeded fuzzing of the DAVE receive path and session: mutations of libdave's AFL seeds and of real frames
/// and gateway messages. A hostile input must yield a typed result (never an exception), never write past the frame,
/// never produce media the sender did not send, and never leave an established call unable to continue.
/// </summary>
public class DaveFuzzTests(ITestOutputHelper output)
{
    private const ulong ChannelId = 1_200_000_000_000_042;
    private static readonly byte[] BaseSecret = Convert.FromHexString("cedd61b1b8a1ca69046554282cf70b7b");

    [Fact]
    public void Mutated_libdave_seeds_are_typed_results_that_never_decrypt_or_write_past_the_frame()
    {
        var seeds = Directory.GetFiles(SharedContracts.Contract("dave", "libdave-afl-decryptor-seeds"), "*.bin")
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Assert.Equal(37, seeds.Count);
        var mutator = new Mutator(20261203);
        var time = new FakeTimeProvider(TestTime.Start);
        using var keyless = new DaveDecryptor(time, passthrough: false);
        using var keyed = new DaveDecryptor(time, passthrough: false);
        keyed.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        using var passthrough = new DaveDecryptor(time, passthrough: true);
        passthrough.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var outcomes = new Dictionary<string, int>();

        foreach (var seed in seeds)
        {
            for (var i = 0; i < 400; i++)
            {
                var input = mutator.Mutate(seed, seeds);
                var mediaType = input.Length == 0 ? DaveMediaType.Audio : (DaveMediaType)(input[^1] % 3);
                var frame = input.Length == 0 ? input : input[..^1];
                foreach (var decryptor in new[] { keyless, keyed, passthrough })
                {
                    var result = DecryptWithCanary(decryptor, mediaType, frame);
                    Assert.NotEqual(DaveDecryptStatus.Decrypted, result.Status);
                    var key = result.Status == DaveDecryptStatus.Rejected ? $"{result.Reason}/{result.FrameError}" : result.Status.ToString();
                    outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                }
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("NotProtocolFrame/", StringComparison.Ordinal)) >= 5, "the mutations should reach several frame-parser errors");
    }

    [Fact]
    public void Mutated_real_frames_never_yield_media_the_sender_did_not_send()
    {
        var mutator = new Mutator(424242);
        var time = new FakeTimeProvider(TestTime.Start);
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        int rejected = 0, sameMedia = 0;
        for (var original = 0; original < 300; original++)
        {
            var video = original % 3 == 0;
            var media = video ? Enumerable.Range(0, 200 + original).Select(i => (byte)(i * 7 + original)).ToArray() : DaveMediaPathTests.OpusLike(original);
            UnencryptedRange[] ranges = video ? [new(0, 1), new(50, 10)] : [];
            var frame = new byte[DaveEncryptor.GetMaxFrameLength(media.Length, ranges)];
            frame = frame[..encryptor.Encrypt(media, ranges, frame)];
            var mediaType = video ? DaveMediaType.Video : DaveMediaType.Audio;

            // A fresh receiver per original, so a mutation is never refused merely as a replay of an earlier one.
            using var decryptor = new DaveDecryptor(time, passthrough: false);
            decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
            for (var i = 0; i < 60; i++)
            {
                var mutated = mutator.Mutate(frame);
                if (mutated.AsSpan().SequenceEqual(frame))
                {
                    continue;
                }

                var result = DecryptWithCanary(decryptor, mediaType, mutated, out var written);
                if (result.Status == DaveDecryptStatus.Decrypted)
                {
                    // Only an equivalent encoding of the same frame may pass (range values are not authenticated).
                    Assert.Equal(media, written);
                    sameMedia++;
                }
                else
                {
                    Assert.NotEqual(DaveDecryptStatus.PassedThrough, result.Status);
                    rejected++;
                }
            }
        }

        output.WriteLine($"{rejected} rejected, {sameMedia} decrypted to the original media");
        Assert.True(rejected > 17_000, $"{rejected} rejected");
    }

    [Fact]
    public void Hostile_gateway_binary_messages_never_throw_and_the_call_keeps_working()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var authority = new RecordingAuthority(new MlsGroupAuthority(ChannelId));
        var factory = new MlsDaveSessionFactory();
        var gateway = new EmulatedDaveGateway(authority, user => new DaveSession(new DaveSessionOptions(user, ChannelId), factory, time));
        gateway.Join(DaveCallSimulation.BotUserId);
        gateway.Join(DaveCallSimulation.ClientUserId);
        gateway.Join(DaveCallSimulation.ClientUserId + 1);
        gateway.Leave(DaveCallSimulation.ClientUserId + 1);
        Assert.Equal(3, gateway.ExecutedTransitions);

        var samples = new Dictionary<DaveOpcode, List<byte[]>>
        {
            [DaveOpcode.MlsExternalSenderPackage] = [authority.ExternalSenderPackage],
            [DaveOpcode.MlsProposals] = [.. authority.Proposals.Select(p => (byte[])[0, .. p])],
            [DaveOpcode.MlsAnnounceCommitTransition] = [.. authority.Commits.Select(c => (byte[])[0, 5, .. c])],
            [DaveOpcode.MlsWelcome] = [.. authority.Welcomes.Select(w => (byte[])[0, 5, .. w])],
        };
        var pool = samples.Values.SelectMany(s => s).ToList();
        var mutator = new Mutator(31);
        var bot = gateway.Session(DaveCallSimulation.BotUserId);
        int ignored = 0, resets = 0;
        for (var i = 0; i < 400; i++)
        {
            var (opcode, list) = samples.ElementAt(mutator.Random.Next(samples.Count));
            var payload = mutator.Random.Next(10) == 0 ? mutator.RandomBytes(300) : mutator.Mutate(list[mutator.Random.Next(list.Count)], pool);
            var epoch = bot.Epoch;
            var code = bot.VoicePrivacyCode;

            var step = gateway.InjectAndRoute(DaveCallSimulation.BotUserId, opcode, payload);
            if (step.Outbound.Any(m => m.Opcode == DaveOpcode.MlsInvalidCommitWelcome))
            {
                // Per the protocol an unusable announced commit makes the member reset and rejoin; the gateway re-added it.
                Assert.Contains(step.Events, e => e is DaveCommitOrWelcomeRejected);
                Assert.Contains(step.Outbound, m => m.Opcode == DaveOpcode.MlsKeyPackage);
                resets++;
            }
            else
            {
                Assert.Equal(epoch, bot.Epoch);
                Assert.Equal(code, bot.VoicePrivacyCode);
                ignored += step.Events.Count(e => e is DaveInputIgnored);
            }

            Assert.Equal(gateway.Session(DaveCallSimulation.ClientUserId).Epoch, bot.Epoch);
        }

        output.WriteLine($"{ignored} ignored, {resets} resets and rejoins, {gateway.ExecutedTransitions} transitions");
        Assert.True(ignored > 200, $"{ignored} ignored");
        var client = gateway.Session(DaveCallSimulation.ClientUserId);
        Assert.Equal(bot.VoicePrivacyCode, client.VoicePrivacyCode);
        var media = DaveMediaPathTests.OpusLike(77);
        var frame = DaveMediaPathTests.Encrypt(client.Encryptor, media);
        var decrypted = new byte[frame.Length];
        var result = bot.GetDecryptor(DaveCallSimulation.ClientUserId).Decrypt(DaveMediaType.Audio, frame, decrypted);
        Assert.Equal(DaveDecryptStatus.Decrypted, result.Status);
        Assert.Equal(media, decrypted[..result.BytesWritten]);
    }

    [Fact]
    public void Malformed_json_ops_are_ignored_without_exceptions()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        using var session = new DaveSession(new DaveSessionOptions(DaveCallSimulation.BotUserId, ChannelId), new MlsDaveSessionFactory(), time);
        session.HandleJson(4, EmulatedDaveGateway.Json("""{"dave_protocol_version":1}"""));
        string[] values = ["null", "true", "\"1\"", "-1", "1.5", "1e30", "18446744073709551616", "65536", "[]", "{}", "\"\"", "\"abc\"", "[1,\"x\"]"];
        string[] fields = ["dave_protocol_version", "protocol_version", "transition_id", "epoch", "user_id", "user_ids"];
        var mutator = new Mutator(5);
        var ignored = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var opcode = new[] { 4, 11, 13, 21, 22, 24, 23, 31, 99 }[mutator.Random.Next(9)];
            var members = Enumerable.Range(0, mutator.Random.Next(0, 3))
                .Select(_ => $"\"{fields[mutator.Random.Next(fields.Length)]}\":{values[mutator.Random.Next(values.Length)]}")
                .Distinct();
            var json = mutator.Random.Next(8) == 0 ? values[mutator.Random.Next(values.Length)] : $"{{{string.Join(',', members)}}}";
            var step = session.HandleJson(opcode, EmulatedDaveGateway.Json(json));
            ignored += step.Events.Count(e => e is DaveInputIgnored);
            Assert.DoesNotContain(step.Outbound, m => m.Opcode is DaveOpcode.MlsCommitWelcome or DaveOpcode.MlsInvalidCommitWelcome);
        }

        output.WriteLine($"{ignored} ignored");
        Assert.True(ignored > 1_000, $"{ignored} ignored");
    }

    private static DaveDecryptResult DecryptWithCanary(DaveDecryptor decryptor, DaveMediaType mediaType, byte[] frame) =>
        DecryptWithCanary(decryptor, mediaType, frame, out _);

    private static DaveDecryptResult DecryptWithCanary(DaveDecryptor decryptor, DaveMediaType mediaType, byte[] frame, out byte[] written)
    {
        const byte Canary = 0xCC;
        var destination = new byte[frame.Length + 32];
        destination.AsSpan().Fill(Canary);
        var result = decryptor.Decrypt(mediaType, frame, destination);
        Assert.InRange(result.BytesWritten, 0, frame.Length);
        Assert.All(destination[frame.Length..], b => Assert.Equal(Canary, b));
        if (result.Status == DaveDecryptStatus.PassedThrough)
        {
            Assert.Equal(frame, destination[..result.BytesWritten]);
        }

        written = destination[..result.BytesWritten];
        return result;
    }

    /// <summary>The gateway's MLS role, keeping every proposal, commit and welcome it handled as fuzzing material.</summary>
    private sealed class RecordingAuthority(MlsGroupAuthority inner) : IEmulatedGroupAuthority
    {
        public List<byte[]> Proposals { get; } = [];

        public List<byte[]> Commits { get; } = [];

        public List<byte[]> Welcomes { get; } = [];

        public byte[] ExternalSenderPackage => inner.ExternalSenderPackage;

        public byte[] ProposeAdd(IReadOnlyList<(ulong UserId, byte[] KeyPackage)> joiners) => Keep(inner.ProposeAdd(joiners));

        public byte[] ProposeRemove(IReadOnlyList<ulong> userIds) => Keep(inner.ProposeRemove(userIds));

        public (byte[] Commit, byte[]? Welcome) Split(byte[] commitAndWelcome)
        {
            var (commit, welcome) = inner.Split(commitAndWelcome);
            Commits.Add(commit);
            if (welcome is not null)
            {
                Welcomes.Add(welcome);
            }

            return (commit, welcome);
        }

        public void Accept(byte[] commit) => inner.Accept(commit);

        public void Founder(ulong userId) => inner.Founder(userId);

        private byte[] Keep(byte[] proposals)
        {
            Proposals.Add(proposals);
            return proposals;
        }
    }
}
