using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DiscordLedgerBot.Emulators;

/// <summary>What every emulator does the same way: learn the port Kestrel bound on 127.0.0.1:0, and serve until stopped.</summary>
internal static class LoopbackServer
{
    /// <summary>The port of a started app that asked Kestrel for port 0.</summary>
    public static int BoundPort(IServiceProvider appServices) =>
        new Uri(appServices.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

    /// <summary>For the <c>emulate</c> verbs: returns when <paramref name="cancellationToken"/> fires, which is the normal way to stop.</summary>
    public static async Task ServeUntilCancelledAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
