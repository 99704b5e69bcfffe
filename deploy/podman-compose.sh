#!/usr/bin/env bash
# `docker compose` for a host without Docker (run as root): write `deploy/podman-compose.sh` wherever the README
# says `docker compose`. It runs podman-compose (PyPI) on docker-compose.yaml plus deploy/compose.podman.yaml
# (Debian's PostgreSQL and Redis instead of Docker Hub's images) with this folder's .env, and makes up for what
# podman-compose does not do: it ignores `depends_on: condition:`, so `up` waits for PostgreSQL and Redis to be
# healthy, `up airflow-init` runs the init to its end and exits with its exit code, as Docker's does, and `ps`
# runs every health check first (podman schedules them with systemd timers; on a host without systemd it says
# "unable to get systemd connection to add healthchecks", which is harmless, and nothing runs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
export CONTAINERS_CONF=$here/containers.conf
export DVCTT_BASE_IMAGE=${DVCTT_BASE_IMAGE_PODMAN:-localhost/dvctt-debian:bookworm}  # overrides .env's
UV=${UV:-$(command -v uv || echo "$repo/.uv-tool/bin/uv")}
if [[ ! -x $UV ]]; then  # uv (PyPI) runs podman-compose in a cache of its own
  python3 -m venv "$repo/.uv-tool" >&2 && "$repo/.uv-tool/bin/pip" install --quiet uv==0.13.8 >&2
  UV=$repo/.uv-tool/bin/uv
fi
"$here/podman-prepare.sh" >&2  # stdout is the command's alone (e.g. exec -T postgres pg_dump > file)
project=${COMPOSE_PROJECT_NAME:-$(basename "$repo")}
compose() {
  "$UV" tool run --quiet --from podman-compose==1.6.0 podman-compose --project-name "$project" \
    --env-file "$repo/.env" -f "$repo/docker-compose.yaml" -f "$here/compose.podman.yaml" "$@"
}
container() { podman ps -a -q --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1" | head -n1; }
wait_healthy() {
  for service in "$@"; do
    for _ in $(seq 60); do
      id=$(container "$service")
      [[ -n $id ]] && podman healthcheck run "$id" >/dev/null 2>&1 && continue 2
      sleep 2
    done
    echo "podman-compose.sh: $service is not healthy after 2 minutes (see: $0 logs $service)" >&2
    exit 1
  done
}

if [[ ${1:-} == up ]]; then
  shift
  detach=false
  services=()
  for arg in "$@"; do
    case $arg in -d | --detach) detach=true ;; -*) ;; *) services+=("$arg") ;; esac
  done
  compose up -d postgres redis
  wait_healthy postgres redis
  if [[ ${services[*]:-} == airflow-init && $detach == false ]]; then
    since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    compose up -d --no-deps airflow-init
    id=$(container airflow-init)
    podman logs -f --since "$since" "$id" &  # this run's output only, not the earlier runs' of the same container
    logs=$!
    code=$(podman wait "$id")
    kill "$logs" 2>/dev/null || true
    echo "airflow-init exited with code $code"
    exit "$code"
  fi
  exec_args=(up -d)
  ((${#services[@]})) && exec_args+=("${services[@]}")
  compose "${exec_args[@]}"
  exit 0
fi
if [[ ${1:-} == ps ]]; then
  # Without systemd, podman runs no health check by itself: run each service's now, so `ps` shows (healthy).
  for id in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
    podman healthcheck run "$id" >/dev/null 2>&1 || true
  done
fi
compose "$@"
