#!/usr/bin/env bash
# The scale-out tier: the storage tests (marked `storage`) against PostgreSQL (Debian's
# package) and a Chroma server (`chroma run`) instead of SQLite and embedded Chroma, and two
# API workers sharing them. .ci/run calls it; it also runs on a developer's machine (as root it runs PostgreSQL
# as the `postgres` user). Fails when the tier ran no test.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
PY=.venv/bin/python
PG_PORT="${OTKLIK_PG_PORT:-55432}"
CHROMA_PORT="${OTKLIK_CHROMA_TEST_PORT:-58765}"

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "::: installing PostgreSQL from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

work=$(mktemp -d /tmp/otklik-scaleout.XXXXXX)
chmod 755 "$work"
mkdir "$work/pg"
[[ $EUID -eq 0 ]] && chown postgres "$work/pg"
as_postgres "$PG_BIN/initdb" -D "$work/pg" -A trust -U otklik >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -o "-h 127.0.0.1 -p $PG_PORT -k $work/pg" -l "$work/pg/server.log" -w start >/dev/null
.venv/bin/chroma run --path "$work/chroma" --host 127.0.0.1 --port "$CHROMA_PORT" >"$work/chroma.log" 2>&1 &
chroma=$!
cleanup() {
  kill "$chroma" 2>/dev/null || true
  as_postgres "$PG_BIN/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$PY" .ci/wait_for.py "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" "the Chroma server"
echo "::: PostgreSQL and Chroma server up after $((SECONDS - started)) s"

report="$work/scaleout.xml"
OTKLIK_TEST_POSTGRES_URL="postgresql+psycopg://otklik@127.0.0.1:$PG_PORT/postgres" \
OTKLIK_TEST_CHROMA_HOST=127.0.0.1 OTKLIK_TEST_CHROMA_PORT="$CHROMA_PORT" \
  "$PY" -m pytest tests/api -m "storage and not sqlite_only" -p no:cacheprovider -q --junitxml="$report" "$@"
"$PY" .ci/tier_ran.py "$report" "scale-out tier" tests.api.test_api_scaleout tests.api.test_api_database \
  tests.api.test_api_mentions tests.api.test_api_jobs tests.api.test_api_knowledge
echo "::: scale-out tier took $((SECONDS - started)) s"
