#!/usr/bin/env bash
# The test command: installs what the tests need (Python deps, Debian's chromium for the
# browser test, openssl for the TLS test's certificate, Java/Maven for Neo4j when missing and
# we are root), starts a real Neo4j on
# loopback, runs pytest, and stops Neo4j again if this script started it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[test] installing Debian packages: ${need_apt[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "error: the tests need ${need_apt[*]}; install them (e.g. sudo apt-get install ${need_apt[*]})." >&2
    exit 1
  fi
fi

bash scripts/setup.sh test

export NEO4J_PASSWORD="${NEO4J_PASSWORD:-testimony-dev-password}"
# The test server caps one transaction's memory: what would not scale fails here first.
export NEO4J_TX_MEMORY="${NEO4J_TX_MEMORY:-32m}"
started_neo4j=0
if ! bash scripts/neo4j-server.sh status >/dev/null 2>&1; then
  bash scripts/neo4j-server.sh start
  started_neo4j=1
fi
cleanup() { [ "$started_neo4j" = 1 ] && bash scripts/neo4j-server.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

.venv/bin/python -m pytest "$@"
