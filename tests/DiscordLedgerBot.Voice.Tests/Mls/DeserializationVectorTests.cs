using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Mls.Codec;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class DeserializationVectorTests
{
    [Fact]
    public void Varint_headers_decode_and_re_encode_identically() => MlsVectors.ForEachCase(MlsVectors.All("deserialization.json"), c =>
    {
        var header = c.Hex("vlbytes_header");
        var reader = new TlsReader(header);
        Assert.Equal(c.Int("length"), reader.ReadVarint());
        Assert.True(reader.IsAtEnd);
        var writer = new TlsWriter();
        writer.WriteVarint(c.Int("length"));
        Assert.Equal(header, writer.ToArray());
    });

    [Theory]
    [InlineData("4025")] // 37 in two bytes
    [InlineData("80000025")] // 37 in four bytes
    [InlineData("80003fff")] // 16383 in four bytes
    [InlineData("c0000000")] // reserved prefix
    [InlineData("40")] // truncated
    public void Non_minimal_reserved_or_truncated_varints_are_rejected(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<MlsDecodeException>(() => new TlsReader(bytes).ReadVarint());
    }

    [Fact]
    public void Vector_longer_than_input_is_rejected()
    {
        byte[] bytes = [0x05, 1, 2];
        Assert.Throws<MlsDecodeException>(() => new TlsReader(bytes).ReadOpaque());
    }
}
