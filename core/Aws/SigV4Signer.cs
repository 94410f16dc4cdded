using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DiscordLedgerBot.Core.Aws;

/// <summary>Access key, secret and (for temporary credentials) session token; the secret is never logged or printed.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}

/// <summary>The pieces of one signature, kept apart so a test can tell which one differs from AWS's published vectors.</summary>
public sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string Signature, string Authorization, string SignedHeaders);

/// <summary>
/// AWS Signature Version 4 (HMAC-SHA256) over a plain request, for services other than S3 (path segments are encoded
/// twice, as SigV4 specifies for them). AWSSDK.Core's AWS4Signer signs only its own IRequest type; this follows the
/// published algorithm and is checked against AWS's sig-v4 test-suite vectors (tests/…/Aws/SigV4SignerTests.cs),
/// and the CloudWatch emulator checks each request with AWSSDK.Core's own signature computation.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Adds x-amz-date (and x-amz-security-token) to <paramref name="request"/> and signs it: its Authorization header is set.</summary>
    public static SigV4Signature Sign(HttpRequestMessage request, byte[] payload, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("x-amz-date");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        if (credentials.SessionToken is { Length: > 0 } token)
        {
            request.Headers.Remove("x-amz-security-token");
            request.Headers.TryAddWithoutValidation("x-amz-security-token", token);
        }

        var headers = new List<KeyValuePair<string, string>> { new("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") };
        foreach (var header in request.Headers.Where(h => !h.Key.Equals("host", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("authorization", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("user-agent", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new(header.Key, string.Join(",", header.Value)));
        }

        if (request.Content is not null)
        {
            headers.AddRange(request.Content.Headers.Where(h => !h.Key.Equals("content-length", StringComparison.OrdinalIgnoreCase)).Select(h => KeyValuePair.Create(h.Key, string.Join(",", h.Value))));
        }

        var signature = Compute(request.Method.Method, uri, headers, Hex(SHA256.HashData(payload)), credentials, region, service, now);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    /// <summary>The signature of a request given as its parts (every header in <paramref name="headers"/> is signed).</summary>
    public static SigV4Signature Compute(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(credentials);
        var canonicalHeaders = headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(h => Trim(h.Value)))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var signedHeaders = string.Join(";", canonicalHeaders.Select(h => h.Name));
        var canonicalRequest = string.Join(
            "\n",
            method.ToUpperInvariant(),
            CanonicalPath(uri),
            CanonicalQuery(uri),
            string.Concat(canonicalHeaders.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaders,
            payloadHash);
        var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), date), region), service), "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signature, authorization, signedHeaders);
    }

    /// <summary>Each path segment decoded, then encoded twice (non-S3 services); an empty path is "/".</summary>
    public static string CanonicalPath(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            return "/";
        }

        return string.Join("/", path.Split('/').Select(segment => Encode(Encode(Uri.UnescapeDataString(segment)))));
    }

    /// <summary>Parameters decoded, RFC 3986-encoded, sorted by name then value (byte order).</summary>
    public static string CanonicalQuery(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        return string.Join("&", query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Name: Encode(Uri.UnescapeDataString(parts[0])), Value: Encode(Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : string.Empty))))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    // Leading/trailing space removed and inner runs of spaces collapsed to one, as the canonical form requires.
    private static string Trim(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
