using Microsoft.Extensions.Configuration;

namespace DiscordLedgerBot.Cli;

/// <summary>What every operator command receives: layered configuration and the console streams.</summary>
public sealed class CliContext(IConfiguration configuration, TextWriter output, TextWriter error)
{
    public IConfiguration Configuration { get; } = configuration;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
