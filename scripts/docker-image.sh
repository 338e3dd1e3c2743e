#!/usr/bin/env bash
# Builds the emulator's image from docker/Dockerfile as $DEPOT_EMULATOR_IMAGE (default depot-emulator:latest).
# With LOCAL_BASES=1 (the default where Microsoft's images cannot be pulled, as on CI) it first makes local bases with
# docker/make-bases.sh and builds on them; LOCAL_BASES=0 builds on mcr.microsoft.com/dotnet/sdk and runtime-deps.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${DEPOT_EMULATOR_IMAGE:-depot-emulator:latest}
args=(-f docker/Dockerfile -t "$image" --network host)
if [ "${LOCAL_BASES:-1}" = 1 ]; then
  bash docker/make-bases.sh
  args+=(--build-arg SDK_IMAGE=depot-emulator-base/sdk:local --build-arg RUNTIME_IMAGE=depot-emulator-base/runtime-deps:local)
fi

# BuildKit skips a layer per metadata instruction, which matters on vfs (every layer is a full copy). Use it through
# buildx where present, else through Debian's docker 20.10 client, which has it built in; else the classic builder.
if docker buildx version >/dev/null 2>&1; then
  docker build --progress=plain "${args[@]}" .
elif [ -x /usr/bin/docker ] && /usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null | grep -q '^20\.'; then
  DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain "${args[@]}" .
else
  DOCKER_BUILDKIT=0 docker build "${args[@]}" .
fi
docker image inspect --format "built $image: {{.Size}} bytes" "$image"
