#!/usr/bin/env bash
# Installs the real clients the tests drive (the depot CLI and @depot/sdk-node, pinned in tests/package.json),
# builds everything and runs every test. Ends with a line "N passed, M failed, K skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

npm ci --prefix tests --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet restore Depot.Emulator.sln --verbosity quiet || { echo "dotnet restore failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
dotnet test --solution Depot.Emulator.sln --no-restore "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The in-process host suite once more, every emulator on a data dir of its own (SQLite stores, blobs on disk).
DEPOT_EMULATOR_TEST_STORE=sqlite dotnet test --project tests/Depot.Emulator.Tests --no-restore --no-build \
  --filter-class 'Depot.Emulator.Tests.Host.*' 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# Crash consistency under SIGKILL; counted as one test.
bash scripts/crash-test.sh 2>&1 | tee -a "$log"
if [ "${PIPESTATUS[0]}" -eq 0 ]; then
  printf '  succeeded: 1\n' >>"$log"
else
  printf '  failed: 1\n' >>"$log"
  status=1
fi

# Microsoft.Testing.Platform prints one summary per test assembly; add them up.
read -r passed failed skipped < <(awk '
  /^[[:space:]]*succeeded:/ {p += $2}
  /^[[:space:]]*failed:/    {f += $2}
  /^[[:space:]]*skipped:/   {s += $2}
  END {print p+0, f+0, s+0}' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the runner failed before any test could
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
