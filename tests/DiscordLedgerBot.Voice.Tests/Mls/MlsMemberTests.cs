using System.Security.Cryptography;
using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class MlsMemberTests
{
    private static readonly byte[] UserId = [0, 0, 0, 0, 0, 0, 0x30, 0x39];

    [Fact]
    public void Key_package_has_the_DAVE_shape_and_valid_signatures()
    {
        var member = MlsMember.Create(UserId);
        var keyPackage = KeyPackage.Parse(member.CreateKeyPackage());

        keyPackage.Verify();
        Assert.Equal(MlsCipherSuite.Id, keyPackage.CipherSuite);
        Assert.Empty(keyPackage.Extensions);
        var leaf = keyPackage.LeafNode;
        Assert.Equal(LeafNodeSource.KeyPackage, leaf.Source);
        Assert.Equal((0ul, ulong.MaxValue), (leaf.NotBefore, leaf.NotAfter));
        Assert.Equal([MlsCipherSuite.Id], leaf.Capabilities.CipherSuites);
        Assert.Equal([CredentialType.Basic], leaf.Capabilities.Credentials);
        Assert.Empty(leaf.Extensions);
        Assert.Equal(CredentialType.Basic, leaf.Credential.Type);
        Assert.Equal(UserId, leaf.Credential.Identity);
        Assert.Equal(member.SignaturePublicKey, leaf.SignatureKey);
        Assert.Equal(P256.PublicKeyLength, keyPackage.InitKey.Length);
    }

    [Fact]
    public void Each_key_package_is_fresh_and_single_use()
    {
        var member = MlsMember.Create(UserId);
        var first = KeyPackage.Parse(member.CreateKeyPackage());
        var second = KeyPackage.Parse(member.CreateKeyPackage());
        Assert.NotEqual(first.InitKey, second.InitKey);
        Assert.NotEqual(first.LeafNode.EncryptionKey, second.LeafNode.EncryptionKey);
        Assert.Equal(first.LeafNode.SignatureKey, second.LeafNode.SignatureKey);
    }

    [Fact]
    public void A_supplied_random_number_generator_drives_the_signature_key()
    {
        using var random = new CountingRandom();
        var member = MlsMember.Create(UserId, random);
        Assert.True(random.BytesServed >= P256.PrivateKeyLength);
        Assert.Equal(P256.PublicKeyLength, member.SignaturePublicKey.Length);
    }

    [Fact]
    public void Wire_helpers_split_messages_and_round_trip_vectors_and_refs()
    {
        var gateway = MlsExternalSenderSigner.Create(UserId);
        var groupId = new byte[8];
        var keyPackage = MlsMember.Create(UserId).CreateKeyPackage();
        var (add, addRef) = gateway.ProposeAdd(groupId, 0, keyPackage);
        var (remove, removeRef) = gateway.ProposeRemove(groupId, 0, 0);

        var messages = MlsWire.SplitMlsMessages([.. add, .. remove]);
        Assert.Equal([add, remove], messages);
        Assert.Equal(add.Length, MlsWire.MlsMessageLength([.. add, .. remove]));

        var vector = MlsWire.EncodeVector([.. add, .. remove]);
        Assert.Equal([.. add, .. remove], MlsWire.DecodeVector(vector, out var consumed));
        Assert.Equal(vector.Length, consumed);
        Assert.Equal([addRef, removeRef], MlsWire.DecodeProposalRefs(MlsWire.EncodeProposalRefs([addRef, removeRef])));
        Assert.NotEqual(addRef, removeRef);
    }

    private sealed class CountingRandom : RandomNumberGenerator
    {
        public int BytesServed { get; private set; }

        public override void GetBytes(byte[] data)
        {
            RandomNumberGenerator.Fill(data);
            BytesServed += data.Length;
        }
    }
}
