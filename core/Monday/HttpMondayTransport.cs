using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Monday;

/// <summary>POSTs GraphQL to monday over <see cref="HttpClient"/> with the auth, version and idempotency headers.</summary>
public sealed class HttpMondayTransport(HttpClient httpClient, IOptions<MondayOptions> options) : IMondayTransport
{
    private readonly MondayOptions _options = options.Value;

    public async Task<MondayRawResponse> SendAsync(MondayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject
        {
            ["query"] = request.Query,
            ["variables"] = request.Variables.DeepClone(),
        };

        using var message = new HttpRequestMessage(HttpMethod.Post, _options.ApiUrl);
        message.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        // monday's examples send the raw token with no scheme; TryAddWithoutValidation keeps it verbatim.
        message.Headers.TryAddWithoutValidation("Authorization", _options.Token);
        message.Headers.TryAddWithoutValidation("API-Version", _options.ApiVersion);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (request.IdempotencyKey is not null)
        {
            message.Headers.TryAddWithoutValidation("Idempotency-Key", request.IdempotencyKey);
        }

        using var response = await httpClient.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        return new MondayRawResponse((int)response.StatusCode, text, headers);
    }
}
