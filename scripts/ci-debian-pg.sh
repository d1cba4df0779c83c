#!/usr/bin/env bash
# CI: runs the flow tests (openapi dialect + real-process tests) against Debian's packaged PostgreSQL
# instead of the embedded one. As root on a fresh Debian machine: installs `postgresql` when no server
# binaries exist, makes a throwaway cluster in a temp dir owned by the `postgres` user, listens on a free
# loopback port only (no unix socket), creates a password role for the tests, and removes it all on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then echo "ci-debian-pg.sh: run as root (it installs packages and switches to the postgres user)" >&2; exit 1; fi

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! BIN=$(find_bin); then
  echo "== installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  BIN=$(find_bin) || { echo "ci-debian-pg.sh: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin after install" >&2; exit 1; }
fi
echo "== PostgreSQL: $("$BIN/postgres" --version) ($BIN)"

if ! id postgres >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
as_pg() { runuser -u postgres -- "$@"; }

WORK=$(mktemp -d /tmp/tender-debian-pg.XXXXXX)
DATA="$WORK/data"
started=0
cleanup() {
  local rc=$?
  if [ "$started" = 1 ]; then as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true; fi
  if [ "$rc" != 0 ] && [ -f "$WORK/server.log" ]; then echo "== PostgreSQL log (tail)"; tail -n 50 "$WORK/server.log" || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

chown postgres: "$WORK"
chmod 700 "$WORK"
SUPER_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
ROLE_PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$SUPER_PW" > "$WORK/pwfile"
chown postgres: "$WORK/pwfile"; chmod 600 "$WORK/pwfile"

as_pg "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$WORK/pwfile" --auth-host=scram-sha-256 --auth-local=reject \
  --encoding=UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
rm -f "$WORK/pwfile"

PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cat >>"$DATA/postgresql.conf" <<EOF
# tender CI: loopback TCP only, no unix socket
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
max_connections = 200
fsync = off
EOF

as_pg "$BIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 start >/dev/null
started=1

ADMIN_URL="postgres://postgres:${SUPER_PW}@127.0.0.1:${PORT}/postgres"
# The tests run as an ordinary role that may create databases (one per test file), like a hosted setup.
node --input-type=module -e "
import pg from 'pg';
const c = new pg.Client({ connectionString: process.argv[1] });
await c.connect();
await c.query(\"CREATE ROLE tender LOGIN CREATEDB PASSWORD '\" + process.argv[2] + \"'\");
const { rows } = await c.query('SHOW server_version');
console.log('== cluster on 127.0.0.1:' + process.argv[3] + ', server_version ' + rows[0].server_version + ', role tender');
await c.end();
" "$ADMIN_URL" "$ROLE_PW" "$PORT"

npm run build --silent
export TENDER_TEST_PG_URL="postgres://tender:${ROLE_PW}@127.0.0.1:${PORT}/postgres"
node scripts/test.mjs openapi process
