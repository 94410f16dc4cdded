using DiscordLedgerBot.Testing;
using DiscordLedgerBot.Voice.Dave;

namespace DiscordLedgerBot.Voice.Tests.Dave;

public class DaveMediaPathTests
{
    private static readonly byte[] BaseSecret = Convert.FromHexString("cedd61b1b8a1ca69046554282cf70b7b");

    [Fact]
    public void Encryptor_starts_at_nonce_one_and_the_decryptor_recovers_every_frame()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        using var decryptor = new DaveDecryptor(time, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));

        for (var i = 1; i <= 200; i++)
        {
            var media = OpusLike(i);
            var frame = Encrypt(encryptor, media);
            Assert.True(DaveFrameFormat.TryParse(frame, out var layout, out _));
            Assert.Equal((uint)i, layout.TruncatedNonce);
            Assert.Empty(layout.Ranges);

            var output = new byte[frame.Length];
            var result = decryptor.Decrypt(DaveMediaType.Audio, frame, output);
            Assert.Equal(DaveDecryptStatus.Decrypted, result.Status);
            Assert.Equal(media, output.AsSpan(0, result.BytesWritten).ToArray());
        }
    }

    [Fact]
    public void Frames_with_unencrypted_ranges_round_trip_and_keep_the_clear_bytes_in_place()
    {
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        using var decryptor = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var media = Enumerable.Range(0, 1500).Select(i => (byte)i).ToArray();
        UnencryptedRange[] ranges = [new(0, 10), new(10, 0), new(700, 20), new(1490, 10)];

        var frame = new byte[DaveEncryptor.GetMaxFrameLength(media.Length, ranges)];
        frame = frame.AsSpan(0, encryptor.Encrypt(media, ranges, frame)).ToArray();
        Assert.Equal(media.AsSpan(0, 10).ToArray(), frame.AsSpan(0, 10).ToArray());
        Assert.Equal(media.AsSpan(700, 20).ToArray(), frame.AsSpan(700, 20).ToArray());
        Assert.NotEqual(media.AsSpan(10, 100).ToArray(), frame.AsSpan(10, 100).ToArray());

        var output = new byte[frame.Length];
        var result = decryptor.Decrypt(DaveMediaType.Video, frame, output);
        Assert.Equal(DaveDecryptStatus.Decrypted, result.Status);
        Assert.Equal(media, output.AsSpan(0, result.BytesWritten).ToArray());

        // Clear bytes are authenticated as AAD: changing one breaks the tag (checked by a receiver that has not seen the nonce).
        using var fresh = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        fresh.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var tampered = frame.ToArray();
        tampered[705] ^= 1;
        Assert.Equal(DaveRejectReason.AuthenticationFailed, fresh.Decrypt(DaveMediaType.Video, tampered, output).Reason);
        Assert.Equal(DaveRejectReason.None, fresh.Decrypt(DaveMediaType.Video, frame, output).Reason);
    }

    [Fact]
    public void Each_nonce_decrypts_once_and_late_frames_within_the_window_still_decrypt()
    {
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        using var decryptor = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var frames = Enumerable.Range(1, 1100).Select(i => Encrypt(encryptor, OpusLike(i))).ToList();
        var output = new byte[256];

        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, frames[0], output).Status);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, frames[4], output).Status);
        Assert.Equal(DaveRejectReason.Replayed, decryptor.Decrypt(DaveMediaType.Audio, frames[4], output).Reason);

        // Nonces 2-4 were skipped: late arrival still works, once.
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, frames[1], output).Status);
        Assert.Equal(DaveRejectReason.Replayed, decryptor.Decrypt(DaveMediaType.Audio, frames[1], output).Reason);

        // Jump to nonce 1100: only the 1000 nonces before it stay acceptable.
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, frames[1099], output).Status);
        Assert.Equal(DaveRejectReason.Replayed, decryptor.Decrypt(DaveMediaType.Audio, frames[2], output).Reason);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, frames[500], output).Status);
        Assert.Equal(DaveRejectReason.Replayed, decryptor.Decrypt(DaveMediaType.Audio, frames[500], output).Reason);
    }

    [Fact]
    public void Tampered_tag_nonce_or_ciphertext_fails_closed()
    {
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        var frame = Encrypt(encryptor, OpusLike(7));
        var mediaLength = frame.Length - frame[^3];
        foreach (var position in new[] { 0, mediaLength - 1, mediaLength, mediaLength + 7, mediaLength + 8 })
        {
            using var decryptor = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
            decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
            var tampered = frame.ToArray();
            tampered[position] ^= 0x01;
            var output = new byte[tampered.Length];
            var result = decryptor.Decrypt(DaveMediaType.Audio, tampered, output);
            Assert.Equal(DaveDecryptStatus.Rejected, result.Status);
            Assert.All(output, b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void A_key_from_another_sender_or_epoch_does_not_decrypt()
    {
        using var encryptor = new DaveEncryptor();
        encryptor.SetKeyRatchet(new DaveKeyRatchet(BaseSecret));
        using var decryptor = new DaveDecryptor(new FakeTimeProvider(TestTime.Start), passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(Convert.FromHexString("00112233445566778899aabbccddeeff")));
        var result = decryptor.Decrypt(DaveMediaType.Audio, Encrypt(encryptor, OpusLike(1)), new byte[256]);
        Assert.Equal(DaveRejectReason.AuthenticationFailed, result.Reason);
    }

    [Fact]
    public void Previous_epoch_keys_work_until_the_grace_period_after_execution_ends()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        var oldSecret = BaseSecret;
        var newSecret = Convert.FromHexString("00112233445566778899aabbccddeeff");
        using var oldSender = new DaveEncryptor();
        oldSender.SetKeyRatchet(new DaveKeyRatchet(oldSecret));
        using var newSender = new DaveEncryptor();
        newSender.SetKeyRatchet(new DaveKeyRatchet(newSecret));
        using var decryptor = new DaveDecryptor(time, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(oldSecret));
        decryptor.AddKeyRatchet(new DaveKeyRatchet(newSecret));
        var output = new byte[256];

        // Prepared but not executed: both epochs decrypt, however long the transition takes.
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Encrypt(oldSender, OpusLike(1)), output).Status);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Encrypt(newSender, OpusLike(1)), output).Status);

        decryptor.ExpirePreviousRatchets(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Encrypt(oldSender, OpusLike(2)), output).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DaveRejectReason.AuthenticationFailed, decryptor.Decrypt(DaveMediaType.Audio, Encrypt(oldSender, OpusLike(3)), output).Reason);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Encrypt(newSender, OpusLike(2)), output).Status);
    }

    [Fact]
    public void Older_generation_keys_are_erased_ten_seconds_after_a_newer_generation_decrypts()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        using var decryptor = new DaveDecryptor(time, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));

        // Let the ratchet age enough for generation 1 (2^24 frames at 170 frames/s).
        time.Advance(TimeSpan.FromSeconds(98_700));
        using var key0 = Key(0);
        using var key1 = Key(1);
        var output = new byte[256];
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Frame(key0, 0x00FF_FFF0), output).Status);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Frame(key1, 0x0100_0001), output).Status);

        // Late generation-0 frames inside the missing-nonce window still decrypt during the 10 s...
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Frame(key0, 0x00FF_FFF5), output).Status);

        // ...and not after, although their nonces were never seen. With generation 0 erased, wire generation 0 now
        // unwraps to 256 (the sender's next lap), which is too far ahead: rejected either way, as in libdave.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DaveRejectReason.GenerationTooFarAhead, decryptor.Decrypt(DaveMediaType.Audio, Frame(key0, 0x00FF_FFF6), output).Reason);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Frame(key1, 0x0100_0002), output).Status);
    }

    [Fact]
    public void Generations_beyond_the_ratchet_age_or_250_ahead_are_refused()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        using var decryptor = new DaveDecryptor(time, passthrough: false);
        decryptor.AddKeyRatchet(new DaveKeyRatchet(BaseSecret));
        using var key1 = Key(1);
        var output = new byte[256];
        Assert.Equal(DaveRejectReason.GenerationExceedsRatchetAge, decryptor.Decrypt(DaveMediaType.Audio, Frame(key1, 0x0100_0001), output).Reason);

        // 252 generations' worth of time: age no longer limits, the 250 gap does (wire generation 251 from newest 0).
        time.Advance(TimeSpan.FromSeconds((252L << 24) / 170 + 1));
        using var key251 = Key(251);
        Assert.Equal(DaveRejectReason.GenerationTooFarAhead, decryptor.Decrypt(DaveMediaType.Audio, Frame(key251, 0xFB00_0001), output).Reason);
        using var key250 = Key(250);
        Assert.Equal(DaveDecryptStatus.Decrypted, decryptor.Decrypt(DaveMediaType.Audio, Frame(key250, 0xFA00_0001), output).Status);
    }

    [Fact]
    public void Passthrough_accepts_plain_frames_only_while_allowed_and_silence_always()
    {
        var time = new FakeTimeProvider(TestTime.Start);
        using var decryptor = new DaveDecryptor(time, passthrough: true);
        byte[] opus = [0x78, 1, 2, 3, 4, 5];
        var output = new byte[64];
        Assert.Equal(DaveDecryptStatus.PassedThrough, decryptor.Decrypt(DaveMediaType.Audio, opus, output).Status);

        decryptor.SetPassthrough(false, TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(decryptor.IsPassthroughAllowed);
        Assert.Equal(DaveDecryptStatus.PassedThrough, decryptor.Decrypt(DaveMediaType.Audio, opus, output).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        var rejected = decryptor.Decrypt(DaveMediaType.Audio, opus, output);
        Assert.Equal(DaveRejectReason.NotProtocolFrame, rejected.Reason);
        Assert.Equal(DaveFrameError.TooShort, rejected.FrameError);
        Assert.Equal(DaveDecryptStatus.PassedThrough, decryptor.Decrypt(DaveMediaType.Audio, [0xF8, 0xFF, 0xFE], output).Status);
        Assert.Equal(DaveRejectReason.DestinationTooSmall, decryptor.Decrypt(DaveMediaType.Audio, opus, new byte[2]).Reason);
    }

    [Fact]
    public void Passthrough_encryptor_copies_frames_unchanged()
    {
        using var encryptor = new DaveEncryptor();
        Assert.True(encryptor.IsPassthrough);
        var media = OpusLike(3);
        Assert.Equal(media, Encrypt(encryptor, media));
    }

    internal static byte[] OpusLike(int seed)
    {
        var media = new byte[100];
        new Random(seed).NextBytes(media);
        media[0] = 0x78;
        return media;
    }

    internal static byte[] Encrypt(DaveEncryptor encryptor, byte[] media)
    {
        var frame = new byte[DaveEncryptor.GetMaxFrameLength(media.Length, [])];
        var written = encryptor.Encrypt(media, [], frame);
        return frame.AsSpan(0, written).ToArray();
    }

    private static DaveMediaKey Key(uint generation)
    {
        using var ratchet = new DaveKeyRatchet(BaseSecret);
        Assert.True(ratchet.TryGetKey(generation, out var key));
        return new DaveMediaKey(key);
    }

    private static byte[] Frame(DaveMediaKey key, uint truncatedNonce)
    {
        var media = OpusLike((int)(truncatedNonce & 0xFFFF));
        var frame = new byte[media.Length + DaveFrameFormat.GetSupplementalSize(truncatedNonce, [])];
        key.Encrypt(media, truncatedNonce, [], frame);
        return frame;
    }
}
