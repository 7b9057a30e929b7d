#!/usr/bin/env bash
# The main job on a fresh machine: install, ingest the bundled (fictional) sample corpus into
# the embedded store, and open the app on http://127.0.0.1:8501.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" run
cd "$ROOT"
export TESTIMONY_DB="${TESTIMONY_DB:-$ROOT/testimony.db}"
.venv/bin/testimony ingest sample_corpus
.venv/bin/testimony stats
exec .venv/bin/testimony serve "$@"
