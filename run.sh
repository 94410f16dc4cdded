#!/usr/bin/env bash
# Runs the bot. With no arguments it hosts the bot (gateway, HTTP API on http://127.0.0.1:8080, jobs) using
# config.json / env vars; any arguments are passed on, e.g.:
#   ./run.sh --sandbox                   the whole bot against in-process monday + Discord emulators (bot on :5380)
#   ./run.sh --sandbox ledger list       an operator verb against the running sandbox (reads data/sandbox/endpoints.json)
#   ./run.sh emulate monday --port 0     an emulator on its own (sandbox executable)
#   ./run.sh ledger list                 operator commands (see ./run.sh help)
# The production executable (bot) contains no emulator; --sandbox, emulate, bench and replay run the sandbox executable.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=bot/Host/DiscordLedgerBot.Host.csproj
dll=bot/Host/bin/Release/net10.0/bot.dll
args=()
for a in "$@"; do
  if [ "$a" = "--sandbox" ]; then
    project=bot/Sandbox/DiscordLedgerBot.Sandbox.csproj
    dll=bot/Sandbox/bin/Release/net10.0/sandbox.dll
  else
    args+=("$a")
  fi
done
case "${args[0]:-}" in
  emulate|bench|replay)
    project=bot/Sandbox/DiscordLedgerBot.Sandbox.csproj
    dll=bot/Sandbox/bin/Release/net10.0/sandbox.dll ;;
esac
dotnet build "$project" -c Release -nologo -clp:ErrorsOnly -v:quiet >&2
exec dotnet "$dll" "${args[@]}"
