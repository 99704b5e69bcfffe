#!/usr/bin/env bash
# Every dvctt Airflow container starts here (under dumb-init): refuse placeholder or malformed secrets, then run
# `airflow <command>` (e.g. `api-server`, `celery worker`), or the command itself when it is not an Airflow one
# (`bash`, `python`).
set -euo pipefail

refuse() {
  echo "dvctt: $1" >&2
  echo "dvctt: xem README, mục «Production» / see the README's production section (.env)." >&2
  exit 78  # EX_CONFIG: a restart will not fix it
}

# Any variable still holding the .env.example placeholder: the operator has not set a real secret.
while IFS='=' read -r name value; do
  if [[ $value == *change-me* ]]; then
    refuse "biến $name vẫn là giá trị mẫu «change-me»: đặt giá trị thật trong .env / $name is still \"change-me\"."
  fi
done < <(env)

# AIRFLOW_UID is the account that owns the workspace on the host, unknown to the image: give it a name (Airflow
# and Celery look the user up), as the official Airflow image does. /etc/passwd is writable by group 0.
if ! whoami >/dev/null 2>&1 && [[ -w /etc/passwd ]]; then
  echo "airflow-$(id -u):x:$(id -u):0:dvctt Airflow:/opt/airflow:/bin/bash" >>/etc/passwd
fi
export HOME=/opt/airflow

if [[ -n ${AIRFLOW__CORE__FERNET_KEY:-} ]]; then
  python - 2>/dev/null <<'PY' || refuse "AIRFLOW__CORE__FERNET_KEY không phải khóa Fernet / is not a Fernet key (32 bytes, url-safe base64)."
import os
from cryptography.fernet import Fernet

Fernet(os.environ["AIRFLOW__CORE__FERNET_KEY"].encode())
PY
fi

case "${1:-}" in
  bash | sh | python | python3 | /*) exec "$@" ;;
  *) exec airflow "$@" ;;
esac
