"""Score extraction findings against a gold-annotated corpus (the dev corpus layout).

The scorer is deliberately independent of the extractor: it reads JSON-lines findings (the
`extract` output format, one object per finding with "kind" in mention/link/theme and "file") and a
gold folder, nothing else, so it measures any extractor, including a plain spaCy baseline.
The rules are those of the corpus README, "Scoring":

- Mentions: per document, the set of distinct (normalised text, type) pairs; normalisation is NFKC,
  curly quotes and dashes folded, white space collapsed, case-folded, a leading "the"/"a"/"an" and a
  trailing "'s" dropped, surrounding punctuation stripped. A predicted mention that starts inside the
  header block (the leading `# ...` lines) is ignored. P/R/F1 are micro-averaged over documents, per
  type and overall ("typed"), and once ignoring type ("untyped").
- Clustering: over the gold mentions that were found, a pair is "same" in gold when the gold
  canonical names match and "same" in the prediction when the predicted canonicals match; pairwise
  precision, recall, F1 over all pairs across documents.
- Themes: per document, the set of predicted theme codes against the gold themes; micro F1.
- Facts: a fact is recovered when, in each of its documents, each of its canonical entities that is
  annotated there is found, and those findings resolve to one predicted entity across the documents.

`run_evaluation` is the harness that runs our extractor and the baseline over the docs and scores
both; it imports the extractor lazily so the scoring functions above stay extractor-free.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import re
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENTITY_TYPES: tuple[str, ...] = ("PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT")

# The theme codes of the corpus annotation scheme (README "Conventions"). Codes outside this list
# (our codebook also has `media` and `statements`) were never annotated, so a prediction of one of
# them can be neither right nor wrong; they are left out of the theme score and counted apart.
SCHEME_THEMES: frozenset[str] = frozenset(
    {
        "life_inside",
        "recruitment",
        "motivations",
        "training",
        "women",
        "foreign_fighters",
        "slavery",
        "financing",
        "brutality",
        "defection",
        "mental_health",
    }
)

_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
    }
)
_WS = re.compile(r"\s+")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("P", "S")


def _strip_punct(text: str) -> str:
    start, end = 0, len(text)
    while start < end and (_is_punct(text[start]) or text[start].isspace()):
        start += 1
    while end > start and (_is_punct(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    return text[start:end]


def normalise_for_scoring(text: str) -> str:
    """The README's mention normalisation (not the extractor's transliteration-aware one)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _WS.sub(" ", text).strip().casefold()
    previous = None
    while previous != text:  # article, possessive and punctuation can uncover each other
        previous = text
        text = _strip_punct(text)
        text = re.sub(r"^(?:the|a|an)\s+", "", text)
        text = re.sub(r"'s$", "", text)
    return text


def header_end(text: str) -> int:
    """Offset just past the leading `# ...` header lines (0 when there is no header)."""
    pos = 0
    while pos < len(text) and text.startswith("#", pos):
        newline = text.find("\n", pos)
        if newline == -1:
            return len(text)
        pos = newline + 1
    return pos


# --- reading -------------------------------------------------------------------------------


@dataclass
class GoldDoc:
    doc_id: str
    # (normalised text, type) -> gold canonical (first annotation wins on a normalisation clash)
    mentions: dict[tuple[str, str], str]
    themes: frozenset[str]


@dataclass
class PredDoc:
    # (normalised text, type) -> predicted canonicals, one per finding (a Counter picks the usual one)
    mentions: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    themes: set[str] = field(default_factory=set)
    ignored_in_header: int = 0
    out_of_scheme_themes: int = 0


def load_gold(gold_dir: str | Path) -> dict[str, GoldDoc]:
    docs: dict[str, GoldDoc] = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        doc_id = data.get("doc") or path.stem
        mentions: dict[tuple[str, str], str] = {}
        for ent in data.get("entities", []):
            pair = (normalise_for_scoring(ent["text"]), ent["type"])
            mentions.setdefault(pair, ent.get("canonical") or ent["text"])
        docs[doc_id] = GoldDoc(doc_id, mentions, frozenset(data.get("themes", [])))
    return docs


