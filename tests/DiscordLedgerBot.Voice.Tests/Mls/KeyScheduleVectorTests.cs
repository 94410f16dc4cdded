using DiscordLedgerBot.Voice.Mls.Messages;
using DiscordLedgerBot.Voice.Mls.Schedule;

namespace DiscordLedgerBot.Voice.Tests.Mls;

public class KeyScheduleVectorTests
{
    [Fact]
    public void Every_epoch_secret_exporter_and_authenticator_match() => MlsVectors.ForEachCase(MlsVectors.Suite2("key-schedule.json"), c =>
    {
        var groupId = c.Hex("group_id");
        var initSecret = c.Hex("initial_init_secret");
        ulong epochNumber = 0;
        foreach (var epoch in c.GetProperty("epochs").EnumerateArray())
        {
            var context = GroupContext.Create(groupId, epochNumber, epoch.Hex("tree_hash"), epoch.Hex("confirmed_transcript_hash"), []).ToBytes();
            Assert.Equal(epoch.Hex("group_context"), context);
            var joiner = EpochSecrets.DeriveJoinerSecret(initSecret, epoch.Hex("commit_secret"), context);
            Assert.Equal(epoch.Hex("joiner_secret"), joiner);
            var secrets = EpochSecrets.FromJoinerSecret(joiner, epoch.Hex("psk_secret"), context);
            Assert.Equal(epoch.Hex("welcome_secret"), EpochSecrets.WelcomeSecret(joiner, epoch.Hex("psk_secret")));
            Assert.Equal(epoch.Hex("init_secret"), secrets.InitSecret);
            Assert.Equal(epoch.Hex("sender_data_secret"), secrets.SenderDataSecret);
            Assert.Equal(epoch.Hex("encryption_secret"), secrets.EncryptionSecret);
            Assert.Equal(epoch.Hex("exporter_secret"), secrets.ExporterSecret);
            Assert.Equal(epoch.Hex("epoch_authenticator"), secrets.EpochAuthenticator);
            Assert.Equal(epoch.Hex("external_secret"), secrets.ExternalSecret);
            Assert.Equal(epoch.Hex("confirmation_key"), secrets.ConfirmationKey);
            Assert.Equal(epoch.Hex("membership_key"), secrets.MembershipKey);
            Assert.Equal(epoch.Hex("resumption_psk"), secrets.ResumptionPsk);
            Assert.Equal(epoch.Hex("external_pub"), secrets.ExternalPublicKey());

            // The vector's exporter label only looks like hex: it is used as ASCII text.
            var exporter = epoch.GetProperty("exporter");
            Assert.Equal(exporter.Hex("secret"), secrets.Export(exporter.Str("label"), exporter.Hex("context"), exporter.Int("length")));
            initSecret = secrets.InitSecret;
            epochNumber++;
        }
    });
}
