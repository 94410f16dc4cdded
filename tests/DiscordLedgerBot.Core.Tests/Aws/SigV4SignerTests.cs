using DiscordLedgerBot.Core.Aws;

namespace DiscordLedgerBot.Core.Tests.Aws;

/// <summary>
/// AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30 edition: key AKIDEXAMPLE, region
/// us-east-1, service "service", host example.amazonaws.com), compared stage by stage so a failure names the stage.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly AwsCredentials Suite = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

    [Fact]
    public void Get_vanilla()
    {
        var signature = Sign("GET", "https://example.amazonaws.com/", [], SigV4Signer.EmptyPayloadHash);

        Assert.Equal("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", signature.CanonicalRequest);
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", signature.StringToSign);
        Assert.Equal($"{Scope}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", signature.Authorization);
    }

    [Fact]
    public void Get_vanilla_query_order_key_case_sorts_parameters_by_name()
    {
        var signature = Sign("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", [], SigV4Signer.EmptyPayloadHash);

        Assert.Equal("Param1=value1&Param2=value2", signature.CanonicalRequest.Split('\n')[2]);
        Assert.Equal("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", signature.Signature);
    }

    [Fact]
    public void Post_x_www_form_urlencoded_signs_the_content_type_and_the_body_hash()
    {
        var signature = Sign("POST", "https://example.amazonaws.com/", [new("Content-Type", "application/x-www-form-urlencoded")], "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");

        Assert.Equal("content-type;host;x-amz-date", signature.SignedHeaders);
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281", signature.StringToSign);
        Assert.Equal("ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a", signature.Signature);
    }

    [Fact]
    public void Signing_a_request_sets_its_date_token_and_authorization_and_hashes_its_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://monitoring.eu-west-1.amazonaws.com/") { Content = new ByteArrayContent("{}"u8.ToArray()) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData");

        var signature = SigV4Signer.Sign(request, "{}"u8.ToArray(), Suite with { SessionToken = "session-token" }, "eu-west-1", "monitoring", SignedAt);

        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token;x-amz-target", signature.SignedHeaders);
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.Equal("session-token", request.Headers.GetValues("x-amz-security-token").Single());
        Assert.Equal(signature.Authorization, request.Headers.GetValues("Authorization").Single());
        Assert.EndsWith("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.DoesNotContain(Suite.SecretAccessKey, Suite.ToString(), StringComparison.Ordinal);
    }

    private static SigV4Signature Sign(string method, string url, List<KeyValuePair<string, string>> headers, string payloadHash)
    {
        var uri = new Uri(url);
        headers.Add(new("Host", uri.Host));
        headers.Add(new("X-Amz-Date", "20150830T123600Z"));
        return SigV4Signer.Compute(method, uri, headers, payloadHash, Suite, "us-east-1", "service", SignedAt);
    }
}
