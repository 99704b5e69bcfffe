#!/usr/bin/env bash
# `make compose-test`: prove docker-compose.yaml on this machine, without Docker: podman (Debian) + podman-compose
# (PyPI), the stand-in images built here from Debian packages, then deploy/compose_test.py brings the stack up,
# checks it (one line per check) and tears it down, also on failure or Ctrl-C. Runs as root (podman rootful).
# A second run reuses the base and stand-in images and podman's build cache.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .uv-tool/bin/uv)}
PODMAN_COMPOSE_VERSION=1.6.0
export CONTAINERS_CONF=$PWD/deploy/containers.conf
export DVCTT_BASE_IMAGE=${DVCTT_BASE_IMAGE:-localhost/dvctt-debian:bookworm}
started=$(date +%s)

[[ $(id -u) == 0 ]] || { echo "compose-test: run as root (rootful podman)" >&2; exit 1; }
need=()
for tool in podman runc debootstrap iptables; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  echo "compose-test: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman runc debootstrap iptables netavark aardvark-dns >/dev/null
fi
# podman-compose from PyPI (Debian's 1.0.3 is too old for this compose file); uv keeps it in its own cache.
export PODMAN_COMPOSE="$UV tool run --quiet --from podman-compose==$PODMAN_COMPOSE_VERSION podman-compose"
$PODMAN_COMPOSE --version >/dev/null

deploy/base-image.sh "$DVCTT_BASE_IMAGE"
for name in postgres redis; do
  tag=$(sed -n "/^  $name:/,/image:/s/^ *image: *//p" deploy/compose.podman.yaml)
  podman build -q --build-arg DVCTT_BASE_IMAGE="$DVCTT_BASE_IMAGE" -f "deploy/standins/$name.Containerfile" \
    -t "$tag" deploy/standins >/dev/null
  echo "stand-in image $tag: built"
done
echo "compose-test: tools and images ready in $(($(date +%s) - started)) s"
exec .venv/bin/python deploy/compose_test.py
