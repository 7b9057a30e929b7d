"""bench/synthetic_corpus.py: a reproducible, FICTIONAL benchmark collection the reader takes.

Everything generated here is fiction (the generator says so in every file). No spaCy model is
loaded: these tests check the generator and the project's reader and turn splitter only.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from graph_builder.extract.normalize import normalise_name
from graph_builder.ingest.readers import read_document
from graph_builder.ingest.turns import split_turns

REPO = Path(__file__).resolve().parents[1]
GAZETTEER = REPO / "graph_builder" / "extract" / "gazetteer"


def _load_generator() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the file itself.
    spec = importlib.util.spec_from_file_location("synthetic_corpus", REPO / "bench" / "synthetic_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


syn = _load_generator()

KUNYA = re.compile(r"\b(?:Abu|Umm) [A-Z][\w']+(?: (?:al|ash|at|ad|as|ar)-[A-Z][\w']+)?")


def _split(path: Path) -> tuple[dict, str]:
    """(front matter, body) of a generated file."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Sixty interviews: enough for the popularity curve to show, fast to write."""
    return syn.generate(tmp_path_factory.mktemp("syn60"), n=60)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = syn.generate(tmp_path / "a", n=20, seed=7)
    second = syn.generate(tmp_path / "b", n=20, seed=7)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_prefix_does_not_depend_on_n(tmp_path: Path) -> None:
    small = syn.generate(tmp_path / "small", n=5, seed=7)
    large = syn.generate(tmp_path / "large", n=12, seed=7)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in large[:5]]


def test_a_different_seed_differs(tmp_path: Path) -> None:
    first = syn.generate(tmp_path / "a", n=20, seed=1)
    second = syn.generate(tmp_path / "b", n=20, seed=2)
    differing = sum(a.read_bytes() != b.read_bytes() for a, b in zip(first, second))
    assert differing == 20


def test_layout_ids_and_fiction_notice(corpus: list[Path]) -> None:
    assert len(corpus) == 60
    keys = [
        "interview_id", "title", "interviewee", "gender", "nationality", "status", "role", "age",
        "date", "place", "language", "interviewer", "medium", "interviewer_names",
        "third_party_names", "note",
    ]
    for i, path in enumerate(corpus, start=1):
        meta, body = _split(path)
        assert list(meta) == keys, path.name
        assert meta["interview_id"] == f"syn-{i:04d}"
        assert path.name.startswith(f"syn-{i:04d}_") and path.suffix == ".md"
        assert "FICTIONAL" in meta["note"] and "FICTIONAL" in meta["title"]
        first_line = body.lstrip("\n").split("\n", 1)[0]
        assert "FICTIONAL" in first_line, path.name
        assert meta["status"] in {"defector", "returnee", "survivor", "witness", "family member"}
        assert 2015 <= meta["date"].year <= 2020
        assert meta["place"].endswith((", Turkey", ", Iraq"))


def test_word_counts_and_turn_shape(corpus: list[Path]) -> None:
    for path in corpus:
        _, body = _split(path)
        words = len(body.split())
        assert 0.85 * 2000 <= words <= 1.15 * 2000, (path.name, words)
        questions = re.findall(r"^(?:\[\d\d:\d\d:\d\d\] )?Q: ", body, re.M)
        assert 30 <= len(questions) <= 45, (path.name, len(questions))


def test_word_target_scales(tmp_path: Path) -> None:
    for path in syn.generate(tmp_path, n=10, words=800):
        words = len(_split(path)[1].split())
        assert 0.85 * 800 <= words <= 1.15 * 800, (path.name, words)


def test_timestamps_and_interpreters_in_some_interviews(corpus: list[Path]) -> None:
    bodies = [_split(p)[1] for p in corpus]
    stamped = sum(bool(re.search(r"^\[\d\d:\d\d:\d\d\] Q: ", b, re.M)) for b in bodies)
    interpreted = sum("\nInterpreter: " in b or "] Interpreter: " in b for b in bodies)
    assert 0 < stamped < len(bodies)
    assert 0 < interpreted < len(bodies)


