using System.Text.Json;
using DiscordLedgerBot.Discord.Commands;
using DiscordLedgerBot.Discord.Gateway;
using DiscordLedgerBot.Discord.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Discord.Interactions;

public static partial class InteractionEndpointExtensions
{
    /// <summary>
    /// Registers the interactions layer: options (section <c>Discord</c>, validated at start), the router with the given
    /// routes, <see cref="InteractionDispatcher"/> (also as the gateway's <c>IGatewayEventHandler&lt;InteractionCreated&gt;</c>),
    /// <see cref="ApplicationCommandRegistrar"/> and, for the HTTP endpoint, <see cref="InteractionSignatureVerifier"/>.
    /// Needs an <c>IDiscordRest</c> (from <c>AddDiscordClient</c>).
    /// </summary>
    public static IServiceCollection AddDiscordInteractions(this IServiceCollection services, IConfiguration configuration, Action<InteractionRouter> mapRoutes)
    {
        ArgumentNullException.ThrowIfNull(mapRoutes);
        return services.AddDiscordInteractions(configuration, (_, router) => mapRoutes(router));
    }

    /// <summary>
    /// As <see cref="AddDiscordInteractions(IServiceCollection, IConfiguration, Action{InteractionRouter})"/>, for routes
    /// whose handlers need services: the router is built once, when first resolved, with the container at hand.
    /// </summary>
    public static IServiceCollection AddDiscordInteractions(this IServiceCollection services, IConfiguration configuration, Action<IServiceProvider, InteractionRouter> mapRoutes)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(mapRoutes);
        services.AddOptions<DiscordInteractionsOptions>().Bind(configuration.GetSection(DiscordInteractionsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordInteractionsOptions>, DiscordInteractionsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
        {
            var router = new InteractionRouter();
            mapRoutes(provider, router);
            return router;
        });
        services.AddSingleton<InteractionDispatcher>();
        services.AddSingleton<IGatewayEventHandler<InteractionCreated>>(provider => provider.GetRequiredService<InteractionDispatcher>());
        services.AddSingleton<ApplicationCommandRegistrar>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DiscordInteractionsOptions>>().Value;
            if (string.IsNullOrEmpty(options.PublicKey))
            {
                throw new InvalidOperationException(
                    "Discord:PublicKey is required for the HTTP interactions endpoint (env Discord__PublicKey): the application's public key from the developer portal.");
            }

            return new InteractionSignatureVerifier(options.PublicKey, provider.GetRequiredService<TimeProvider>(), options.InteractionSignatureMaxAge);
        });
        return services;
    }

    /// <summary>
    /// Maps Discord's Interactions Endpoint URL: verifies the Ed25519 signature (401 when missing, forged, malformed or
    /// stale), answers PING with <c>{"type":1}</c>, and hands other interactions to <see cref="InteractionDispatcher"/>,
    /// replying in the HTTP response itself (the handler's answer when fast, else a deferral, with the result delivered
    /// afterwards over REST). Resolves the verifier immediately, so a missing public key fails at start.
    /// </summary>
    public static IEndpointConventionBuilder MapDiscordInteractions(this IEndpointRouteBuilder endpoints, string pattern = "/interactions")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var verifier = services.GetRequiredService<InteractionSignatureVerifier>();
        var dispatcher = services.GetRequiredService<InteractionDispatcher>();
        var time = services.GetRequiredService<TimeProvider>();
        var options = services.GetRequiredService<IOptions<DiscordInteractionsOptions>>().Value;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InteractionEndpointExtensions).FullName!);
        return endpoints.MapPost(pattern, (HttpContext http) => HandleAsync(http, verifier, dispatcher, time, options.InteractionMaxBodyBytes, logger, stopping));
    }

    private static async Task HandleAsync(
        HttpContext http,
        InteractionSignatureVerifier verifier,
        InteractionDispatcher dispatcher,
        TimeProvider time,
        int maxBodyBytes,
        ILogger logger,
        CancellationToken stopping)
    {
        var receivedAt = time.GetTimestamp();
        var body = await ReadBodyAsync(http.Request, maxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var status = verifier.Verify(
            http.Request.Headers["X-Signature-Ed25519"].ToString(),
            http.Request.Headers["X-Signature-Timestamp"].ToString(),
            body);
        if (status != InteractionSignatureStatus.Valid)
        {
            LogRejected(logger, status);
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        Interaction interaction;
        try
        {
            using var document = JsonDocument.Parse(body);
            interaction = InteractionParser.Parse(document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or InteractionParseException)
        {
            LogUnparseable(logger, exception.Message);
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var sink = new HttpResponseSink();
        var dispatch = dispatcher.DispatchAsync(interaction, receivedAt, sink, stopping);
        // Whichever finished first, a callback handed over means there is a reply to write.
        await Task.WhenAny(sink.Callback, dispatch);
        if (!sink.Callback.IsCompleted)
        {
            await dispatch;
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var callback = await sink.Callback;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, callback, (JsonSerializerOptions?)null, http.RequestAborted);
        await http.Response.CompleteAsync();

        // The reply is on its way to Discord; a deferred handler's result is still to be delivered over REST.
        await dispatch;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Captures the initial response so the endpoint can write it as the HTTP reply.</summary>
    private sealed class HttpResponseSink : IInteractionCallbackSink
    {
        private readonly TaskCompletionSource<InteractionCallback> _callback = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<InteractionCallback> Callback => _callback.Task;

        public Task SendAsync(Interaction interaction, InteractionCallback callback, CancellationToken cancellationToken)
        {
            if (!_callback.TrySetResult(callback))
            {
                throw new InvalidOperationException($"The initial response to {interaction.Describe()} was already sent.");
            }

            return Task.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an HTTP interaction: signature {Status}")]
    private static partial void LogRejected(ILogger logger, InteractionSignatureStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an HTTP interaction with a valid signature but an unreadable body: {Reason}")]
    private static partial void LogUnparseable(ILogger logger, string reason);
}
