using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Api;

/// <summary>The caller a bearer token identified, with its scopes.</summary>
public sealed record ApiCaller(string Name, IReadOnlySet<string> Scopes)
{
    public bool Has(string scope) => Scopes.Contains(scope);
}

/// <summary>
/// Bearer-token checks for /api/v1 and /mcp. Tokens are compared as SHA-256 digests in constant time; neither the
/// presented nor the configured token is ever logged or echoed.
/// </summary>
public sealed class ApiAuthorization(IOptionsMonitor<ApiOptions> options)
{
    /// <summary>The caller behind the request's bearer token; null when it has none or an unknown one.</summary>
    public ApiCaller? Identify(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return null;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        ApiCaller? caller = null;
        for (var i = 0; i < options.CurrentValue.Tokens.Count; i++)
        {
            var configured = options.CurrentValue.Tokens[i];
            // Every configured token is compared, so timing does not reveal which one matched.
            if (!string.IsNullOrEmpty(configured.Token) && CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(configured.Token))))
            {
                caller = new ApiCaller(string.IsNullOrEmpty(configured.Name) ? $"token-{i}" : configured.Name, configured.ScopeSet());
            }
        }

        return caller;
    }

    /// <summary>
    /// Admits the request when its caller holds every one of <paramref name="scopes"/> (remembered in the request's
    /// items); otherwise the refusal to send: 401 without a valid token, 403 without the scope.
    /// </summary>
    public static IResult? Refuse(HttpContext http, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(http);
        var caller = http.RequestServices.GetRequiredService<ApiAuthorization>().Identify(http.Request);
        if (caller is null)
        {
            return ApiProblems.Unauthorized();
        }

        if (scopes.FirstOrDefault(s => !caller.Has(s)) is { } missing)
        {
            return ApiProblems.Forbidden("Missing scope", $"This route needs the '{missing}' scope; the token '{caller.Name}' has: {string.Join(", ", caller.Scopes.Order(StringComparer.Ordinal))}.");
        }

        http.Items[typeof(ApiCaller)] = caller;
        return null;
    }

    /// <summary>An endpoint filter admitting callers that hold every one of <paramref name="scopes"/> (see <see cref="Refuse"/>).</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Require(params string[] scopes) =>
        async (context, next) => Refuse(context.HttpContext, scopes) ?? await next(context);
}
