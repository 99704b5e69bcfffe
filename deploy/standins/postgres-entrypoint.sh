#!/bin/bash
# What the postgres image's entrypoint does for docker-compose.yaml: initialise PGDATA once with POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB, then run the server on every interface with password (scram) logins.
set -euo pipefail
chown postgres:postgres "$PGDATA" /run/postgresql
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  pwfile=$(mktemp) && chown postgres "$pwfile" && printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  runuser -u postgres -- initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [[ $POSTGRES_DB != postgres ]]; then
    runuser -u postgres -- psql -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\"" >/dev/null
  fi
  runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec runuser -u postgres -- postgres -D "$PGDATA" -c listen_addresses='*'
