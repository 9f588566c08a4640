#!/usr/bin/env bash
# The benchmarks on SQLite and on a throwaway PostgreSQL, in one command:
#   bench/run.sh [--only registry|benefits|targets] [--persons N] [other options]   (default 1,000,000)
# Other options go to every benchmark run, so options only one benchmark knows need --only.
# Results: bench/results/{registry,benefits,targets}-{sqlite,postgresql}-N.json; method: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

benches=(registry benefits targets)
args=()
while (($#)); do
    case "$1" in
    --only)
        [[ "${2:-}" == registry || "${2:-}" == benefits || "${2:-}" == targets ]] ||
            { echo "bench/run.sh: --only takes registry, benefits or targets" >&2; exit 2; }
        benches=("$2")
        shift 2
        ;;
    --only=*)
        benches=("${1#--only=}")
        [[ "${benches[0]}" == registry || "${benches[0]}" == benefits || "${benches[0]}" == targets ]] ||
            { echo "bench/run.sh: --only takes registry, benefits or targets" >&2; exit 2; }
        shift
        ;;
    *)
        args+=("$1")
        shift
        ;;
    esac
done

tools/bootstrap.sh --test
# shellcheck source=tools/test.sh
source tools/test.sh
trap on_exit EXIT
for bench in "${benches[@]}"; do
    .venv/bin/python "bench/${bench}_bench.py" "${args[@]}"
done
pg_start
for bench in "${benches[@]}"; do
    # Each benchmark needs an empty database: a fresh one per benchmark in the same cluster.
    as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" \
        -U postgres -d postgres -c "CREATE DATABASE bench_${bench} OWNER jisheng"
    .venv/bin/python "bench/${bench}_bench.py" --database-url "${PG_URL%/*}/bench_${bench}" \
        "${args[@]}"
done
