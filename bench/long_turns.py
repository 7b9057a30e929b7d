"""Extraction time against turn length: a long unpunctuated turn must cost what its length
costs, not more (issue 10). Turns longer than `WINDOW_CHARS` are read in windows.

Not a test. Times the extractor on FICTIONAL turns of 10k, 50k, 100k and 200k characters (a
run-on with no sentence end, the worst case for the rules) and prints seconds per 10,000
characters against the 10k baseline measured in the same run; a ratio near 1.0 is linear.

    .venv/bin/python bench/long_turns.py [--sizes 10000 50000 100000 200000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph_builder.extract.pipeline import build_extractor, extract_interview  # noqa: E402
from graph_builder.model import Interview, Interviewee, Turn  # noqa: E402

RUN_ON = ("and then we went with Abu Hamza from Tabqa to the camp near Raqqa where the emir "
          "of the hisbah spoke to the fighters of the Islamic State ")


def interview(chars: int) -> Interview:
    text = (RUN_ON * (chars // len(RUN_ON) + 1))[:chars]
    turn = Turn(index=0, speaker="Abu Salim", speaker_role="interviewee", start=0,
                end=len(text), text=text)
    return Interview(id=f"long-{chars}", title="long turn (FICTIONAL)", source_path="-",
                     content_hash=str(chars), text=text,
                     interviewee=Interviewee(pseudonym="Abu Salim"), turns=(turn,))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000, 200_000])
    args = ap.parse_args()
    nlp = build_extractor()
    extract_interview(interview(2_000), nlp)  # warm up
    base = None
    print(f"{'characters':>11}  {'seconds':>8}  {'s / 10k chars':>13}  ratio to the first")
    for size in args.sizes:
        started = time.process_time()
        extract_interview(interview(size), nlp)
        spent = time.process_time() - started
        per = spent / size * 10_000
        base = base or per
        print(f"{size:>11,}  {spent:>8.2f}  {per:>13.3f}  {per / base:.2f}x")


if __name__ == "__main__":
    main()
