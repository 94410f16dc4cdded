using System.Net;
using System.Net.Sockets;

namespace DiscordLedgerBot.Testing;

/// <summary>Hands out a free loopback port for a server the test starts itself.</summary>
public static class FreeTcpPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
