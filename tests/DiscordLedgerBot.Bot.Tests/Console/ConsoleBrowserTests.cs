using System.Globalization;
using DiscordLedgerBot.Bot.Tests.Surface;
using DiscordLedgerBot.Core.Ledger;
using DiscordLedgerBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiscordLedgerBot.Bot.Tests.Console;

/// <summary>
/// The sandbox console in a real headless Chromium (Debian's, driven by Playwright's bundled driver), against the
/// composed bot with the emulators over real sockets — what a newcomer does after `./run.sh --sandbox`
/// (docs/sandbox.md). The screenshots land in TestResults/screenshots, which CI keeps; docs/images/ holds a copy.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ConsoleBrowserTests
{
    // Playwright's own waits (Expect) poll the page; this bounds them on a loaded 2-core machine.
    private const float Wait = 30_000;

    [Fact]
    public async Task A_newcomer_creates_assigns_blocks_notes_and_overrides_from_the_console_and_sees_cards_and_board_change()
    {
        var driver = await SurfaceDriver.StartAsync();
        await using var bot = driver.Bot;
        await using var browser = await ConsoleBrowser.OpenAsync(bot.BotUrl, "newcomer");
        var page = browser.Page;

        await Expect(page.GetByTestId("banner")).ToContainTextAsync("SANDBOX");

        // Option hints: the registered declarations drive what the message box offers.
        await browser.TypeAsync("/ledger cr");
        await Expect(page.GetByTestId("hint").First).ToContainTextAsync("create", new() { Timeout = Wait });
        await browser.TypeAsync("/ledger create ");
        await Expect(page.GetByTestId("hints")).ToContainTextAsync("title:", new() { Timeout = Wait });
        await Expect(page.GetByTestId("hints")).ToContainTextAsync("required", new() { Timeout = Wait });
        await browser.ScreenshotAsync("01-option-hints");

        await browser.SendAsync("/ledger link email:ada@emulated.monday");
        await Expect(browser.Ephemerals.Filter(new() { HasText = "Linked: you are Ada Lovelace" })).ToBeVisibleAsync(new() { Timeout = Wait });

        await browser.SendAsync("/ledger create title:Rotate the API keys due:+7");
        await Expect(browser.Ephemerals.Filter(new() { HasText = "Recorded" })).ToBeVisibleAsync(new() { Timeout = Wait });
        await Expect(browser.Ephemerals.Filter(new() { HasText = "Recorded" })).ToContainTextAsync("Only you can see this");
        var card = browser.Card("Rotate the API keys");
        await Expect(browser.Field(card, "Status")).ToContainTextAsync("Requested", new() { Timeout = Wait });
        await Expect(browser.BoardItem("Rotate the API keys")).ToBeVisibleAsync(new() { Timeout = Wait });
        await browser.ScreenshotAsync("02-created");

        // Autocomplete is a real type-4 interaction the bot answers; picking a choice writes the item's key.
        await browser.TypeAsync("/ledger assign item:rotate");
        var choice = page.GetByTestId("hint").Filter(new() { HasText = "Rotate the API keys" });
        await Expect(choice).ToBeVisibleAsync(new() { Timeout = Wait });
        await browser.ScreenshotAsync("03-autocomplete");
        await choice.ClickAsync();
        var key = (await page.GetByTestId("box").InputValueAsync())["/ledger assign item:".Length..].Trim();
        Assert.StartsWith("slash:", key, StringComparison.Ordinal);
        await browser.SendAsync($"/ledger assign item:{key} owner:Ada Lovelace");
        await Expect(browser.Field(card, "Owner")).ToContainTextAsync("Ada Lovelace", new() { Timeout = Wait });

        await browser.SendAsync($"/ledger status item:{key} status:in_progress");
        await Expect(browser.Field(card, "Status")).ToContainTextAsync("In progress", new() { Timeout = Wait });
        await browser.SendAsync($"/ledger status item:{key} status:blocked reason:waiting for the vendor");
        await Expect(browser.Field(card, "Status")).ToContainTextAsync("Blocked", new() { Timeout = Wait });
        await browser.SendAsync($"/ledger note item:{key} text:Vendor promised Friday");
        await Expect(browser.Field(card, "Last change")).ToContainTextAsync("note added", new() { Timeout = Wait });
        var item = browser.BoardItem("Rotate the API keys");
        await Expect(item.GetByTestId("board-owner")).ToContainTextAsync("Ada Lovelace", new() { Timeout = Wait });
        await Expect(item).ToContainTextAsync("Vendor promised Friday", new() { Timeout = Wait });
        await Expect(item.GetByTestId("board-status")).ToHaveValueAsync("Blocked", new() { Timeout = Wait });
        Assert.Equal(1, await browser.Cards("Rotate the API keys").CountAsync());
        // The card was edited in place, so it is still where it was first posted: bring it into view for the picture.
        await card.ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync("04-blocked-and-noted");

        // Buttons and permissions: a member's press is refused (ephemeral), a moderator's overrides the tool in place.
        await browser.SendAsync("/registry show tool:cursor");
        var toolCard = page.GetByTestId("message").Filter(new() { Has = page.GetByTestId("component") });
        await Expect(toolCard).ToBeVisibleAsync(new() { Timeout = Wait });
        await toolCard.GetByTestId("component").Filter(new() { HasText = "Disable" }).ClickAsync();
        await Expect(browser.Ephemerals.Filter(new() { HasText = "Only moderators can do this" })).ToBeVisibleAsync(new() { Timeout = Wait });
        await browser.ScreenshotAsync("05-refused-for-a-member");
        await page.GetByTestId("user").SelectOptionAsync(DiscordLedgerBot.Emulators.Discord.EmulatedGuild.Ids.Moderator);
        await Expect(browser.Ephemerals.Filter(new() { HasText = "Only moderators can do this" })).ToHaveCountAsync(0);
        await toolCard.GetByTestId("component").Filter(new() { HasText = "Disable" }).ClickAsync();
        await Expect(browser.Field(toolCard, "Overrides")).ToContainTextAsync("disabled", new() { Timeout = Wait });
        await browser.ScreenshotAsync("06-override-by-a-moderator");

        // Editing on monday: the board view writes through monday's GraphQL and shows monday's state.
        await item.GetByTestId("board-status").SelectOptionAsync("In progress");
        await Expect(browser.BoardItem("Rotate the API keys").GetByTestId("board-status")).ToHaveValueAsync("In progress", new() { Timeout = Wait });
        var itemId = Assert.Single(bot.Environment.Monday.Items(), i => i.Name == "Rotate the API keys").Id.ToString(CultureInfo.InvariantCulture);
        var ledger = bot.Services.GetRequiredService<ILedger>();
        await Eventually.TrueAsync(
            async () => (await ledger.GetByIdsAsync([itemId], CancellationToken.None)) is [{ Status: LedgerStatus.InProgress }],
            "monday to hold the status chosen on the board view");

        // The live event log shows what the bot published.
        await Expect(page.GetByTestId("event").First).ToBeVisibleAsync(new() { Timeout = Wait });
        await browser.ScreenshotAsync("07-board-edited");
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task An_edit_on_the_board_view_changes_the_card()
    {
        var driver = await SurfaceDriver.StartAsync("--Sync:PollInterval=00:00:01");
        await using var bot = driver.Bot;
        await using var browser = await ConsoleBrowser.OpenAsync(bot.BotUrl, "board-edit");

        await browser.SendAsync("/ledger create title:Renew the TLS certificate");
        var card = browser.Card("Renew the TLS certificate");
        await Expect(browser.Field(card, "Status")).ToContainTextAsync("Requested", new() { Timeout = Wait });
        await browser.BoardItem("Renew the TLS certificate").GetByTestId("board-status").SelectOptionAsync("Done");

        await Expect(browser.Field(card, "Status")).ToContainTextAsync("Done", new() { Timeout = Wait });
        await browser.ScreenshotAsync("08-card-follows-the-board");
        Assert.Empty(browser.PageErrors);
    }
}

/// <summary>Debian's chromium, headless, on the console page; screenshots go to TestResults/screenshots.</summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private readonly string _name;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IPage page, string name)
    {
        _name = name;
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.PageError += (_, error) => PageErrors.Add(error);
    }

    public IPage Page { get; }

    /// <summary>Uncaught script errors on the page: a console that throws is broken even when the flow got through.</summary>
    public List<string> PageErrors { get; } = [];

    public ILocator Ephemerals => Page.GetByTestId("ephemeral");

    /// <summary>The path of the system browser: DLB_CHROMIUM, else Debian's /usr/bin/chromium (test.sh installs it).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("DLB_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <param name="name">Names the screenshot of the page as it was last (kept for a failed run's diagnosis).</param>
    public static async Task<ConsoleBrowser> OpenAsync(Uri consoleUrl, string name)
    {
        Assert.True(File.Exists(ChromiumPath), $"No chromium at {ChromiumPath}: install Debian's chromium (test.sh does) or set DLB_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 960 } });
            var console = new ConsoleBrowser(playwright, browser, page, name);
            await page.GotoAsync(consoleUrl.ToString());
            // Ready once the bot's command declarations reached the message box.
            await Expect(page.Locator("body[data-ready=true]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
            return console;
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async Task TypeAsync(string text)
    {
        var box = Page.GetByTestId("box");
        await box.FillAsync(text);
        await box.FocusAsync();
    }

    public async Task SendAsync(string line)
    {
        await TypeAsync(line);
        await Page.GetByTestId("box").PressAsync("Enter");
        await Expect(Page.GetByTestId("box")).ToHaveValueAsync(string.Empty);
    }

    /// <summary>Channel messages whose embed has <paramref name="title"/> (an item's cards).</summary>
    public ILocator Cards(string title) =>
        Page.GetByTestId("message").Filter(new() { Has = Page.GetByTestId("embed-title").GetByText(title, new() { Exact = true }) });

    public ILocator Card(string title) => Cards(title).First;

    public ILocator Field(ILocator card, string name) => card.Locator($"[data-testid=field][data-name=\"{name}\"]");

    public ILocator BoardItem(string name) => Page.Locator($"[data-testid=board-item][data-name=\"{name}\"]");

    public async Task ScreenshotAsync(string name)
    {
        var directory = Path.Combine(SharedContracts.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await ScreenshotAsync("last-" + _name);
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
