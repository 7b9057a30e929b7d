"""Extraction speed against plain en_core_web_sm, and ingest scaling with --workers.

Not a test: prints ratios measured in one run, each against a baseline measured in the same
run on the same texts. Targets (issue 4): the full pipeline at least 0.8x the words per second
of plain `nlp.pipe`; `--workers 2` faster than `--workers 1` on a large enough corpus.

    .venv/bin/python bench/extract_speed.py [--repeat 4] [--workers 2]
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph_builder.extract.model_loader import load_model  # noqa: E402
from graph_builder.extract.pipeline import build_extractor, extract_many  # noqa: E402
from graph_builder.ingest.readers import iter_transcripts, read_document  # noqa: E402
from graph_builder.ingest.turns import split_turns  # noqa: E402

DEV_DOCS = REPO.parent / "shared" / "corpus" / "dev" / "docs"


def interviews(repeat: int):
    base = [split_turns(read_document(p)) for p in iter_transcripts([REPO / "sample_corpus", DEV_DOCS])
            if p.exists()]
    return [replace(iv, id=f"{iv.id}-r{i}") for i in range(repeat) for iv in base]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=4, help="copies of the corpus to process")
    ap.add_argument("--workers", type=int, default=2, help="processes for the scaling run")
    args = ap.parse_args()

    ivs = interviews(args.repeat)
    texts = [t.text for iv in ivs for t in iv.turns]
    words = sum(len(t.split()) for t in texts)
    plain = load_model()
    ours = build_extractor()
    # Warm both (vocab, lazy loading) so neither pays first-call costs in the timing.
    list(plain.pipe(texts[:50]))
    extract_many(ivs[:2], ours)

    with plain.select_pipes(disable=[p for p in plain.pipe_names if p.startswith("testimony")]):
        t_plain = timed(lambda: list(plain.pipe(texts, batch_size=64)))
    t_ours = timed(lambda: extract_many(ivs, ours))
    wps_plain, wps_ours = words / t_plain, words / t_ours
    print(f"{len(ivs)} interviews, {len(texts)} turns, {words} words")
    print(f"plain en_core_web_sm nlp.pipe : {wps_plain:10.0f} words/s")
    print(f"full testimony pipeline       : {wps_ours:10.0f} words/s")
    print(f"ratio (target >= 0.8)         : {wps_ours / wps_plain:10.2f}x")

    # Extraction is the parallel part of ingest (`--workers N`); writes stay one per interview.
    t1 = timed(lambda: extract_many(ivs, ours, workers=1))
    tn = timed(lambda: extract_many(ivs, ours, workers=args.workers))
    print(f"extract, 1 worker             : {t1:10.2f} s")
    print(f"extract, {args.workers} workers            : {tn:10.2f} s")
    print(f"speed-up (process start included): {t1 / tn:7.2f}x")


if __name__ == "__main__":
    main()
