#!/usr/bin/env bash
# The registry benchmark on SQLite and on a throwaway PostgreSQL, in one command:
#   bench/run.sh [--persons N]        (default 1,000,000)
# Results: bench/results/registry-{sqlite,postgresql}-N.json; method: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh --test
# shellcheck source=tools/test.sh
source tools/test.sh
trap on_exit EXIT
.venv/bin/python bench/registry_bench.py "$@"
pg_start
.venv/bin/python bench/registry_bench.py --database-url "$PG_URL" "$@"
