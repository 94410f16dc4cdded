using DiscordLedgerBot.Registry;

namespace DiscordLedgerBot.Hosting;

/// <summary>Composes and runs the long-running bot process (web host, jobs, gateway).</summary>
public static class BotHost
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        BotConfiguration.Apply(builder.Configuration, args);
        builder.AddServiceDefaults();
        builder.Services.AddCapabilityRegistry(builder.Configuration);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapRegistryAdmin();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
