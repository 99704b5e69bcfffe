#!/usr/bin/env bash
# Make this host able to run docker-compose.yaml without Docker: Debian's podman (as root), runc, debootstrap;
# podman-compose from PyPI; a Debian bookworm base image from the host's own apt mirror (deploy/base-image.sh);
# Debian's PostgreSQL and Redis as stand-in images (deploy/standins/, used through deploy/compose.podman.yaml).
# Idempotent: a second run only checks. Used by deploy/podman-compose.sh and deploy/compose-test.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=$here/containers.conf
base=${DVCTT_BASE_IMAGE:-localhost/dvctt-debian:bookworm}

[[ $(id -u) == 0 ]] || { echo "podman-prepare: run as root (rootful podman)" >&2; exit 1; }
need=()
for tool in podman runc debootstrap iptables; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  echo "podman-prepare: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman runc debootstrap iptables netavark aardvark-dns >/dev/null
fi
"$here/base-image.sh" "$base" >/dev/null
for name in postgres redis; do
  tag=$(sed -n "/^  $name:/,/image:/s/^ *image: *//p" "$here/compose.podman.yaml")
  podman image exists "$tag" && [[ ${1:-} != --rebuild ]] && continue
  podman build -q --build-arg DVCTT_BASE_IMAGE="$base" -f "$here/standins/$name.Containerfile" -t "$tag" \
    "$here/standins" >/dev/null
  echo "podman-prepare: stand-in image $tag built"
done
