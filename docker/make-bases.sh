#!/usr/bin/env bash
# Makes local stand-ins for the image's two base images where Microsoft's cannot be pulled:
#   depot-emulator-base/runtime-deps:local  a minimal Debian bookworm (debootstrap minbase + TLS roots),
#                                           what a self-contained .NET app needs, like dotnet/runtime-deps
#   depot-emulator-base/sdk:local           the same root filesystem plus this machine's .NET SDK, like dotnet/sdk
# Then: docker build -f docker/Dockerfile --network host \
#         --build-arg SDK_IMAGE=depot-emulator-base/sdk:local \
#         --build-arg RUNTIME_IMAGE=depot-emulator-base/runtime-deps:local -t depot-emulator .
# Needs root, debootstrap, a Debian mirror (MIRROR, default deb.debian.org) and a running dockerd. Images that
# already exist are kept; FORCE=1 makes them again.
set -euo pipefail
MIRROR=${MIRROR:-http://deb.debian.org/debian}
RUNTIME=depot-emulator-base/runtime-deps:local
SDK=depot-emulator-base/sdk:local
DOTNET_ROOT=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}

have() { [ "${FORCE:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }
if have "$RUNTIME" && have "$SDK"; then echo "bases exist: $RUNTIME $SDK"; exit 0; fi
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir "$rootfs"
if have "$RUNTIME"; then
  # Only the SDK is missing: start from the runtime base's file system instead of bootstrapping again.
  container=$(docker create "$RUNTIME")
  docker export "$container" | tar -C "$rootfs" -x
  docker rm "$container" >/dev/null
else
  # libssl3 and ca-certificates: what .NET needs for TLS; minbase already has libc, libgcc and libstdc++.
  debootstrap --variant=minbase --include=libssl3,ca-certificates bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$RUNTIME" >/dev/null
  echo "made $RUNTIME"
fi

# The SDK image: this machine's dotnet under /usr/share/dotnet, as Microsoft's SDK image lays it out.
mkdir -p "$rootfs/usr/share/dotnet"
cp -a "$DOTNET_ROOT"/. "$rootfs/usr/share/dotnet/"
ln -sf /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
# The roots this machine added to its trust store (a proxy's CA, say), so the SDK reaches the package feed the
# machine reaches.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null
fi
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 NUGET_CERT_REVOCATION_MODE=offline' \
  --change 'CMD ["/bin/bash"]' - "$SDK" >/dev/null
echo "made $SDK"
