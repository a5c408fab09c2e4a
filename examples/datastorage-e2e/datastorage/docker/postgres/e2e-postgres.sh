#!/bin/sh
# Creates the cluster on first start (user and database "datastorage", trusted: a throw-away test database),
# then runs PostgreSQL in the foreground with small memory settings. Runs as a non-root user: initdb refuses root.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
db=${POSTGRES_DB:-datastorage}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth=trust --no-sync -E UTF8 --locale=C
  echo "host all all all trust" >> "$PGDATA/pg_hba.conf"
  printf 'CREATE USER %s;\nCREATE DATABASE %s OWNER %s;\n' "$db" "$db" "$db" \
    | postgres --single -D "$PGDATA" -c jit=off postgres >/dev/null
fi
exec postgres -D "$PGDATA" -k /tmp -c listen_addresses='*' -c shared_buffers=16MB -c max_connections=30 \
  -c work_mem=1MB -c maintenance_work_mem=8MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c jit=off -c max_wal_size=64MB
