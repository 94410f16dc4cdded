using DiscordLedgerBot.Cli;

// `bot` with no verb (or `bot run`) hosts the bot; any other verb is an operator command (see `bot help`).
return await CliApplication.RunAsync(args);
