"""The scorer on a tiny hand-made corpus: every number is worked out by hand in the comments."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_builder.extract.evaluate import (
    format_report,
    header_end,
    normalise_for_scoring,
    score,
)

DOC_A = "# source: fictional\n# title: Raqqa notes\n\nAbu Omar went to Raqqa. The hisbah beat him in Raqqa.\n"
DOC_B = "# source: fictional\n\nThe Hisba and ISIS were in Raqqah.\n"


@pytest.fixture()
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir()
    gold.mkdir()
    (docs / "a.txt").write_text(DOC_A, encoding="utf-8")
    (docs / "b.txt").write_text(DOC_B, encoding="utf-8")
    (gold / "a.json").write_text(
        json.dumps(
            {
                "doc": "a",
                "entities": [
                    {"text": "Abu Omar", "type": "PERSON", "canonical": "Abu Omar"},
                    {"text": "Raqqa", "type": "PLACE", "canonical": "Raqqa"},
                    {"text": "hisbah", "type": "ORG", "canonical": "Hisbah"},
                ],
                "themes": ["brutality"],
            }
        ),
        encoding="utf-8",
    )
    (gold / "b.json").write_text(
        json.dumps(
            {
                "doc": "b",
                "entities": [
                    {"text": "Hisba", "type": "ORG", "canonical": "Hisbah"},
                    {"text": "ISIS", "type": "ORG", "canonical": "Islamic State"},
                    {"text": "Raqqah", "type": "PLACE", "canonical": "Raqqa"},
                ],
                "themes": ["life_inside"],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "corroboration.json").write_text(
        json.dumps(
            [
                {"fact": "the hisbah in Raqqa", "canonical_entities": ["Raqqa", "Hisbah"], "docs": ["a", "b"]},
                {"fact": "the hisbah", "canonical_entities": ["Hisbah"], "docs": ["a", "b"]},
            ]
        ),
        encoding="utf-8",
    )
    return docs, gold


def mention(file: Path, text: str, etype: str, canonical: str, occurrence: int = 0) -> dict[str, object]:
    body = file.read_text(encoding="utf-8")
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(text, start + 1)
    return {"kind": "mention", "file": str(file), "start": start, "end": start + len(text), "text": text, "type": etype, "canonical": canonical}


def theme(file: Path, code: str, evidence: str) -> dict[str, object]:
    start = file.read_text(encoding="utf-8").index(evidence)
    return {"kind": "theme", "file": str(file), "theme": code, "start": start, "end": start + len(evidence), "evidence": evidence}


def predictions(docs: Path) -> list[dict[str, object]]:
    a, b = docs / "a.txt", docs / "b.txt"
    return [
        # doc a: three right (Raqqa twice counts once; "the hisbah" normalises to "hisbah"),
        # one wrong ("Omar"), and a header mention that is ignored
        mention(a, "Abu Omar", "PERSON", "Abu Omar"),
        mention(a, "Raqqa", "PLACE", "Raqqa", occurrence=1),
        mention(a, "Raqqa", "PLACE", "Raqqa", occurrence=2),
        mention(a, "The hisbah", "ORG", "Hisbah"),
        mention(a, "Omar", "PERSON", "Omar"),
        mention(a, "Raqqa", "PLACE", "Raqqa", occurrence=0),  # in "# title: Raqqa notes"
        # doc b: Hisba right, ISIS with the wrong type, Raqqah right but resolved apart
        mention(b, "Hisba", "ORG", "Hisbah"),
        mention(b, "ISIS", "PLACE", "ISIS"),
        mention(b, "Raqqah", "PLACE", "Raqqah"),
        {"kind": "link", "file": str(b), "type": "PRESENT_AT", "source": "x", "target": "y", "start": 0, "end": 1},
        theme(a, "brutality", "beat"),
        theme(a, "media", "went"),  # not a code of the annotation scheme: left out
        theme(b, "women", "Hisba"),
    ]


def test_scores_by_hand(corpus: tuple[Path, Path]) -> None:
    docs, gold = corpus
    report = score(predictions(docs), gold, docs)
    m = report["mentions"]
    # PERSON: a: abu omar right, omar wrong
    assert (m["PERSON"]["tp"], m["PERSON"]["fp"], m["PERSON"]["fn"]) == (1, 1, 0)
    # PLACE: a: raqqa; b: raqqah right, isis/PLACE wrong
    assert (m["PLACE"]["tp"], m["PLACE"]["fp"], m["PLACE"]["fn"]) == (2, 1, 0)
    # ORG: a: hisbah; b: hisba right, isis/ORG missed
    assert (m["ORG"]["tp"], m["ORG"]["fp"], m["ORG"]["fn"]) == (2, 0, 1)
    assert m["ROLE"] == {"tp": 0, "fp": 0, "fn": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    typed = m["typed"]
    assert (typed["tp"], typed["fp"], typed["fn"]) == (5, 2, 1)
    assert typed["precision"] == pytest.approx(5 / 7)
    assert typed["recall"] == pytest.approx(5 / 6)
    assert typed["f1"] == pytest.approx(10 / 13)
    # untyped: "isis" is right when the type is ignored; "omar" is still wrong
    untyped = m["untyped"]
    assert (untyped["tp"], untyped["fp"], untyped["fn"]) == (6, 1, 0)
    assert report["ignored_in_header"] == 1

    # clusters over the five found gold mentions: gold pairs (raqqa, raqqah) and (hisbah, hisba);
    # predicted pairs only (hisbah, hisba), since Raqqah resolved to "Raqqah"
    c = report["clusters"]
    assert (c["mentions_found"], c["pairs_same_gold"], c["pairs_same_pred"], c["pairs_same_both"]) == (5, 2, 1, 1)
    assert (c["precision"], c["recall"]) == (1.0, 0.5)
    assert c["f1"] == pytest.approx(2 / 3)

    # themes: a {brutality} right; b {women} wrong, {life_inside} missed; media left out
    t = report["themes"]
    assert (t["tp"], t["fp"], t["fn"]) == (1, 1, 1)
    assert t["f1"] == pytest.approx(0.5)
    assert report["out_of_scheme_themes"] == 1

    # facts: Raqqa resolves to two predicted entities, so only the Hisbah fact is recovered
    assert report["facts"] == {"recovered": 1, "total": 2, "recall": 0.5}


def test_scorer_reads_json_lines(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, gold = corpus
    path = tmp_path / "findings.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in predictions(docs)) + "\n\n", encoding="utf-8")
    assert score(path, gold, docs) == score(predictions(docs), gold, docs)


def test_perfect_and_empty_predictions(corpus: tuple[Path, Path]) -> None:
    docs, gold = corpus
    a, b = docs / "a.txt", docs / "b.txt"
    perfect = [
        mention(a, "Abu Omar", "PERSON", "p1"),
        mention(a, "Raqqa", "PLACE", "p2", occurrence=1),
        mention(a, "hisbah", "ORG", "p3"),
        mention(b, "Hisba", "ORG", "p3"),
        mention(b, "ISIS", "ORG", "p4"),
        mention(b, "Raqqah", "PLACE", "p2"),
        theme(a, "brutality", "beat"),
        theme(b, "life_inside", "were"),
    ]
    report = score(perfect, gold, docs)
    assert report["mentions"]["typed"]["f1"] == 1.0
    assert report["clusters"]["f1"] == 1.0  # canonical names are compared, not their spelling
    assert report["themes"]["f1"] == 1.0
    assert report["facts"]["recovered"] == 2
    empty = score([], gold, docs)
    assert empty["mentions"]["typed"] == {"tp": 0, "fp": 0, "fn": 6, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert empty["clusters"]["f1"] == 0.0


def test_normalisation_rules() -> None:
    assert normalise_for_scoring("the Islamic State’s") == "islamic state"
    assert normalise_for_scoring("“Point 11”") == "point 11"
    assert normalise_for_scoring("  ISIS\n ") == "isis"
    assert normalise_for_scoring("An  Activist") == "activist"
    assert normalise_for_scoring("Sadd al- Furat") == "sadd al- furat"
    assert normalise_for_scoring("Deir ez‑Zor") == "deir ez-zor"  # non-breaking hyphen folded
    assert normalise_for_scoring("Kobanê") == "kobanê"  # diacritics are not folded by the README


def test_header_end() -> None:
    assert header_end(DOC_A) == DOC_A.index("\n\n") + 1
    assert header_end("No header here.") == 0


def test_report_has_both_columns(corpus: tuple[Path, Path]) -> None:
    docs, gold = corpus
    ours = score(predictions(docs), gold, docs)
    base = score([], gold, docs)
    table = format_report({"ours": ours, "baseline": base})
    assert "ours" in table and "baseline" in table
    for row in ("PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT", "typed", "untyped", "clusters", "themes"):
        assert row in table
    assert "0.769" in table  # ours typed F1, 10/13
    assert "ours" in format_report(ours)  # a bare score prints as one column


def test_cli_scores_a_findings_file(corpus: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs, gold = corpus
    path = tmp_path / "findings.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in predictions(docs)), encoding="utf-8")
    from graph_builder.cli import main

    assert main(["evaluate", "--gold", str(gold), "--docs", str(docs), "--predictions", str(path),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mentions"]["typed"]["tp"] == 5
