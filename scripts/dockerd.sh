#!/usr/bin/env bash
# Makes sure a Docker daemon answers, for the tests of depot build --load and depot pull: installs Debian's docker.io
# when docker is missing and starts dockerd (vfs storage, which works inside containers) unless one already answers.
# Idempotent and safe to call concurrently; it never stops or reconfigures a running daemon.
set -euo pipefail
exec 9>/tmp/depot-emulator-dockerd.lock
flock 9
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null; }
nohup dockerd --storage-driver=vfs >/tmp/dockerd.log 2>&1 &
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done
echo "dockerd did not start; see /tmp/dockerd.log" >&2
exit 1
