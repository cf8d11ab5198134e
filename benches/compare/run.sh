#!/usr/bin/env bash
# One command: build the release CLI, install the Python references into a venv, run the
# comparison and print the Markdown table (also written to benches/compare/results.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
VENV=${VENV:-.venv-compare}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet -r benches/compare/requirements.txt
"$VENV/bin/python" benches/compare/compare.py "$@"