def test_interviewees_vary_and_pseudonyms_are_unique(corpus: list[Path]) -> None:
    metas = [_split(p)[0] for p in corpus]
    pseudonyms = [m["interviewee"] for m in metas]
    assert len(set(pseudonyms)) == len(pseudonyms)
    assert not any(re.search(r"\d", p) for p in pseudonyms)  # no "Abu Layla 17"
    assert len({m["status"] for m in metas}) == 5
    assert len({m["nationality"] for m in metas}) >= 5
    assert {m["gender"] for m in metas} == {"male", "female"}


def test_spelling_variants_of_one_place_occur_across_files(corpus: list[Path]) -> None:
    bodies = [_split(p)[1] for p in corpus]

    def files_with(spelling: str) -> int:
        pattern = re.compile(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])")
        return sum(bool(pattern.search(b)) for b in bodies)

    for variants in (["Raqqa", "Raqqah", "ar-Raqqa"], ["Sinjar", "Shingal", "Shengal"], ["Mosul", "al-Mawsil"]):
        counts = {v: files_with(v) for v in variants}
        assert all(c > 0 for c in counts.values()), counts
    # Zipf: the most popular place is in nearly every interview.
    raqqa = re.compile(r"(?<![\w-])(?:Raqqa|Raqqah|ar-Raqqa|al-Raqqa)(?![\w-])")
    assert sum(bool(raqqa.search(b)) for b in bodies) >= 0.8 * len(bodies)


def test_some_people_in_one_file_some_in_many(corpus: list[Path]) -> None:
    files_per_name: Counter[str] = Counter()
    for path in corpus:
        files_per_name.update(set(KUNYA.findall(_split(path)[1])))
    once = [n for n, c in files_per_name.items() if c == 1]
    many = [n for n, c in files_per_name.items() if c >= 0.25 * len(corpus)]
    assert len(once) >= 3 * len(corpus)  # several one-interview people per interview
    assert many, files_per_name.most_common(5)
    assert "Abu Omar" in many  # the shared bare kunya


def test_distinct_names_grow_with_the_collection(corpus: list[Path]) -> None:
    def distinct(paths: list[Path]) -> int:
        return len({n for p in paths for n in KUNYA.findall(_split(p)[1])})

    # The shared pool saturates; the one-interview people keep coming: several new names for
    # every interview added, as in a real collection.
    assert distinct(corpus) - distinct(corpus[:30]) >= 3 * 30


def test_no_real_person_is_generated() -> None:
    real = set()
    for entry in yaml.safe_load((GAZETTEER / "persons.yaml").read_text(encoding="utf-8"))["entries"]:
        real.add(normalise_name(entry["name"]))
        real.update(normalise_name(v) for v in entry.get("variants", []))
    real.update(normalise_name(n) for n in syn.REAL_NAMES)
    pool = syn.build_pool(syn.DEFAULT_SEED)
    assert sum(len(v) for v in pool.values()) >= 300
    generated = {normalise_name(s) for figs in pool.values() for f in figs for s in f.spellings}
    assert not generated & real


def test_the_project_reader_takes_the_files(corpus: list[Path]) -> None:
    for path in corpus[:6]:
        meta, _ = _split(path)
        interview = split_turns(read_document(path))
        assert interview.id == meta["interview_id"]
        assert interview.interviewee.pseudonym == meta["interviewee"]
        assert interview.interviewee.status == meta["status"]
        roles = Counter(t.speaker_role for t in interview.turns)
        assert roles["interviewee"] >= 30 and roles["interviewer"] >= 30
        assert roles["interviewee"] == roles["interviewer"]  # every Q has its A
        if meta["third_party_names"]:
            assert all(t.speaker == "Interpreter" for t in interview.turns if t.speaker_role == "third_party")
        else:
            assert roles["third_party"] == 0
        assert "FICTIONAL" in interview.turns[0].text
        for turn in interview.turns:
            assert turn.text == interview.text[turn.start : turn.end]
        if "[00:" in path.read_text(encoding="utf-8"):
            assert any(t.time_start is not None for t in interview.turns)
