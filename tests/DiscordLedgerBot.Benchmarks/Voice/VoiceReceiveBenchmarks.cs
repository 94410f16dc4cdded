using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Concentus;
using Concentus.Enums;
using DiscordLedgerBot.Voice.Audio;
using DiscordLedgerBot.Voice.Dave;
using DiscordLedgerBot.Voice.Receive;
using DiscordLedgerBot.Voice.Transport;

namespace DiscordLedgerBot.Benchmarks.Voice;

/// <summary>
/// The bot's receive cost per 20 ms packet of one speaker, end to end (transport AEAD, DAVE, jitter buffer, Opus decode,
/// 48 kHz stereo → 16 kHz mono, segmentation), and each stage alone; Opus decode managed (Concentus) vs native libopus
/// (libopus 1.3.1 from Debian's libopus0 through P/Invoke). Speakers per core = 20 ms / cost per packet.
/// Run: dotnet run -c Release --project tests/DiscordLedgerBot.Benchmarks -- --filter '*VoiceReceiveBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class VoiceReceiveBenchmarks
{
    private const int Packets = 500;
    private const uint Ssrc = 77;
    private const ulong Speaker = 1_200_000_000_000_077;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _daveSecret = RandomNumberGenerator.GetBytes(16);
    private readonly byte[] _plain = new byte[2048];
    private readonly byte[] _media = new byte[2048];
    private readonly short[] _pcm = new short[1920];
    private readonly short[] _stereo = new short[5760 * 2];
    private byte[][] _opus = [];
    private byte[][] _daveFrames = [];
    private byte[][] _packets = [];
    private VoiceTransportCipher _cipher = null!;
    private OpusSpeakerDecoder _managed = null!;
    private LibopusDecoder _native = null!;
    private Downsampler _nativeDownsampler = null!;

    [Params(VoiceEncryptionMode.AeadAes256GcmRtpSize, VoiceEncryptionMode.AeadXChaCha20Poly1305RtpSize)]
    public VoiceEncryptionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _opus = EncodeSpeechLikeSignal();
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(_daveSecret));
        _daveFrames = [.. _opus.Select(o =>
        {
            var frame = new byte[DaveEncryptor.GetMaxFrameLength(o.Length, [])];
            return frame[..encryptor.Encrypt(o, [], frame)];
        })];
        _cipher = new VoiceTransportCipher(Mode, _key);
        var header = new byte[16];
        _packets = [.. _daveFrames.Select((frame, i) =>
        {
            var headerLength = RtpHeader.Write(header, (ushort)i, (uint)(i * 960), Ssrc, extensionWords: 1);
            byte[] plaintext = [0x10, 0x7F, 0, 0, .. frame];
            var packet = new byte[VoiceTransportCipher.PacketLength(headerLength, plaintext.Length)];
            _cipher.Encrypt(header.AsSpan(0, headerLength), plaintext, (uint)i, packet);
            return packet;
        })];
        _managed = new OpusSpeakerDecoder();
        _native = new LibopusDecoder();
        _nativeDownsampler = new Downsampler();
    }

    /// <summary>
    /// One speaker's 10 s (500 packets) through a fresh receiver: everything one more speaker costs per packet, its
    /// decoder and DAVE decryptor set-up included.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public long EndToEndPerPacket()
    {
        using var decryptor = new DaveDecryptor(TimeProvider.System, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(_daveSecret));
        using var receiver = new VoiceReceiver(new VoiceReceiverOptions(), TimeProvider.System, _ => decryptor, _ => { });
        receiver.SetCipher(new VoiceTransportCipher(Mode, _key));
        receiver.OnSpeaking(Speaker, Ssrc, speaking: true);
        foreach (var packet in _packets)
        {
            receiver.OnDatagram(packet);
        }

        return receiver.Counters.Accepted;
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public int TransportDecryptPerPacket()
    {
        var total = 0;
        foreach (var packet in _packets)
        {
            _cipher.TryDecrypt(packet, _plain, out _, out var length);
            total += length;
        }

        return total;
    }

    /// <summary>Frame check + AES-128-GCM (8-byte tag) of the DAVE layer alone (no replay window: a fresh key per call).</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int DaveDecryptPerPacket()
    {
        using var decryptor = new DaveDecryptor(TimeProvider.System, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(_daveSecret));
        var total = 0;
        foreach (var frame in _daveFrames)
        {
            total += decryptor.Decrypt(DaveMediaType.Audio, frame, _media).BytesWritten;
        }

        return total;
    }

    /// <summary>Opus decode (48 kHz stereo) + downsample to 16 kHz mono, managed Concentus.</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int OpusManagedPerPacket() => DecodeAll(_managed);

    /// <summary>The same with native libopus 1.3.1 (Debian libopus0) through P/Invoke, and the same downsampler.</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int OpusNativePerPacket()
    {
        var total = 0;
        foreach (var frame in _opus)
        {
            var samples = _native.Decode(frame, _stereo);
            total += _nativeDownsampler.Process(_stereo.AsSpan(0, samples * 2), _pcm);
        }

        return total;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cipher.Dispose();
        _managed.Dispose();
        _native.Dispose();
    }

    private int DecodeAll(OpusSpeakerDecoder decoder)
    {
        var total = 0;
        foreach (var frame in _opus)
        {
            total += decoder.Decode(frame, _pcm);
        }

        return total;
    }

    // 10 s of a voiced, syllable-modulated harmonic signal with noise: exercises SILK/hybrid like speech does.
    private static byte[][] EncodeSpeechLikeSignal()
    {
        var encoder = OpusCodecFactory.CreateEncoder(48_000, 2, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.Bitrate = 64_000;
        encoder.UseInbandFEC = true;
        encoder.PacketLossPercent = 10;
        var random = new Random(5);
        var frames = new byte[Packets][];
        var pcm = new short[1920];
        var output = new byte[1275];
        for (var f = 0; f < Packets; f++)
        {
            for (var i = 0; i < 960; i++)
            {
                var t = ((f * 960) + i) / 48_000.0;
                var f0 = 120 + (20 * Math.Sin(2 * Math.PI * 0.5 * t));
                var envelope = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 4 * t));
                var sample = 0.0;
                for (var h = 1; h <= 12; h++)
                {
                    sample += Math.Sin(2 * Math.PI * f0 * h * t) / h;
                }

                var value = (short)Math.Clamp((6000 * envelope * sample) + (300 * (random.NextDouble() - 0.5)), short.MinValue, short.MaxValue);
                pcm[2 * i] = value;
                pcm[(2 * i) + 1] = value;
            }

            var length = encoder.Encode(pcm, 960, output, output.Length);
            frames[f] = output[..length];
        }

        return frames;
    }
}
