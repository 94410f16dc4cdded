using DiscordLedgerBot.Voice.Mls;
using DiscordLedgerBot.Voice.Mls.Crypto;
using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Schedule;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class WelcomeVectorTests
{
    [Fact]
    public void Group_secrets_and_group_info_decrypt_and_verify() => MlsVectors.ForEachCase(MlsVectors.Suite2("welcome.json"), c =>
    {
        var keyPackage = (KeyPackage)MlsMessage.Parse(c.Hex("key_package")).Body;
        keyPackage.Verify();
        var welcome = (Welcome)MlsMessage.Parse(c.Hex("welcome")).Body;
        var (secrets, info, pskSecret) = MlsGroup.OpenWelcome(welcome, keyPackage, c.Hex("init_priv"), new Dictionary<string, byte[]>());

        MlsCipherSuite.VerifyWithLabelOrThrow(c.Hex("signer_pub"), "GroupInfoTBS", info.ToBeSigned(), info.Signature);
        var epoch = EpochSecrets.FromJoinerSecret(secrets.JoinerSecret, pskSecret, info.GroupContext.ToBytes());
        Assert.Equal(info.ConfirmationTag, epoch.ConfirmationTag(info.GroupContext.ConfirmedTranscriptHash));
    });

    [Fact]
    public void Welcome_for_another_key_package_is_rejected() => MlsVectors.ForEachCase(MlsVectors.Suite2("welcome.json"), c =>
    {
        var welcome = (Welcome)MlsMessage.Parse(c.Hex("welcome")).Body;
        var other = KeyPackage.Parse(MlsMember.Create([1, 2, 3]).CreateKeyPackage());
        Assert.Throws<MlsException>(() => MlsGroup.OpenWelcome(welcome, other, c.Hex("init_priv"), new Dictionary<string, byte[]>()));
    });
}
