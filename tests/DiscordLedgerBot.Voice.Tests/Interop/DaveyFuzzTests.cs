using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;
using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Tests.Dave;
using Xunit.Abstractions;

namespace DiscordLedgerBot.Voice.Tests.Interop;

/// <summary>
/// Fuzzing with messages another implementation made: davey's commits, welcomes, key packages and frames, garbled,
/// into our MLS and decryptor; and our garbled frames into davey, comparing what each side accepts.
/// </summary>
public sealed class DaveyFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const ulong ChannelId = 1_300_000_000_000_088;
    private const ulong Bot = 1_300_000_000_000_001;
    private const ulong DaveyA = 1_300_000_000_000_101;
    private const ulong OurJoiner = 1_300_000_000_000_002;
    private static readonly byte[] GroupId = Id(ChannelId);

    private readonly DaveyDriver _davey = new();

    [Fact]
    public void Garbled_davey_commits_welcomes_and_key_packages_are_refused_by_our_mls_without_side_effects()
    {
        var gateway = MlsExternalSenderSigner.Create("voice-gateway"u8);
        var ours = MlsGroup.CreatePending(MlsMember.Create(Id(Bot)), GroupId, gateway.Sender);
        _davey.Call("create", new() { ["user"] = S(DaveyA), ["channel"] = S(ChannelId), ["version"] = 1 });
        _davey.Call("externalSender", new() { ["user"] = S(DaveyA), ["data"] = B64(gateway.Sender.ToBytes()) });
        var daveyKeyPackage = FromB64(_davey.Call("keyPackage", new() { ["user"] = S(DaveyA) }).GetProperty("data").GetString());

        // davey's key package, garbled, never makes an Add proposal.
        var mutator = new Mutator(808);
        for (var i = 0; i < 300; i++)
        {
            var garbled = mutator.Mutate(daveyKeyPackage);
            var thrown = Record.Exception(() => gateway.ProposeAdd(GroupId, 0, garbled));
            Assert.True(thrown is MlsException || garbled.AsSpan().SequenceEqual(daveyKeyPackage), $"key package mutation {i}: {thrown?.GetType().Name ?? "accepted"}");
        }

        // Epoch 0 → 1: we add davey; davey joins from our Welcome.
        var (addDavey, _) = gateway.ProposeAdd(GroupId, 0, daveyKeyPackage);
        ours.ValidateAndCacheProposals(addDavey);
        var first = ours.CommitCachedProposals();
        ours.ProcessCommit(first.Commit);
        _davey.Call("welcome", new() { ["user"] = S(DaveyA), ["data"] = B64(first.Welcome!) });

        // Epoch 1 → 2: davey commits the Add of our second member; we are fuzzed with its commit and its welcome.
        var joiner = MlsMember.Create(Id(OurJoiner));
        var joinerKeyPackage = joiner.CreateKeyPackage();
        var (addJoiner, _) = gateway.ProposeAdd(GroupId, 1, joinerKeyPackage);
        ours.ValidateAndCacheProposals(addJoiner);
        var proposals = _davey.Call("proposals", new()
        {
            ["user"] = S(DaveyA),
            ["operation"] = 0,
            ["data"] = B64(MlsWire.EncodeVector(addJoiner)),
            ["recognized"] = new JsonArray(S(Bot), S(OurJoiner), S(DaveyA)),
        });
        var daveyCommit = FromB64(proposals.GetProperty("commit").GetString());
        var daveyWelcome = FromB64(proposals.GetProperty("welcome").GetString());
        var authenticator = ours.EpochAuthenticator;
        int commitsRefused = 0, welcomesRefused = 0;
        for (var i = 0; i < 400; i++)
        {
            var garbled = mutator.Mutate(daveyCommit);
            if (garbled.AsSpan().SequenceEqual(daveyCommit))
            {
                continue;
            }

            var thrown = Record.Exception(() => ours.ProcessCommit(garbled));
            Assert.True(thrown is MlsException, $"commit mutation {i}: {thrown?.GetType().Name ?? "accepted"}: {thrown?.Message}");
            Assert.Equal(authenticator, ours.EpochAuthenticator);
            commitsRefused++;
        }

        for (var i = 0; i < 300; i++)
        {
            var garbled = mutator.Mutate(daveyWelcome);
            if (garbled.AsSpan().SequenceEqual(daveyWelcome))
            {
                continue;
            }

            var thrown = Record.Exception(() => MlsGroup.JoinFromWelcome(joiner, garbled, joinerKeyPackage, gateway.Sender));
            Assert.True(thrown is MlsException, $"welcome mutation {i}: {thrown?.GetType().Name ?? "accepted"}: {thrown?.Message}");
            welcomesRefused++;
        }

        // The genuine messages still work, and all three agree with davey.
        ours.ProcessCommit(daveyCommit);
        _davey.Call("commit", new() { ["user"] = S(DaveyA), ["data"] = B64(daveyCommit) });
        var joined = MlsGroup.JoinFromWelcome(joiner, daveyWelcome, joinerKeyPackage, gateway.Sender);
        var daveyCode = _davey.Call("state", new() { ["user"] = S(DaveyA) }).GetProperty("code").GetString();
        Assert.Equal(2ul, ours.Epoch);
        Assert.Equal(daveyCode, DavePrivacyCode.VoicePrivacyCode(ours.EpochAuthenticator));
        Assert.Equal(daveyCode, DavePrivacyCode.VoicePrivacyCode(joined.EpochAuthenticator));
        output.WriteLine($"refused {commitsRefused} garbled davey commits and {welcomesRefused} garbled davey welcomes");
    }

    [Fact]
    public void Garbled_frames_are_refused_alike_by_our_decryptor_and_davey()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var gateway = new InteropGateway(ChannelId);
        var davey = new DaveyMember(_davey, DaveyA, ChannelId);
        var ours = new OurMember(new DaveSession(new DaveSessionOptions(Bot, ChannelId), new MlsDaveSessionFactory(), time));

        // A second member of ours receives exactly what davey receives, so the two receivers can be compared.
        var mirror = new OurMember(new DaveSession(new DaveSessionOptions(OurJoiner, ChannelId), new MlsDaveSessionFactory(), time));
        gateway.Join(davey);
        gateway.Join(ours);
        gateway.Join(mirror);
        Assert.Equal(2ul, ours.Epoch);
        Assert.Equal(2ul, davey.Epoch);
        Assert.Equal(2ul, mirror.Epoch);

        // Past the 10 s after the first transition in which our receivers still let plain frames through.
        time.Advance(TimeSpan.FromSeconds(11));
        var mutator = new Mutator(909);
        int oursRefusedDaveys = 0, bothRefused = 0, daveyPassedThrough = 0;
        var disagreements = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            var media = DaveMediaPathTests.OpusLike(i);

            // davey → us: a garbled frame must never turn into media.
            var fromDavey = davey.Send(media);
            for (var j = 0; j < 10; j++)
            {
                var garbled = mutator.Mutate(fromDavey);
                if (garbled.AsSpan().SequenceEqual(fromDavey))
                {
                    continue;
                }

                var received = ours.Receive(DaveyA, garbled);
                Assert.False(received.Decrypted, $"garbled davey frame accepted: {Convert.ToHexString(garbled)}");
                oursRefusedDaveys++;
            }

            Assert.True(ours.Receive(DaveyA, fromDavey).Decrypted);

            // us → davey and us → our mirror: both implementations must refuse the same garbled frames.
            var fromUs = ours.Send(media);
            for (var j = 0; j < 4; j++)
            {
                var garbled = mutator.Mutate(fromUs);
                if (garbled.AsSpan().SequenceEqual(fromUs))
                {
                    continue;
                }

                var daveyResult = davey.Receive(Bot, garbled);
                var daveyDecrypted = daveyResult.Decrypted && !daveyResult.Media!.AsSpan().SequenceEqual(garbled);
                if (daveyResult.Decrypted && !daveyDecrypted)
                {
                    daveyPassedThrough++;
                }

                var mirrored = mirror.Receive(Bot, garbled);
                if (daveyDecrypted)
                {
                    Assert.Equal(media, daveyResult.Media);
                }

                if (mirrored.Decrypted != daveyDecrypted)
                {
                    disagreements.Add($"ours {mirrored.Outcome}, davey {daveyResult.Outcome}: {Convert.ToHexString(garbled)}");
                }
                else
                {
                    bothRefused++;
                }
            }

            Assert.True(davey.Receive(Bot, fromUs).Decrypted);
            Assert.True(mirror.Receive(Bot, fromUs).Decrypted);
        }

        output.WriteLine($"we refused {oursRefusedDaveys} garbled davey frames; of our garbled frames both refused {bothRefused}, they disagreed on {disagreements.Count}, davey passed {daveyPassedThrough} through unchanged");
        output.WriteLine($"davey's own counters for frames from us: {davey.DecryptionStats(Bot)}");
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements.Take(5)));
        Assert.True(bothRefused > 500, $"{bothRefused}");
        Assert.True(oursRefusedDaveys > 1_300, $"{oursRefusedDaveys}");
        foreach (var member in gateway.Members.ToList())
        {
            gateway.Member(member).Dispose();
        }
    }

    public void Dispose() => _davey.Dispose();

    private static string S(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    private static byte[] FromB64(string? text) => Convert.FromBase64String(text!);

    private static byte[] Id(ulong id)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return bytes;
    }
}
