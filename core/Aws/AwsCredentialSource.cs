using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Aws;

/// <summary>
/// Where signing credentials come from: <see cref="AwsOptions.AccessKeyId"/> when set, otherwise AWSSDK.Core's default
/// chain (environment variables, the shared credentials/config files with AWS_PROFILE, SSO, container and instance
/// roles), which also refreshes temporary credentials before they expire.
/// </summary>
public sealed class AwsCredentialSource(IOptionsMonitor<AwsOptions> options)
{
    public async Task<AwsCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (settings.AccessKeyId.Length > 0)
        {
            return new AwsCredentials(settings.AccessKeyId, settings.SecretAccessKey, null);
        }

        try
        {
            var chain = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            var resolved = await chain.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return new AwsCredentials(resolved.AccessKey, resolved.SecretKey, resolved.UseToken ? resolved.Token : null);
        }
        catch (Amazon.Runtime.AmazonClientException none)
        {
            throw new CloudWatchException($"No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE). {none.Message}", none);
        }
    }
}
