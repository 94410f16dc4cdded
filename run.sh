#!/usr/bin/env bash
# Runs the bot. With no arguments it hosts the bot (gateway, HTTP API, jobs) using config.json / env vars;
# any arguments are passed to the `bot` executable, e.g.:
#   ./run.sh --Sandbox:Enabled=true      the whole bot against in-process monday + Discord emulators
#   ./run.sh ledger list                 operator commands (see ./run.sh help)
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bot/DiscordLedgerBot.csproj -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
exec dotnet bot/bin/Release/net10.0/bot.dll "$@"
