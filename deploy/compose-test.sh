#!/usr/bin/env bash
# `make compose-test`: prove docker-compose.yaml on this machine, without Docker: podman (Debian) + podman-compose
# (PyPI), the stand-in images built here from Debian packages, then deploy/compose_test.py brings the stack up,
# checks it (one line per check) and tears it down, also on failure or Ctrl-C. Runs as root (podman rootful).
# A second run reuses the base and stand-in images and podman's build cache.
# The README's commands are docker compose's; deploy/podman-compose.sh runs them with podman on such a host.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .uv-tool/bin/uv)}
PODMAN_COMPOSE_VERSION=1.6.0
export CONTAINERS_CONF=$PWD/deploy/containers.conf
export DVCTT_BASE_IMAGE=${DVCTT_BASE_IMAGE:-localhost/dvctt-debian:bookworm}
started=$(date +%s)

deploy/podman-prepare.sh
# podman-compose from PyPI (Debian's 1.0.3 is too old for this compose file); uv keeps it in its own cache.
export PODMAN_COMPOSE="$UV tool run --quiet --from podman-compose==$PODMAN_COMPOSE_VERSION podman-compose"
$PODMAN_COMPOSE --version >/dev/null
echo "compose-test: tools and images ready in $(($(date +%s) - started)) s"
exec .venv/bin/python deploy/compose_test.py