def read_findings(source: str | Path | Iterable[str] | Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Findings from a JSON-lines file path, an iterable of lines, or of already-parsed dicts."""
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8") as fh:
            yield from read_findings(list(fh))
        return
    for item in source:
        if isinstance(item, dict):
            yield item
            continue
        line = item.strip()
        if line:
            yield json.loads(line)


def _doc_id(finding: dict[str, Any]) -> str:
    return Path(str(finding.get("file", ""))).stem


class _HeaderIndex:
    """Header extents of the scored files, read once per file."""

    def __init__(self, docs_dir: str | Path | None) -> None:
        self.docs_dir = Path(docs_dir) if docs_dir else None
        self._cache: dict[str, int] = {}

    def end(self, finding: dict[str, Any]) -> int:
        doc_id = _doc_id(finding)
        if doc_id not in self._cache:
            candidates = []
            if self.docs_dir is not None:
                candidates.append(self.docs_dir / f"{doc_id}.txt")
            candidates.append(Path(str(finding.get("file", ""))))
            text = None
            for cand in candidates:
                if cand.is_file():
                    text = cand.read_text(encoding="utf-8")
                    break
            self._cache[doc_id] = header_end(text) if text is not None else 0
        return self._cache[doc_id]


def collect_predictions(findings: Iterable[dict[str, Any]], docs_dir: str | Path | None = None) -> dict[str, PredDoc]:
    headers = _HeaderIndex(docs_dir)
    preds: dict[str, PredDoc] = defaultdict(PredDoc)
    for f in findings:
        kind = f.get("kind")
        if kind not in ("mention", "theme"):
            continue
        doc = preds[_doc_id(f)]
        start = f.get("start")
        if isinstance(start, int) and start < headers.end(f):
            doc.ignored_in_header += 1
            continue
        if kind == "mention":
            pair = (normalise_for_scoring(str(f.get("text", ""))), str(f.get("type", "")))
            if not pair[0]:
                continue
            doc.mentions[pair][str(f.get("canonical") or f.get("text", ""))] += 1
        else:
            theme = str(f.get("theme", ""))
            if theme in SCHEME_THEMES:
                doc.themes.add(theme)
            else:
                doc.out_of_scheme_themes += 1
    return preds


# --- scoring -------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score_predictions(preds: dict[str, PredDoc], gold: dict[str, GoldDoc], corroboration: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    counts: dict[str, list[int]] = {t: [0, 0, 0] for t in ENTITY_TYPES}
    untyped = [0, 0, 0]
    theme_counts = [0, 0, 0]
    # found gold mentions: (doc, gold canonical, predicted canonical)
    found: list[tuple[str, str, str]] = []
    ignored_header = sum(p.ignored_in_header for d, p in preds.items() if d in gold)
    out_of_scheme = sum(p.out_of_scheme_themes for d, p in preds.items() if d in gold)
    for doc_id, g in gold.items():
        p = preds.get(doc_id, PredDoc())
        gold_pairs = set(g.mentions)
        pred_pairs = {pair for pair in p.mentions if pair[1] in counts}
        for etype in ENTITY_TYPES:
            gp = {x for x in gold_pairs if x[1] == etype}
            pp = {x for x in pred_pairs if x[1] == etype}
            counts[etype][0] += len(gp & pp)
            counts[etype][1] += len(pp - gp)
            counts[etype][2] += len(gp - pp)
        gold_texts = {t for t, _ in gold_pairs}
        pred_texts = {t for t, _ in pred_pairs}
        untyped[0] += len(gold_texts & pred_texts)
        untyped[1] += len(pred_texts - gold_texts)
        untyped[2] += len(gold_texts - pred_texts)
        theme_counts[0] += len(g.themes & p.themes)
        theme_counts[1] += len(p.themes - g.themes)
        theme_counts[2] += len(g.themes - p.themes)
        for pair, canonical in g.mentions.items():
            if pair in p.mentions:
                predicted = p.mentions[pair].most_common(1)[0][0]
                found.append((doc_id, canonical, predicted))

    mentions: dict[str, Any] = {t: prf(*counts[t]) for t in ENTITY_TYPES}
    mentions["typed"] = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    mentions["untyped"] = prf(*untyped)

    gold_same = sum(_pairs(n) for n in Counter(g for _, g, _ in found).values())
    pred_same = sum(_pairs(n) for n in Counter(p for _, _, p in found).values())
    both_same = sum(_pairs(n) for n in Counter((g, p) for _, g, p in found).values())
    cp = both_same / pred_same if pred_same else 0.0
    cr = both_same / gold_same if gold_same else 0.0
    clusters = {
        "mentions_found": len(found),
        "pairs_same_gold": gold_same,
        "pairs_same_pred": pred_same,
        "pairs_same_both": both_same,
        "precision": cp,
        "recall": cr,
        "f1": 2 * cp * cr / (cp + cr) if cp + cr else 0.0,
    }
    report: dict[str, Any] = {
        "docs": len(gold),
        "mentions": mentions,
        "clusters": clusters,
        "themes": prf(*theme_counts),
        "ignored_in_header": ignored_header,
        "out_of_scheme_themes": out_of_scheme,
    }
    if corroboration is not None:
        report["facts"] = score_facts(corroboration, gold, found)
    return report


def score_facts(corroboration: list[dict[str, Any]], gold: dict[str, GoldDoc], found: list[tuple[str, str, str]]) -> dict[str, Any]:
    by_doc_canonical: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc_id, canonical, predicted in found:
        by_doc_canonical[(doc_id, canonical)].add(predicted)
    recovered = 0
    for fact in corroboration:
        ok = True
        for canonical in fact["canonical_entities"]:
            predicted: set[str] = set()
            for doc_id in fact["docs"]:
                g = gold.get(doc_id)
                if g is None or canonical not in g.mentions.values():
                    continue  # not annotated in this doc: nothing to find there
                if (doc_id, canonical) not in by_doc_canonical:
                    ok = False
                    break
                predicted |= by_doc_canonical[(doc_id, canonical)]
            if not ok or len(predicted) > 1:
                ok = False
                break
        recovered += ok
    total = len(corroboration)
    return {"recovered": recovered, "total": total, "recall": recovered / total if total else 0.0}


def score(
    findings: str | Path | Iterable[str] | Iterable[dict[str, Any]],
    gold_dir: str | Path,
    docs_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Score JSON-lines findings (a path, lines or dicts) against `gold_dir`.

    `docs_dir` is where the scored files live (to find each header's extent); without it the
    findings' own "file" paths are read.
    """
    gold = load_gold(gold_dir)
    corro_path = Path(gold_dir).parent / "corroboration.json"
    corroboration = json.loads(corro_path.read_text(encoding="utf-8")) if corro_path.is_file() else None
    found = list(read_findings(findings))
    preds = collect_predictions(found, docs_dir)
    report = score_predictions(preds, gold, corroboration)
    links = score_links(found, Path(gold_dir).parent)
    if links is not None:
        report["links"] = links
    return report


_TYPE_LINE = re.compile(r"^(\w+(?: types)?)\s+P=([\d.]+) R=([\d.]+) F1=([\d.]+)\s+\(tp=(\d+) pred=(\d+) gold=(\d+)\)")
_OTHER = re.compile(r"(\w+)=(\d+)(?: \(tp=(\d+)\))?")


def score_links(findings: list[dict[str, Any]], corpus_dir: Path) -> dict[str, Any] | None:
    """Typed links scored by the corpus's own scorer (`score_links.py` beside `links/`), or
    None when the corpus has no link gold. Returns the five system types' P/R/F1, the recall
    over every gold type, and each type's counts."""
    scorer = corpus_dir / "score_links.py"
    if not scorer.is_file() or not (corpus_dir / "links").is_dir():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as fh:
        for finding in findings:
            fh.write(json.dumps(finding, ensure_ascii=False) + "\n")
        path = fh.name
    try:
        out = subprocess.run([sys.executable, str(scorer), str(corpus_dir), path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    types: dict[str, dict[str, Any]] = {}
    report: dict[str, Any] = {"types": types}
    for line in out.splitlines():
        m = _TYPE_LINE.match(line)
        if m:
            row = {"precision": float(m[2]), "recall": float(m[3]), "f1": float(m[4]),
                   "tp": int(m[5]), "pred": int(m[6]), "gold": int(m[7])}
            if m[1] == "five types":
                report["five_types"] = row
            else:
                types[m[1]] = row
        elif line.startswith("all types"):
            report["all_types_recall"] = float(re.search(r"R=([\d.]+)", line)[1])
        elif line.startswith("gold links of the other types:"):
            for name, gold, tp in _OTHER.findall(line.split(":", 1)[1]):
                types[name] = {"recall": int(tp or 0) / int(gold) if int(gold) else None,
                               "tp": int(tp or 0), "gold": int(gold)}
    return report


# --- harness -------------------------------------------------------------------------------


GOLD_DIR = Path(__file__).resolve().parent / "gold"
EPISTEMIC_SETS = {"tuned on": "epistemic_status.tsv", "held out": "epistemic_status_held_out.tsv"}


def score_epistemic(path: Path) -> dict[str, Any]:
    """Accuracy of graph_builder.stance.epistemic_status on a gold file (status<TAB>sentence),
    with each status's precision and recall, and the sentences it got wrong."""
    from graph_builder.stance import STANCES, epistemic_status

    rows = [line.rstrip("\n").split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    got = [(gold, epistemic_status(sentence)[0], sentence) for gold, sentence in rows]
    per: dict[str, Any] = {}
    for status in STANCES:
        tp = sum(1 for g, p, _ in got if g == p == status)
        predicted = sum(1 for _, p, _ in got if p == status)
        actual = sum(1 for g, _, _ in got if g == status)
        per[status] = {"precision": tp / predicted if predicted else 0.0,
                       "recall": tp / actual if actual else 0.0, "gold": actual}
    right = sum(1 for g, p, _ in got if g == p)
    return {"sentences": len(got), "accuracy": right / len(got) if got else 0.0, "statuses": per,
            "errors": [{"gold": g, "predicted": p, "sentence": s} for g, p, s in got if g != p]}


def epistemic_report() -> dict[str, Any]:
    return {name: score_epistemic(GOLD_DIR / file) for name, file in EPISTEMIC_SETS.items()}


def score_claims(store: Any, facts_path: str | Path, *, top: int = 10) -> dict[str, Any]:
    """For each corroborated fact (corroboration.json: its sentence and the documents that
    attest it), whether `testimony corroborate --claim FACT` finds those documents among its
    `top` sources: recall per fact, averaged."""
    from queries.claims import corroborate_claim

    facts = json.loads(Path(facts_path).read_text(encoding="utf-8"))
    rows = []
    for fact in facts:
        found = corroborate_claim(store, fact["fact"], limit=top)
        got: set[str] = set()
        for src in found.sources:
            got |= {Path(p).stem for p in src.source_paths} | set(src.interviews)
        wanted = set(fact["docs"])
        rows.append({"fact": fact["fact"], "docs": sorted(wanted), "found": sorted(wanted & got),
                     "recall": len(wanted & got) / len(wanted) if wanted else 1.0})
    mean = sum(r["recall"] for r in rows) / len(rows) if rows else 0.0
    return {"facts": len(rows), "top": top, "recall": mean, "per_fact": rows}


def claims_report(docs_dir: str | Path, facts_path: str | Path, nlp: Any) -> dict[str, Any]:
    """The dev documents ingested into a scratch store, and score_claims over them."""
    from graph_builder.load import ingest
    from graph_builder.store.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "claims.db")
        try:
            ingest(sorted(Path(docs_dir).glob("*.txt")), store, nlp)
            return score_claims(store, facts_path)
        finally:
            store.close()


def run_evaluation(gold_dir: str | Path, docs_dir: str | Path, nlp: Any = None) -> dict[str, Any]:
    """Run our extractor and the plain-model baseline over `docs_dir` and score both.

    Both write JSON lines to a temporary file that the scorer reads back, exactly as it would
    read the CLI's `extract` output.
    """
    from graph_builder.extract.findings import baseline_findings, extract_findings
    from graph_builder.extract.model_loader import load_model

    paths = sorted(Path(docs_dir).glob("*.txt"))
    report: dict[str, Any] = {"gold_dir": str(gold_dir), "docs_dir": str(docs_dir), "files": len(paths)}
    with tempfile.TemporaryDirectory() as tmp:
        for label, produce in (("ours", extract_findings), ("baseline", baseline_findings)):
            model = nlp if nlp is not None else load_model()
            out = Path(tmp) / f"{label}.jsonl"
            started = time.perf_counter()
            with open(out, "w", encoding="utf-8") as fh:
                for finding in produce(paths, model):
                    fh.write(json.dumps(finding, ensure_ascii=False) + "\n")
            elapsed = time.perf_counter() - started
            report[label] = score(out, gold_dir, docs_dir)
            report[label]["seconds"] = elapsed
    report["epistemic"] = epistemic_report()
    facts = Path(docs_dir).parent / "corroboration.json"
    if facts.exists():
        report["claims"] = claims_report(docs_dir, facts, nlp if nlp is not None else load_model())
    return report


def _cell(scores: dict[str, Any]) -> str:
    return f"{scores['precision']:6.3f} {scores['recall']:6.3f} {scores['f1']:6.3f}"


def format_report(report: dict[str, Any]) -> str:
    """A side-by-side table of ours and the baseline (or a single column for a bare score)."""
    columns = [c for c in ("ours", "baseline") if c in report]
    if not columns:  # a bare `score` result
        report = {"ours": report}
        columns = ["ours"]
    width = 22
    lines = [
        f"{'':<10}" + "".join(f" | {c:^{width - 2}}" for c in columns) + " | gold",
        f"{'':<10}" + "".join(f" | {'P      R      F1':^{width - 2}}" for c in columns) + " |",
    ]
    rule = "-" * len(lines[0])
    lines.append(rule)
    for row in (*ENTITY_TYPES, "typed", "untyped"):
        gold = report[columns[0]]["mentions"][row]
        lines.append(
            f"{row:<10}" + "".join(f" | {_cell(report[c]['mentions'][row]):<{width - 2}}" for c in columns)
            + f" | {gold['tp'] + gold['fn']}"
        )
    lines.append(rule)
    for row in ("clusters", "themes"):
        lines.append(f"{row:<10}" + "".join(f" | {_cell(report[c][row]):<{width - 2}}" for c in columns) + " |")
    if all("facts" in report[c] for c in columns):
        cells = [f"{report[c]['facts']['recovered']}/{report[c]['facts']['total']} recovered" for c in columns]
        lines.append(f"{'facts':<10}" + "".join(f" | {cell:<{width - 2}}" for cell in cells) + " |")
    if all("links" in report[c] for c in columns):
        cells = [f"F1 {report[c]['links']['five_types']['f1']:.3f}, all R {report[c]['links']['all_types_recall']:.3f}"
                 for c in columns]
        lines.append(f"{'links':<10}" + "".join(f" | {cell:<{width - 2}}" for cell in cells) + " |")
        ours = report[columns[0]]["links"]["types"]
        lines.append("links by type (ours, recall): " + ", ".join(
            f"{name} {row['recall']:.2f}" for name, row in ours.items() if row.get("recall") is not None))
    if all("seconds" in report[c] for c in columns):
        cells = [f"{report[c]['seconds']:.2f} s" for c in columns]
        lines.append(f"{'time':<10}" + "".join(f" | {cell:<{width - 2}}" for cell in cells) + " |")
    if "claims" in report:
        c = report["claims"]
        lines.append(f"statements (corroborate --claim): the fact's documents among the top "
                     f"{c['top']} sources, recall {c['recall']:.3f} over {c['facts']} facts")
    if "epistemic" in report:
        lines.append("epistemic status (first-hand / hearsay / hedged / unmarked, per sentence): "
                     + "; ".join(f"accuracy {r['accuracy']:.3f} on {r['sentences']} {name}"
                                 for name, r in report["epistemic"].items()))
    return "\n".join(lines)
