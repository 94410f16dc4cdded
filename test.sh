#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs the Debian packages the integration tests need
# (they start their own private servers on 127.0.0.1), builds, tests every project, and ends with one line
#   tests: N passed, N failed
# (skipped tests are reported on the line before) computed from the test runner's TRX results.
#   ./test.sh            everything (CI)
#   ./test.sh --fast     skips tests marked [Trait("Category","Slow")]
#   ./test.sh -- ARGS    extra arguments for `dotnet test` (e.g. -- --filter FullyQualifiedName~Redis)
set -uo pipefail
cd "$(dirname "$0")"

filter=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) filter="Category!=Slow" ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: ./test.sh [--fast] [-- dotnet-test-args...]" >&2; exit 2 ;;
  esac
  shift
done

# Debian packages the integration tests use. Installed only when missing, so a warm machine skips apt entirely.
need_pkgs=()
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
# The clustered-scheduler tests start a private PostgreSQL (initdb + postgres from Debian's server package).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
# The sandbox console's browser test drives Debian's chromium (a browser cannot be downloaded here; DLB_CHROMIUM overrides).
[ -n "${DLB_CHROMIUM:-}" ] || [ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
# The voice benchmark compares Concentus with native libopus (espeak-ng for the voice tests is in the speech list below).
ldconfig -p 2>/dev/null | grep -q 'libopus\.so\.0' || need_pkgs+=(libopus0)
# The DAVE interop tests run @snazzah/davey (the DAVE implementation discord.js uses) under node.
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
# Spoken requests: the embedded recognizer and its model, and espeak-ng + sox to synthesise test speech; whisper.cpp's
# CPU runtime (Whisper.net.Runtime, Speech:Engine=whisper) links OpenMP's libgomp1.
for pkg in libpocketsphinx3 pocketsphinx-en-us espeak-ng sox libgomp1; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_pkgs[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null || { echo "test.sh: apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
    || { echo "test.sh: could not install ${need_pkgs[*]}" >&2; exit 1; }
  # The package starts a system-wide server; tests start their own private ones, so stop it.
  if command -v systemctl >/dev/null 2>&1; then $sudo_cmd systemctl stop redis-server >/dev/null 2>&1 || true; fi
  $sudo_cmd service redis-server stop >/dev/null 2>&1 || true
  $sudo_cmd service postgresql stop >/dev/null 2>&1 || true
fi

if [ -z "${DLB_SHARED_DIR:-}" ] && [ ! -d ../shared ]; then
  echo "test.sh: ../shared (the founders' contracts) is missing beside the repository; set DLB_SHARED_DIR" >&2
  exit 1
fi

# The interop harness's pinned packages (package-lock.json); the tests would install them too, once, if missing.
if [ ! -f tests/interop/davey/node_modules/@snazzah/davey/package.json ]; then
  (cd tests/interop/davey && npm ci --no-audit --no-fund >/dev/null) || { echo "test.sh: npm ci in tests/interop/davey failed" >&2; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$(pwd)/TestResults"
rm -rf "$results"

if ! dotnet build DiscordLedgerBot.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "test.sh: build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

test_args=(DiscordLedgerBot.sln -c Release --no-build --logger "trx" --results-directory "$results")
[ -z "$filter" ] || test_args+=(--filter "$filter")
dotnet test "${test_args[@]}" "${extra[@]}"
test_exit=$?

passed=0; failed=0; skipped=0; reports=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  reports=$((reports + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  x=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done

# A test host that crashed writes no TRX (or the runner failed outright): never report that as green.
expected=$(dotnet sln DiscordLedgerBot.sln list | grep -c '\.Tests\.csproj$')
if [ "$reports" -lt "$expected" ]; then
  echo "test.sh: only $reports of $expected test projects reported results"
  failed=$((failed + expected - reports))
fi
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: dotnet test exited $test_exit without a failed test in the reports"
  failed=1
fi

echo "test.sh: $skipped skipped"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
