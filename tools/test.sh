#!/usr/bin/env bash
# The whole test suite: bootstrap, ruff, mypy, then pytest on SQLite and pytest on a
# throwaway PostgreSQL cluster side by side (each is one process, mostly on one core).
# Stops at the first failing step; both pytest runs finish, and it fails if either does.
# Extra arguments are passed to both pytest runs, e.g.
#   tools/test.sh -x -k accounts
# pytest's exit code 5 (no tests collected) counts as a failure.
# Each run's output streams with a [sqlite] or [postgresql] prefix; the full logs stay in
# the folder printed at the start (JISHENG_TEST_LOGS chooses it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
    echo "test: error: $*" >&2
    exit 1
}

step_started=$SECONDS
banner() {
    printf '\n===== [%ss] %s =====\n' "$((SECONDS - step_started))" "$*"
}

# A working uv command: the `uv` on PATH, else the one pip installed as a module.
UV=()
find_uv() {
    if uv --version >/dev/null 2>&1; then
        UV=(uv)
    elif python3 -m uv --version >/dev/null 2>&1; then
        UV=(python3 -m uv)
    else
        die "uv not found; run tools/bootstrap.sh"
    fi
}

uv_run() {
    UV_PYTHON_DOWNLOADS=never "${UV[@]}" run --frozen "$@"
}

# run_pytest LABEL [pytest args...]: exit 5 (nothing collected) is a failure too.
run_pytest() {
    local label="$1" rc=0
    shift
    .venv/bin/pytest -p no:cacheprovider "$@" || rc=$?
    if ((rc == 5)); then
        echo "test: pytest collected no tests ($label); counting that as a failure" >&2
    elif ((rc != 0)); then
        echo "test: pytest failed on $label (exit $rc)" >&2
    fi
    return "$rc"
}

# --- throwaway PostgreSQL cluster -------------------------------------------
# PostgreSQL refuses to run as root, so the cluster lives in a mktemp folder
# owned by the `postgres` user, which also holds the Unix socket and the logs.
PG_DIR=""
PG_DATA=""
PG_BIN=""
PG_PORT=""
PG_URL=""

pg_find_bin() {
    local dir
    local -a dirs=()
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && dirs+=("$dir")
    done
    ((${#dirs[@]})) || return 1
    printf '%s\n' "${dirs[@]}" | sort -V | tail -n 1
}

as_postgres() {
    (cd "$PG_DIR" && runuser -u postgres -- "$@")
}

pg_start() {
    PG_BIN="$(pg_find_bin)" ||
        die "no PostgreSQL server under /usr/lib/postgresql/*/bin (run tools/bootstrap.sh --test)"
    PG_DIR="$(mktemp -d /tmp/jisheng-pg.XXXXXX)"
    chown postgres:postgres "$PG_DIR"
    PG_DATA="$PG_DIR/data"
    PG_PORT="$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
    echo "test: PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') in $PG_DIR on 127.0.0.1:$PG_PORT"

    if ! as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres \
        >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        die "initdb failed"
    fi
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        tail -n 50 "$PG_DIR/server.log" >&2 || true
        die "PostgreSQL did not start"
    fi
    as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE ROLE jisheng WITH LOGIN CREATEDB PASSWORD 'jisheng'" \
        -c "CREATE DATABASE jisheng OWNER jisheng" ||
        die "could not create role and database jisheng"
    PG_URL="postgres://jisheng:jisheng@127.0.0.1:$PG_PORT/jisheng"
}

pg_stop() {
    [[ -n "$PG_DIR" && -d "$PG_DIR" ]] || return 0
    if [[ -n "$PG_BIN" && -f "$PG_DATA/postmaster.pid" ]]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
            echo "test: warning: could not stop PostgreSQL in $PG_DIR" >&2
    fi
    rm -rf -- "$PG_DIR"
    PG_DIR=""
}

# --- the two pytest runs, side by side ---------------------------------------
# Job control gives each background run its own process group, so an interrupt reaches
# this script alone and on_exit stops every process of both runs before the cluster.
RUN_PIDS=()
RUN_DIR=""

# run_started LABEL DATABASE_URL [pytest args...]: one pytest run in the background (an
# empty DATABASE_URL means SQLite), its output both in RUN_DIR/LABEL.log and on stdout
# (each line prefixed [LABEL]), its exit code and wall time in RUN_DIR/LABEL.rc and
# LABEL.seconds. Each run gets its own instance folder (JISHENG_HOME: uploads, keys,
# static files; jisheng.testing.env makes one) and its own pytest temporary folder.
run_started() {
    local label="$1" database_url="$2"
    shift 2
    (
        set -o pipefail
        started=$SECONDS
        rc=0
        unset JISHENG_HOME DATABASE_URL
        [[ -z "$database_url" ]] || export DATABASE_URL="$database_url"
        run_pytest "$label" --basetemp="$RUN_DIR/$label.tmp" "$@" 2>&1 |
            tee "$RUN_DIR/$label.log" | sed -u "s/^/[$label] /" || rc=$?
        echo "$((SECONDS - started))" >"$RUN_DIR/$label.seconds"
        echo "$rc" >"$RUN_DIR/$label.rc"
        exit "$rc"
    ) &
    RUN_PIDS+=("$!")
}

runs_stop() {
    local pid
    for pid in "${RUN_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${RUN_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    RUN_PIDS=()
    if [[ -n "$RUN_DIR" ]]; then
        rm -rf -- "$RUN_DIR/sqlite.tmp" "$RUN_DIR/postgresql.tmp"
    fi
}

pytest_both() {
    local label failed=0
    RUN_DIR="${JISHENG_TEST_LOGS:-$(mktemp -d /tmp/jisheng-test.XXXXXX)}"
    mkdir -p "$RUN_DIR"
    echo "test: full logs in $RUN_DIR/sqlite.log and $RUN_DIR/postgresql.log"
    set -m
    run_started sqlite "" "$@"
    run_started postgresql "$PG_URL" "$@"
    wait "${RUN_PIDS[@]}" || true
    RUN_PIDS=() # both have ended: runs_stop only removes their temp folders
    runs_stop
    set +m

    echo
    for label in sqlite postgresql; do
        local rc seconds
        rc="$(cat "$RUN_DIR/$label.rc" 2>/dev/null || echo "?")"
        seconds="$(cat "$RUN_DIR/$label.seconds" 2>/dev/null || echo "?")"
        printf 'test: pytest on %-10s exit %s after %ss: %s\n' "$label" "$rc" "$seconds" \
            "$(grep -E ' in [0-9.]+s' "$RUN_DIR/$label.log" 2>/dev/null | tail -n 1)"
        [[ "$rc" == 0 ]] || failed=1
    done
    ((failed == 0)) || die "pytest failed (full logs: $RUN_DIR)"
}

on_exit() {
    local rc=$?
    trap - EXIT
    runs_stop
    pg_stop
    exit "$rc"
}

main() {
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    banner "bootstrap (tools/bootstrap.sh --test)"
    tools/bootstrap.sh --test
    find_uv

    banner "ruff check"
    uv_run ruff check src tests bench tools

    banner "mypy src"
    uv_run mypy src

    banner "start throwaway PostgreSQL"
    pg_start

    banner "pytest on SQLite and on PostgreSQL, side by side"
    pytest_both "$@"

    banner "all steps passed"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
