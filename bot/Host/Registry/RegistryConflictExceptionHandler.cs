using DiscordLedgerBot.Core.Registry;
using Microsoft.AspNetCore.Diagnostics;

namespace DiscordLedgerBot.Registry;

/// <summary>
/// A registry write that lost every compare-and-set to other bot processes (or found the store emptied under it) saved
/// nothing: that is a 409 the caller retries, not a server fault. Covers every route that writes the registry (the HTTP
/// API and the admin API) without each catching it.
/// </summary>
public sealed class RegistryConflictExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public const string Title = "The registry changed concurrently";

    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not RegistryConcurrencyException conflict)
        {
            return ValueTask.FromResult(false);
        }

        httpContext.Response.StatusCode = StatusCodes.Status409Conflict;
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status409Conflict, Title = Title, Detail = conflict.Message },
        });
    }
}
