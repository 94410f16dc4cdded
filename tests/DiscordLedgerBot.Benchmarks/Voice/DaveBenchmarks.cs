using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Mls;

namespace DiscordLedgerBot.Benchmarks.Voice;

/// <summary>
/// DAVE media path on Opus-sized frames (100 bytes, no unencrypted ranges) and the cost of one MLS epoch change.
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*DaveBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class DaveBenchmarks
{
    private const int FramesPerInvoke = 1024;
    private const ulong ChannelId = 1_200_000_000_000_042;
    private readonly byte[] _baseSecret = RandomNumberGenerator.GetBytes(16);
    private readonly byte[] _output = new byte[256];
    private byte[][] _frames = [];
    private byte[] _media = [];
    private DaveEncryptor _encryptor = null!;
    private DaveMediaKey _key = null!;
    private MlsExternalSenderSigner _gateway = null!;

    [GlobalSetup]
    public void Setup()
    {
        _media = RandomNumberGenerator.GetBytes(100);
        using var sender = new DaveEncryptor();
        sender.SetKeyRatchet(new DaveKeyRatchet(_baseSecret));
        _frames = [.. Enumerable.Range(0, FramesPerInvoke).Select(_ => Encrypt(sender, _media))];
        _encryptor = new DaveEncryptor();
        _encryptor.SetKeyRatchet(new DaveKeyRatchet(_baseSecret));
        using var ratchet = new DaveKeyRatchet(_baseSecret);
        ratchet.TryGetKey(0, out var key);
        _key = new DaveMediaKey(key);
        _gateway = MlsExternalSenderSigner.Create("voice-gateway"u8);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encryptor.Dispose();
        _key.Dispose();
    }

    /// <summary>Frame check + CTR decrypt + tag recomputation for one frame (no replay bookkeeping).</summary>
    [Benchmark]
    public bool ParseAndDecryptOpusFrame()
    {
        DaveFrameFormat.TryParse(_frames[0], out var layout, out _);
        return _key.TryDecrypt(_frames[0], layout, _output);
    }

    /// <summary>The full per-sender decryptor (replay window, generation rules), per frame; includes a fresh ratchet per 1024 frames.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public int DecryptorOpusFrame()
    {
        using var decryptor = new DaveDecryptor(TimeProvider.System, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(_baseSecret));
        var decrypted = 0;
        foreach (var frame in _frames)
        {
            decrypted += decryptor.Decrypt(DaveMediaType.Audio, frame, _output).BytesWritten;
        }

        return decrypted;
    }

    [Benchmark]
    public int EncryptOpusFrame() => _encryptor.Encrypt(_media, [], _output);

    /// <summary>
    /// One epoch change adding a member: external-sender Add proposal, validation, commit with Welcome, the committer
    /// adopting it, the joiner processing the Welcome, and both deriving the two senders' media ratchets.
    /// </summary>
    [Benchmark]
    public ulong EpochChangeAddingAMember()
    {
        var factory = new MlsDaveSessionFactory();
        using var committer = factory.Create(1);
        using var joiner = factory.Create(2);
        var groupId = BitConverter.GetBytes(ChannelId);
        var externalSender = _gateway.Sender.ToBytes();
        committer.CreatePendingGroup(groupId, externalSender);
        var proposal = _gateway.ProposeAdd(groupId, 0, joiner.KeyPackage.Span).Message;
        committer.AppendProposals(MlsWire.EncodeVector(proposal), _ => true);
        var commit = committer.CommitCachedProposals()!;
        committer.ApplyCommit(commit.CommitMessage);
        joiner.JoinFromWelcome(commit.Welcome, externalSender);
        foreach (var session in new[] { committer, joiner })
        {
            using var first = DaveKeyRatchet.ForSender(session, 1);
            using var second = DaveKeyRatchet.ForSender(session, 2);
        }

        return joiner.Epoch;
    }

    private static byte[] Encrypt(DaveEncryptor encryptor, byte[] media)
    {
        var frame = new byte[DaveEncryptor.GetMaxFrameLength(media.Length, [])];
        return frame[..encryptor.Encrypt(media, [], frame)];
    }
}
