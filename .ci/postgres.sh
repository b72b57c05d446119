#!/usr/bin/env bash
# Install (from Debian's packages) and start a PostgreSQL server on loopback for the tests,
# then print the URL the tests use. Idempotent: safe to run twice.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^${version} main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  if su postgres -c "psql -qAt -c 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
su postgres -c "psql -qAt -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'charter') THEN CREATE ROLE charter LOGIN PASSWORD 'charter'; END IF; END \\\$\\\$;\"" >/dev/null
if ! su postgres -c "psql -qAt -c \"SELECT 1 FROM pg_database WHERE datname = 'charter_test'\"" | grep -q 1; then
  su postgres -c "createdb -O charter charter_test"
fi
echo "postgresql+psycopg://charter:charter@127.0.0.1:5432/charter_test"
