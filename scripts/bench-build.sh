#!/usr/bin/env bash
# Wall time of `depot build` of a three-step Dockerfile against the emulator (Release build, loopback), median of
# 10 runs: uncached (--no-cache, every step runs) and cached (the same build again). Prints a Markdown table;
# with --write, also writes it to docs/build-benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
port=${PORT:-4590}
npm ci --prefix tests --no-audit --no-fund --loglevel=error >/dev/null
dotnet build emulator/Depot.Emulator -c Release --verbosity quiet >/dev/null
depot=tests/node_modules/@depot/cli-linux-x64/bin/depot

dotnet emulator/Depot.Emulator/bin/Release/net10.0/Depot.Emulator.dll --port "$port" --log-level warning >/dev/null 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "localhost:$port/_emulator/health" >/dev/null && break; sleep 0.1; done

context=$(mktemp -d)/app
mkdir -p "$context"
printf 'FROM alpine:3.19\nRUN echo hello\nCOPY . /app\n' > "$context/Dockerfile"
echo hello > "$context/hello.txt"
home=$(mktemp -d)

measure() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    HOME=$home DEPOT_API_URL=http://localhost:$port DEPOT_TOKEN=depot_project_demo DEPOT_NO_UPDATE_NOTIFIER=1 \
      DEPOT_ERROR_TELEMETRY=0 DEPOT_DISABLE_OTEL=1 DEPOT_NO_SUMMARY_LINK=1 \
      "$depot" build --project proj-demo --progress plain "$@" "$context" >"$home/last.log" 2>&1 \
      || { echo "depot build failed:" >&2; cat "$home/last.log" >&2; exit 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d %d %d\n", m, a[1], a[NR]}'
}

# One build first, so that neither series pays for the first start of the CLI and the JIT.
measure --no-cache >/dev/null
read -r u_med u_min u_max < <(measure --no-cache)
read -r c_med c_min c_max < <(measure)

table=$(cat <<TABLE
| depot build (three steps, $runs runs) | median | min | max |
|---|---|---|---|
| every step runs (\`--no-cache\`) | ${u_med} ms | ${u_min} ms | ${u_max} ms |
| every step cached | ${c_med} ms | ${c_min} ms | ${c_max} ms |
TABLE
)
echo "$table"

if [ "${1:-}" = "--write" ]; then
  cat > docs/build-benchmark.md <<MD
# Build benchmark

\`bash scripts/bench-build.sh --write\` times the real CLI ($("$depot" --version | head -1)) running \`depot build\` of a
three-step Dockerfile (\`FROM\`, \`RUN\`, \`COPY\`) against the emulator's built-in BuildKit: Release build, loopback, the
wall time of the whole CLI process, after one warm-up build. Target: a median of at most 2 s.

Last run: $(date -u +%Y-%m-%d) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1024/1024}' /proc/meminfo), .NET $(dotnet --version).

$table

Target **$( [ "$u_med" -le 2000 ] && echo met || echo "not met" )**. About 0.45 s of an uncached build are waits the emulator makes on purpose: one
\`pending\` answer to \`GetBuildKitConnection\` (the CLI waits 100 ms, as for Depot's machines), 150 ms for a step with
output (so that the CLI's display numbers the output) and 200 ms of grace before the result returns (so that the
display shows the last steps); other steps take 10 ms. A cached build skips the step waits.
MD
  echo "wrote docs/build-benchmark.md"
fi
