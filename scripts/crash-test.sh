#!/usr/bin/env bash
# Crash consistency of a --data-dir emulator: concurrent writes (skopeo pushes, depot build --save, projects, tokens
# and trust policies through @depot/sdk-node), SIGKILL at a random moment, restart on the same data dir, and check
# that every write whose response arrived is there and intact. Rounds: CRASH_ROUNDS (20). Ends with one line
# "crash: R rounds, A writes acknowledged, L lost"; exits non-zero when anything was lost.
# --record writes the figures into docs/durability.md.
set -uo pipefail
cd "$(dirname "$0")/.."

rounds=${CRASH_ROUNDS:-20}
dll=emulator/Depot.Emulator/bin/Debug/net10.0/Depot.Emulator.dll
[ -f "$dll" ] || dotnet build emulator/Depot.Emulator -v q >/dev/null || { echo "crash: build failed"; exit 1; }
work=$(mktemp -d)
emulator='' writer=''
trap '[ -n "$emulator" ] && kill -9 "$emulator" 2>/dev/null; [ -n "$writer" ] && kill -- -"$writer" 2>/dev/null; rm -rf "$work"' EXIT
port=$(( 20000 + RANDOM % 20000 ))
url="http://127.0.0.1:$port"
export DEPOT_API_URL=$url DEPOT_CLI=$PWD/tests/node_modules/@depot/cli-linux-x64/bin/depot NODE_PATH=$PWD/tests/node_modules
writes=tests/clients/crash-writes.mjs

start() {
  dotnet "$dll" --port "$port" --host 127.0.0.1 --data-dir "$work/data" --log-level warning >>"$work/emulator.log" 2>&1 &
  emulator=$!
  for _ in $(seq 1 300); do
    curl -fsS "$url/_emulator/health" >/dev/null 2>&1 && return 0
    kill -0 "$emulator" 2>/dev/null || break
    sleep 0.1
  done
  echo "crash: the emulator did not start"; tail -20 "$work/emulator.log"; exit 1
}

began=$SECONDS
start
setsid node "$writes" write "$work/acks.jsonl" "$work/writes" "$work/checks.jsonl" >>"$work/writer.log" 2>&1 &
writer=$!
for round in $(seq 1 "$rounds"); do
  [ "$round" -gt 1 ] && start
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 1.5 + (r % 200) / 100 }')"
  kill -9 "$emulator"; wait "$emulator" 2>/dev/null
done
sleep 0.5  # the writers see the connections drop; nothing unanswered was acknowledged
kill -- -"$writer" 2>/dev/null; wait "$writer" 2>/dev/null; writer=''

start
summary=$(node "$writes" verify "$work/acks.jsonl")
final=$?
checked=$(grep -c '"lost":0' "$work/checks.jsonl" 2>/dev/null || true)
failed_checks=$(grep -v '"lost":0' "$work/checks.jsonl" 2>/dev/null | grep -c '"lost"' || true)
acknowledged=$(node -e 'console.log(JSON.parse(process.argv[1]).acknowledged)' "$summary")
lost=$(node -e 'console.log(JSON.parse(process.argv[1]).lost)' "$summary")
kinds=$(node -e 'const c={};for(const l of require("fs").readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean)){const k=JSON.parse(l).kind;if(k==="policy-removing")continue;c[k]=(c[k]||0)+1};console.log(Object.entries(c).map(([k,v])=>`${k} ${v}`).join(", "))' "$work/acks.jsonl")
elapsed=$(( SECONDS - began ))
echo "crash: $rounds SIGKILL rounds, $acknowledged writes acknowledged ($kinds), $lost lost; $checked restarts checked in between, $failed_checks with losses; ${elapsed}s"
[ "$final" -eq 0 ] && [ "$failed_checks" -eq 0 ] || { echo "$summary"; grep -v '"lost":0' "$work/checks.jsonl" | head -5; }

if [ "${1:-}" = "--record" ]; then
  sed -i '/<!-- crash:begin -->/,/<!-- crash:end -->/c\<!-- crash:begin -->\n| SIGKILL rounds | Writes acknowledged | By kind | Lost | Restarts checked | Time |\n|---|---|---|---|---|---|\n| '"$rounds"' | '"$acknowledged"' | '"$kinds"' | '"$lost"' | '"$checked"' | '"$elapsed"' s |\n<!-- crash:end -->' docs/durability.md
fi
[ "$final" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$failed_checks" -eq 0 ]
