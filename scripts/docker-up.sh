#!/usr/bin/env bash
# Starts a Docker engine for the tests that need one (the image, depot build --load, depot pull) unless one already
# answers: Debian's docker.io, dockerd with the vfs storage driver (it needs no kernel overlay support). Idempotent and
# safe to call concurrently; never stops or reconfigures a running engine.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
exec 9>/tmp/depot-emulator-dockerd.lock
flock -w 120 9
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null; }
# The daemon must not inherit the lock, or every later caller would wait for it to exit.
setsid nohup dockerd --storage-driver=vfs >/tmp/depot-emulator-dockerd.log 2>&1 9>&- </dev/null &
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done
echo "dockerd did not start; see /tmp/depot-emulator-dockerd.log" >&2
exit 1
