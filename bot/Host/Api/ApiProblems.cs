namespace DiscordLedgerBot.Api;

/// <summary>Every API error as problem+json (RFC 9457); validation problems name the offending field.</summary>
public static class ApiProblems
{
    public const string ReadOnlyTitle = "The ledger is read-only";

    public static IResult BadRequest(string field, string detail) =>
        Results.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid request",
            detail: detail,
            extensions: new Dictionary<string, object?> { ["field"] = field, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });

    public static IResult NotFound(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    public static IResult Conflict(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    public static IResult Forbidden(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail);

    public static IResult ReadOnly() => Forbidden(ReadOnlyTitle, new Core.Ledger.LedgerReadOnlyException().Message);

    public static IResult Unprocessable(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail);

    public static IResult Unauthorized() => new UnauthorizedProblem();

    /// <summary>401 as problem+json with the challenge header clients expect.</summary>
    private sealed class UnauthorizedProblem : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "A valid bearer token is required (Authorization: Bearer <token>); tokens are configured under Api:Tokens.").ExecuteAsync(httpContext);
        }
    }
}
