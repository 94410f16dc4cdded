using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DiscordLedgerBot.Cli;
using DiscordLedgerBot.Sandbox;
using DiscordLedgerBot.Testing;

namespace DiscordLedgerBot.Bot.Tests.Cli;

/// <summary>`bot emulate github|cloudwatch`: the readout emulators run on their own for manual testing.</summary>
public partial class EmulateCommandTests
{
    [Fact]
    public async Task Emulate_github_serves_the_seeded_repository_to_the_printed_token_until_cancelled()
    {
        var (context, output, _) = CliHarness.Context(new Uri("http://127.0.0.1:9/v2"));
        using var stop = new CancellationTokenSource();
        var running = new EmulateCommand().RunAsync(context, ["github", "--port", "0", "--token", "manual-token"], stop.Token);
        await Eventually.TrueAsync(() => output.ToString().Contains("listening on", StringComparison.Ordinal), "the GitHub emulator prints its address");
        var url = new Uri(ListeningOn().Match(output.ToString()).Groups["url"].Value);

        using var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("emulate-test", "1"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("repos/ledger-hq/discord-ledger-bot/pulls", UriKind.Relative))).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "manual-token");
        using var pulls = await http.GetAsync(new Uri("repos/ledger-hq/discord-ledger-bot/pulls", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, pulls.StatusCode);
        Assert.NotEmpty(JsonNode.Parse(await pulls.Content.ReadAsStringAsync())!.AsArray());

        await stop.CancelAsync();
        Assert.Equal(0, await running);
    }

    [Fact]
    public async Task Emulate_cloudwatch_refuses_unsigned_requests_and_a_token_option()
    {
        var (context, output, _) = CliHarness.Context(new Uri("http://127.0.0.1:9/v2"));
        await Assert.ThrowsAsync<CliUsageException>(() => new EmulateCommand().RunAsync(context, ["cloudwatch", "--port", "0", "--token", "x"], CancellationToken.None));

        using var stop = new CancellationTokenSource();
        var running = new EmulateCommand().RunAsync(context, ["cloudwatch", "--port", "0"], stop.Token);
        await Eventually.TrueAsync(() => output.ToString().Contains("listening on", StringComparison.Ordinal), "the CloudWatch emulator prints its address");
        var url = new Uri(ListeningOn().Match(output.ToString()).Groups["url"].Value);

        using var http = new HttpClient();
        using var unsigned = new StringContent("{}");
        unsigned.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var answer = await http.PostAsync(url, unsigned);
        Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"unsigned request answered {answer.StatusCode}");

        await stop.CancelAsync();
        Assert.Equal(0, await running);
    }

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:[0-9]+/)")]
    private static partial Regex ListeningOn();
}
