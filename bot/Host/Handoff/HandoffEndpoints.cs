using System.Security.Cryptography;
using System.Text;
using DiscordLedgerBot.Core.Events;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Core.Outbox;
using DiscordLedgerBot.Core.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Handoff;

/// <summary>
/// The bot's local hand-off API for operator commands that share its data directory (<see cref="HandoffStorage"/>):
/// append to and read the bot's outbox. Authorised only by the per-run token in <see cref="BotEndpointFile"/>.
/// </summary>
public static class HandoffEndpoints
{
    public const string Prefix = "/admin/local";

    public static IEndpointRouteBuilder MapLocalHandoff(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix).AddEndpointFilter(RequireToken).ExcludeFromDescription();
        group.MapPost("/outbox", AppendAsync);
        group.MapGet("/outbox/{idempotencyKey}", async (string idempotencyKey, IOutboxStore store, CancellationToken cancellationToken) =>
            await store.GetAsync(idempotencyKey, cancellationToken) is { } record ? Results.Json(record, HandoffStorage.Json) : Results.NotFound());
        group.MapGet("/outbox", async (OutboxState state, int limit, IOutboxStore store, CancellationToken cancellationToken) =>
            Results.Json(await store.ListAsync(state, Math.Clamp(limit, 1, 100_000), cancellationToken), HandoffStorage.Json));
        group.MapGet("/outbox-counts", async (IOutboxStore store, CancellationToken cancellationToken) =>
            Results.Json(await store.CountAsync(cancellationToken), HandoffStorage.Json));
        return endpoints;
    }

    private static async Task<IResult> AppendAsync(OutboxAppend append, IOutboxStore store, IOptionsMonitor<LedgerOptions> ledger, IEventBus bus, CancellationToken cancellationToken)
    {
        if (ledger.CurrentValue.ReadOnly)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Ledger is read-only", detail: new LedgerReadOnlyException().Message);
        }

        var result = await store.AppendAsync(append, cancellationToken);
        if (result.Created)
        {
            // A handed-off command was validated by the CLI's own ingestion; the bot's readers learn of it here.
            bus.Publish(new OutboxCommandRecorded(result.Record.IdempotencyKey, result.Record.PartitionKey, result.Record.CommandKind));
        }

        return Results.Json(result, HandoffStorage.Json);
    }

    private static async ValueTask<object?> RequireToken(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var publisher = context.HttpContext.RequestServices.GetRequiredService<BotEndpointPublisher>();
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var expected = "Bearer " + publisher.Token;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(expected))
            ? await next(context)
            : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The local hand-off API takes the token from the data directory's bot-endpoint.json.");
    }
}

/// <summary>
/// Writes <see cref="BotEndpointFile"/> into the data directory once Kestrel listens and removes it at shutdown, for
/// stores that live in a data directory (file, and Redis with its file fallback).
/// </summary>
public sealed partial class BotEndpointPublisher(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<BotEndpointPublisher> logger) : IHostedService
{
    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Publish);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (UsesDataDirectory)
        {
            BotEndpointFile.DeleteFrom(storage.Value.DataDirectory, Token);
        }

        return Task.CompletedTask;
    }

    private bool UsesDataDirectory => storage.Value.Backend != StorageBackendKind.Memory;

    private void Publish()
    {
        if (!UsesDataDirectory || LoopbackAddress() is not { } url)
        {
            return;
        }

        new BotEndpointFile(url, Token, Environment.ProcessId, time.GetUtcNow()).WriteTo(storage.Value.DataDirectory);
        LogPublished(logger, url, BotEndpointFile.PathIn(storage.Value.DataDirectory));
    }

    // A wildcard listener (http://+:8080, 0.0.0.0, [::]) is reached over loopback by a CLI on the same machine.
    private Uri? LoopbackAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        var normalized = address.Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal)
            .Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal);
        return Uri.TryCreate(normalized, UriKind.Absolute, out var uri) ? uri : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator commands on this data directory are handed to {Url} (endpoint file {Path})")]
    private static partial void LogPublished(ILogger logger, Uri url, string path);
}
