#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the server's PostgreSQL tests and benchmarks:
# initdb + pg_ctl as the postgres user, in a temporary directory, on a free TCP port of 127.0.0.1.
#   bash .ci/setup-postgres.sh          # start; prints and writes the URL
#   bash .ci/setup-postgres.sh stop     # stop it and remove the directory
# The URL (postgres://postgres@127.0.0.1:PORT/flowgate_test) is written to $DIR/url; tests read
# FLOWGATE_TEST_POSTGRES_URL or, when unset, that file. Installs Debian's postgresql if missing.
set -euo pipefail
DIR="${FLOWGATE_PG_DIR:-/tmp/flowgate-test-postgres}"

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$DIR/data/postmaster.pid" ]; then
    BIN="$(cat "$DIR/bin")"
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$DIR"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

if [ -f "$DIR/data/postmaster.pid" ] && [ -f "$DIR/url" ]; then
  cat "$DIR/url"
  exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR"
chown postgres "$DIR"
echo "$BIN" >"$DIR/bin"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
runuser -u postgres -- "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=200 -c synchronous_commit=off" start >/dev/null
runuser -u postgres -- "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres flowgate_test
URL="postgres://postgres@127.0.0.1:$PORT/flowgate_test"
echo "$URL" >"$DIR/url"
chmod 644 "$DIR/url"
echo "$URL"
