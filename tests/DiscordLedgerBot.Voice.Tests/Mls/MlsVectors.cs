using System.Text.Json;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Voice.Tests.Mls;

/// <summary>Loads the official MLS interop vectors (contracts/mls) and decodes their hex fields.</summary>
internal static class MlsVectors
{
    public const int SupportedCipherSuite = 2;

    public static JsonElement[] All(string file)
    {
        var json = File.ReadAllBytes(SharedContracts.Contract("mls", file));
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The cases of ciphersuite 2 (DAVE's suite); fails loudly if a file unexpectedly has none.</summary>
    public static JsonElement[] Suite2(string file)
    {
        var cases = All(file).Where(e => e.GetProperty("cipher_suite").GetInt32() == SupportedCipherSuite).ToArray();
        Assert.NotEmpty(cases);
        return cases;
    }

    public static byte[] Hex(this JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);

    public static byte[]? HexOrNull(this JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.Hex(property);

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static int Int(this JsonElement element, string property) => element.GetProperty(property).GetInt32();

    /// <summary>Runs <paramref name="check"/> on every case and reports which case failed.</summary>
    public static void ForEachCase(JsonElement[] cases, Action<JsonElement> check)
    {
        for (var i = 0; i < cases.Length; i++)
        {
            try
            {
                check(cases[i]);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"Vector case #{i} failed: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
    }
}
