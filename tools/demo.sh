#!/usr/bin/env bash
# Bootstrap the checkout, then run `jisheng demo` with any arguments given.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/bootstrap.sh
exec .venv/bin/jisheng demo "$@"
