#!/usr/bin/env bash
# Run the whole test suite, the one way: used by developers (README) and by CI (.ci/run).
#
#   bash scripts/test.sh            # = install what is missing, start PostgreSQL, python -m pytest -q (slowest listed)
#   bash scripts/test.sh -k seed    # extra arguments go to pytest
#
# Steps, each skipped when already done (so a second run is quick):
#   1. Debian packages postgresql and chromium (/usr/bin/chromium, driven by Playwright; no browser download);
#   2. pip install -r requirements.txt;
#   3. a throw-away PostgreSQL cluster on 127.0.0.1:$PEERSCOPE_TEST_PG_PORT (default 5433), socket in /tmp,
#      with role peerscope/peerscope owning database peerscope_test; exported as PEERSCOPE_TEST_PG_URL.
#      If PEERSCOPE_TEST_PG_URL is already set, that server is used and none is started.
#   4. python -m pytest -q --durations=15
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_PORT="${PEERSCOPE_TEST_PG_PORT:-5433}"
PG_DIR="${PEERSCOPE_TEST_PG_DIR:-${TMPDIR:-/tmp}/peerscope-pg-$PG_PORT}"
PG_ROLE=peerscope
PG_PASS=peerscope
PG_DB=peerscope_test
SOCK_DIR=/tmp

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() { printf '[test.sh] ERROR: %s\n' "$*" >&2; exit 1; }

PYTHON="$(command -v python || command -v python3 || true)"
[ -n "$PYTHON" ] || die "no python or python3 on PATH"

# --- 1. system packages -------------------------------------------------------------------------------------------
pg_bindir() {
    # Newest installed server version, e.g. /usr/lib/postgresql/15/bin.
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; fi
}

if { [ -z "${PEERSCOPE_TEST_PG_URL:-}" ] && [ -z "$(pg_bindir)" ]; } || [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -ne 0 ]; then
        die "postgresql and/or chromium are missing; install them as root: apt-get install -y --no-install-recommends postgresql chromium"
    fi
    log "installing Debian packages postgresql and chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql chromium
fi

# --- 2. Python packages -------------------------------------------------------------------------------------------
# Quiet and offline-fast when everything is already satisfied; root is expected in CI.
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_BREAK_SYSTEM_PACKAGES=1
"$PYTHON" -m pip install -q -r requirements.txt

# Browser tests use Debian's chromium through Playwright's executable_path; never download one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PEERSCOPE_CHROMIUM="${PEERSCOPE_CHROMIUM:-/usr/bin/chromium}"

# --- 3. PostgreSQL on loopback ------------------------------------------------------------------------------------
as_pg() {
    # Run a command as the cluster owner: the postgres system user when we are root, ourselves otherwise.
    if [ "$(id -u)" -eq 0 ]; then
        # From /, so that a project checked out under /root does not trip "could not change directory".
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_url_works() {
    PGPASSWORD="$PG_PASS" PGCONNECT_TIMEOUT=5 "$BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" -d "$PG_DB" \
        -tAc 'select 1' >/dev/null 2>&1
}

pg_superuser_sql() {
    as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres -tAc "$1"
}

pg_init_cluster() {
    log "creating PostgreSQL cluster in $PG_DIR"
    rm -rf "$PG_DIR"
    as_pg mkdir -p "$PG_DIR"
    as_pg chmod 700 "$PG_DIR"
    # Local (socket) connections are trusted for the setup below; TCP needs the password.
    as_pg "$BIN/initdb" -D "$PG_DIR" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
}

pg_start() {
    as_pg "$BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $SOCK_DIR -c listen_addresses=127.0.0.1" start >/dev/null
}

if [ -z "${PEERSCOPE_TEST_PG_URL:-}" ]; then
    BIN="$(pg_bindir)"
    [ -n "$BIN" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"

    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        # A server is already listening (e.g. left by a previous run): reuse it if it is ours.
        log "a PostgreSQL server is already running on 127.0.0.1:$PG_PORT; reusing it"
    else
        if [ ! -f "$PG_DIR/PG_VERSION" ] || [ "$(cat "$PG_DIR/PG_VERSION")" != "$(basename "$(dirname "$BIN")")" ]; then
            pg_init_cluster
        fi
        # A stale postmaster.pid from a killed run is handled by postgres itself; if the start still fails,
        # the cluster is disposable: make a new one and try once more.
        if ! pg_start; then
            log "starting the existing cluster failed (log follows); recreating it"
            tail -n 20 "$PG_DIR/server.log" >&2 || true
            pg_init_cluster
            pg_start || { tail -n 50 "$PG_DIR/server.log" >&2 || true; die "PostgreSQL did not start"; }
        fi
    fi

    if ! pg_url_works; then
        # Role and database (idempotent). Needs superuser access over the socket, which our own cluster gives.
        pg_superuser_sql "select 1" >/dev/null \
            || die "a server on port $PG_PORT is not ours and refuses us; stop it or set PEERSCOPE_TEST_PG_PORT"
        if [ "$(pg_superuser_sql "select 1 from pg_roles where rolname = '$PG_ROLE'")" != "1" ]; then
            pg_superuser_sql "create role $PG_ROLE login password '$PG_PASS'" >/dev/null
        else
            pg_superuser_sql "alter role $PG_ROLE login password '$PG_PASS'" >/dev/null
        fi
        if [ "$(pg_superuser_sql "select 1 from pg_database where datname = '$PG_DB'")" != "1" ]; then
            pg_superuser_sql "create database $PG_DB owner $PG_ROLE encoding 'UTF8' template template0" >/dev/null
        fi
        pg_url_works || die "cannot connect to $PG_DB on 127.0.0.1:$PG_PORT as $PG_ROLE"
    fi
    export PEERSCOPE_TEST_PG_URL="postgresql+psycopg://$PG_ROLE:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB"
    log "PostgreSQL ready: $PEERSCOPE_TEST_PG_URL"
fi

# --- 4. the tests ---------------------------------------------------------------------------------------------------
# The slowest tests are listed at the end: CI is cut at 90 minutes and the suite must stay well under 20.
exec "$PYTHON" -m pytest -q --durations=15 "$@"
