using System.Security.Claims;
using DiscordLedgerBot.Api;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace DiscordLedgerBot.Mcp;

/// <summary>The MCP server: tools from <see cref="LedgerMcpTools"/> filtered by <see cref="McpOptions"/>, over streamable HTTP (/mcp) or stdio (`bot mcp`).</summary>
public static class McpComposition
{
    public const string Path = "/mcp";

    /// <summary>Called by AddLedgerBot: the options (validated at start); the transports are added by the bot and by `bot mcp`.</summary>
    public static IServiceCollection AddLedgerBotMcp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<McpOptions>().Bind(configuration.GetSection(McpOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpOptions>, McpOptionsValidator>());
        return services;
    }

    /// <summary>The tools <paramref name="options"/> expose: include list (if any) minus exclude list, reads only when read-only.</summary>
    public static IReadOnlyList<McpServerTool> ExposedTools(McpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. LedgerMcpTools.All
            .Where(t => options.IncludeTools.Count == 0 || options.IncludeTools.Contains(t.Name))
            .Where(t => !options.ExcludeTools.Contains(t.Name))
            .Where(t => !options.ReadOnly || t.ReadOnly)
            .Select(t => new LedgerMcpTool(t))];
    }

    /// <summary>The bot's streamable HTTP MCP endpoint (stateful, so each session's request ids stay apart).</summary>
    public static IServiceCollection AddLedgerBotMcpHttp(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(McpOptions.SectionName).Get<McpOptions>() ?? new McpOptions();
        services.AddHttpContextAccessor();
        services.AddMcpServer(server => server.ServerInfo = new() { Name = "discord-ledger-bot", Version = "1" })
            .WithHttpTransport()
            .WithTools(ExposedTools(options))
            // A token lists only the tools it may call, so an agent never plans around a tool that will refuse it;
            // each call still checks its scopes.
            .WithRequestFilters(filters => filters.AddListToolsFilter(next => async (context, cancellationToken) =>
            {
                var listed = await next(context, cancellationToken);
                listed.Tools = [.. listed.Tools.Where(tool => LedgerMcpTool.MissingScope(context.User, ScopesOf(tool.Name)) is null)];
                return listed;
            }));
        return services;
    }

    private static IReadOnlyList<string> ScopesOf(string toolName) =>
        LedgerMcpTools.All.FirstOrDefault(t => t.Name == toolName)?.Scopes
            ?? throw new InvalidOperationException($"The MCP tool '{toolName}' is not one of ours.");

    /// <summary>
    /// Maps /mcp behind the API's bearer tokens: no or unknown token is a 401 problem; the caller's scopes become
    /// claims that each tool checks (a missing scope is a tool error naming it).
    /// </summary>
    public static WebApplication MapLedgerBotMcp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<McpOptions>>().Value.HttpEnabled)
        {
            return app;
        }

        app.UseWhen(
            http => http.Request.Path.StartsWithSegments(Path, StringComparison.Ordinal),
            branch => branch.Use(async (http, next) =>
            {
                if (http.RequestServices.GetRequiredService<ApiAuthorization>().Identify(http.Request) is not { } caller)
                {
                    await ApiProblems.Unauthorized().ExecuteAsync(http);
                    return;
                }

                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Name), .. caller.Scopes.Select(s => new Claim(LedgerMcpTool.ScopeClaim, s))], authenticationType: "Bearer");
                http.User = new ClaimsPrincipal(identity);
                await next(http);
            }));
        app.MapMcp(Path);
        return app;
    }
}
