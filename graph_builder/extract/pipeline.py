"""Interview -> ExtractedInterview: mentions, links and theme codes with offsets into the text.

Each speaker turn is one spaCy Doc (so a mention never spans two speakers); offsets are mapped
back to `Interview.text` as `turn.start + span.start_char`. After the per-turn components have run,
one interview-level pass makes the names of a person consistent across turns ("Nour Haddad" in
one turn makes "Nour" a person in the next, even where the model called it a place).
"""
from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import yaml

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph_builder.extract.components import (
    ARTICLES_FREE,
    CONFIDENCE,
    HYPHENS,
    LINKS_ATTR,
    RULE_PIPES,
    SPANS_MENTIONS,
    Gazetteer,
    add_testimony_pipes,
    get_gazetteer,
)
from graph_builder.extract.coreference import Resolver
from graph_builder.extract.dates import DateMention, find_dates
from graph_builder.extract.model_loader import load_model
from graph_builder.extract.normalize import mention_key
from graph_builder.model import ExtractedInterview, Interview, Link, Mention, ThemeCode, Turn
from schemas import HERE as SCHEMAS_DIR
from schemas import LINK_ENDS, TIMELESS_LINKS, Theme, load_codebook

CODEBOOK_ENV = "TESTIMONY_CODEBOOK"
# Components the extractor does not need: lemmas are never read (role plurals are gazetteer forms).
UNUSED_PIPES: tuple[str, ...] = ("lemmatizer",)
KUNYA_WORDS = frozenset({"abu", "abou", "abo", "umm", "um", "ibn", "bin", "bint"})


def build_extractor(model: str | None = None) -> Language:
    """The configured spaCy model with the testimony components added."""
    return add_testimony_pipes(load_model(model))


def ensure_pipeline(nlp: Language) -> Language:
    """Add the testimony components to `nlp` when they are missing (idempotent)."""
    if not all(name in nlp.pipe_names for name in RULE_PIPES):
        add_testimony_pipes(nlp)
    return nlp


@lru_cache(maxsize=8)
def _codebook(path: str | None) -> tuple[tuple[Theme, re.Pattern[str]], ...]:
    return tuple((theme, theme.regex) for theme in load_codebook(path))


def codebook() -> tuple[tuple[Theme, re.Pattern[str]], ...]:
    """The codebook in effect (`TESTIMONY_CODEBOOK` overrides the bundled one), compiled once."""
    return _codebook(os.environ.get(CODEBOOK_ENV) or None)


@dataclass(frozen=True)
class _ThemeRules:
    """How one theme is coded: see the keys documented at the top of `schemas/codebook.yaml`."""

    code: str
    strong: re.Pattern[str] | None  # `patterns`: one match codes the turn
    weak: tuple[re.Pattern[str], ...]  # `weak`: `min_weak` distinct ones must match in the turn
    min_weak: int
    exclude: re.Pattern[str] | None  # `exclude`: a trigger inside one of these contexts is void


def _word_regex(patterns: Iterable[str]) -> re.Pattern[str] | None:
    patterns = [p for p in patterns if p]
    if not patterns:
        return None
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=8)
def _theme_rules(path: str | None) -> tuple[_ThemeRules, ...]:
    """The codebook's themes with their strong, weak and exclude patterns, compiled once."""
    with open(path or SCHEMAS_DIR / "codebook.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    rules: list[_ThemeRules] = []
    for code, spec in (data.get("themes") or {}).items():
        spec = spec or {}
        weak = tuple(r for r in (_word_regex([p]) for p in spec.get("weak") or ()) if r is not None)
        rules.append(
            _ThemeRules(
                code=str(code),
                strong=_word_regex(spec.get("patterns") or ()),
                weak=weak,
                min_weak=max(1, int(spec.get("min_weak", 2))),
                exclude=_word_regex(spec.get("exclude") or ()),
            )
        )
    return tuple(rules)


def _live_matches(regex: re.Pattern[str], text: str, void: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """Matches of `regex` in `text` that do not overlap a void (excluded) context."""
    for match in regex.finditer(text):
        if match.end() > match.start() and not any(
            match.start() < end and start < match.end() for start, end in void
        ):
            yield match


def _evidence(rules: _ThemeRules, text: str) -> re.Match[str] | None:
    """The trigger that codes `text` with the theme, or None when the evidence is too weak."""
    void = [m.span() for m in rules.exclude.finditer(text)] if rules.exclude is not None else []
    if rules.strong is not None:
        match = next(_live_matches(rules.strong, text, void), None)
        if match is not None:
            return match
    firsts = [m for m in (next(_live_matches(r, text, void), None) for r in rules.weak) if m is not None]
    if firsts and len(firsts) >= rules.min_weak:
        return min(firsts, key=lambda m: m.start())
    return None


def code_turn(turn: Turn) -> list[ThemeCode]:
    """Theme codes of one turn: one per theme, with one trigger as evidence.

    A theme is coded when one of its strong patterns matches, or when `min_weak` distinct weak
    patterns match in the same turn; a trigger inside an `exclude` context does not count.
    The interviewer's questions are context, never testimony, so they are not coded.
    """
    if turn.speaker_role == "interviewer":
        return []
    codes: list[ThemeCode] = []
    for rules in _theme_rules(os.environ.get(CODEBOOK_ENV) or None):
        match = _evidence(rules, turn.text)
        if match is None:
            continue
        codes.append(
            ThemeCode(
                turn_index=turn.index,
                theme=rules.code,
                start=turn.start + match.start(),
                end=turn.start + match.end(),
                evidence=match.group(0),
            )
        )
    return codes


def _disabled(nlp: Language) -> list[str]:
    return [name for name in UNUSED_PIPES if name in nlp.pipe_names]


def extract_interview(interview: Interview, nlp: Language) -> ExtractedInterview:
    """Mentions, links and theme codes of one interview."""
    return extract_many([interview], nlp)[0]


def extract_many(interviews: Iterable[Interview], nlp: Language, workers: int = 1,
                 batch_size: int = 64) -> list[ExtractedInterview]:
    """Extract many interviews in one `nlp.pipe` stream; `workers` > 1 splits the interviews
    over that many processes.

    Processes get whole interviews and send back ExtractedInterview values (small, cheap to
    pickle) rather than spaCy Docs: spaCy's own `n_process` ships every Doc back to the parent
    and was slower than one process on two cores."""
    ensure_pipeline(nlp)
    interviews = list(interviews)
    if workers > 1 and len(interviews) > 1:
        return _extract_in_processes(interviews, nlp, workers, batch_size)
    views = [[w for turn in iv.turns for w in windows(turn)] for iv in interviews]
    work = ((view.text, n) for n, vs in enumerate(views) for view in vs)
    docs: list[list[Doc]] = [[] for _ in interviews]
    for doc, n in nlp.pipe(work, as_tuples=True, batch_size=batch_size, disable=_disabled(nlp)):
        docs[n].append(doc)
    gazetteer = get_gazetteer(nlp)
    return [_assemble(iv, vs, ds, gazetteer) for iv, vs, ds in zip(interviews, views, docs)]


# A turn longer than this is read in windows cut at sentence ends (else at a space): spaCy
# refuses a text over 1,000,000 characters, and the rules' cost grows faster than the length
# on one long unpunctuated run. Each window is a view of the turn: same index, its own offset.
WINDOW_CHARS = 10_000
RUN_ON_CHARS = 2_000  # a window of words with no sentence end in sight (the parser's cost
                      # grows with the sentence)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+|\n\s*")


def windows(turn: Turn, size: int = WINDOW_CHARS) -> list[Turn]:
    """The turn as one or more consecutive views of at most `size` characters."""
    if len(turn.text) <= size:
        return [turn]
    out: list[Turn] = []
    pos, text = 0, turn.text
    while pos < len(text):
        end = min(len(text), pos + size)
        if end < len(text):
            cut = None
            for m in _SENTENCE_END.finditer(text, pos + size // 2, end):
                cut = m.end()
            if cut is None:  # a run-on with no sentence end: shorter windows, cut at a space
                end = min(len(text), pos + RUN_ON_CHARS)
                space = text.rfind(" ", pos + RUN_ON_CHARS // 2, end)
                cut = space + 1 if space > pos and end < len(text) else end
            end = cut
        out.append(replace(turn, start=turn.start + pos, end=turn.start + end, text=text[pos:end]))
        pos = end
    return out


_WORKER_NLP: Language | None = None  # the parent's pipeline, inherited by forked workers


def _extract_chunk(args: tuple[list[Interview], int]) -> list[ExtractedInterview]:
    chunk, batch_size = args
    assert _WORKER_NLP is not None
    return extract_many(chunk, _WORKER_NLP, workers=1, batch_size=batch_size)


def _extract_in_processes(interviews: list[Interview], nlp: Language, workers: int,
                          batch_size: int) -> list[ExtractedInterview]:
    import multiprocessing as mp

    global _WORKER_NLP
    # Balance chunks by words, keep each chunk's order, and reassemble in input order.
    order = sorted(range(len(interviews)), key=lambda i: -len(interviews[i].text))
    chunks: list[list[int]] = [[] for _ in range(min(workers, len(interviews)))]
    load = [0] * len(chunks)
    for i in order:
        k = load.index(min(load))
        chunks[k].append(i)
        load[k] += len(interviews[i].text)
    methods = mp.get_all_start_methods()
    if "fork" not in methods:  # no fork (Windows, macOS default): one process is correct too
        return extract_many(interviews, nlp, workers=1, batch_size=batch_size)
    _WORKER_NLP = nlp
    try:
        with mp.get_context("fork").Pool(len(chunks)) as pool:
            results = pool.map(_extract_chunk, [([interviews[i] for i in c], batch_size) for c in chunks])
    finally:
        _WORKER_NLP = None
    out: list[ExtractedInterview | None] = [None] * len(interviews)
    for c, res in zip(chunks, results):
        for i, extracted in zip(c, res):
            out[i] = extracted
    return out  # type: ignore[return-value]


def _assemble(interview: Interview, views: list[Turn], docs: list[Doc],
              gazetteer: Gazetteer) -> ExtractedInterview:
    """One interview's facts from its turns' Docs (`views`: the turns, or windows of a long
    turn, in order, one Doc each)."""
    _propagate_person_names(docs, gazetteer)
    mentions: list[Mention] = []
    links: dict[tuple[str, str, str, int], Link] = {}
    themes: list[ThemeCode] = []
    people = Resolver(interview)
    year: int | None = None
    coded: set[int] = set()
    for turn, doc in zip(views, docs):
        spans = list(doc.spans[SPANS_MENTIONS]) if SPANS_MENTIONS in doc.spans else []
        turn_mentions = [_to_mention(turn, span) for span in spans]
        keys = [m.key for m in turn_mentions]
        mentions.extend(turn_mentions)
        people.saw_turn(turn_mentions)
        # The turn's dates, resolved with the interview's date and the year last named.
        dates = {d.start: d for d in find_dates(turn.text, interview_date=interview.date, year=year)}
        year = next((d.year for d in reversed(list(dates.values())) if not d.relative), year)
        for link in doc._.get(LINKS_ATTR) or []:
            ends = LINK_ENDS.get(link["type"], (frozenset(), frozenset()))
            source = _end_key(link["source"], keys, turn, people, ends[0], dates)
            target = _end_key(link["target"], keys, turn, people, ends[1], dates)
            if source is None or target is None or source == target:
                continue
            start, end = turn.start + link["start"], turn.start + link["end"]
            said = {d.iso for d in dates.values() if link["start"] <= d.start < link["end"]}
            date = target[len("DATE:"):] if target.startswith("DATE:") else (
                said.pop() if len(said) == 1 and link["type"] not in TIMELESS_LINKS else None)
            links.setdefault((link["type"], source, target, turn.index), Link(
                type=link["type"], source_key=source, target_key=target, turn_index=turn.index,
                start=start, end=end, date=date))
        if turn.index not in coded:  # the whole turn, once
            coded.add(turn.index)
            themes.extend(code_turn(interview.turns[turn.index]))
    mentions.extend(sorted(people.made.values(), key=lambda m: m.start))
    return ExtractedInterview(interview=interview, mentions=tuple(mentions),
                              links=tuple(links.values()), themes=tuple(themes))


def _end_key(end: object, keys: list[str], turn: Turn, people: Resolver,
             wants: frozenset[str], dates: dict[int, DateMention]) -> str | None:
    """The mention key a link end stands for: a mention of the turn, the person or organisation
    a pronoun refers to, or "DATE:<iso>"; None when it stands for nobody."""
    if isinstance(end, int):
        return keys[end] if end < len(keys) else None
    if not isinstance(end, dict):
        return None
    if "date" in end:
        found = dates.get(end["date"][0])
        return f"DATE:{found.iso}" if found is not None and found.iso else None
    if "name" in end:  # implied by the words ("the Syrian city of X": Syria)
        return mention_key(end["type"], end["name"])
    return people.key_of(end, turn, wants)


def _to_mention(turn: Turn, span: Span) -> Mention:
    canonical = span.kb_id_ or None
    method = span.id_ or "model"
    return Mention(
        turn_index=turn.index,
        start=turn.start + span.start_char,
        end=turn.start + span.end_char,
        text=span.text,
        type=span.label_,  # type: ignore[arg-type]
        key=mention_key(span.label_, canonical or span.text),
        method=method,
        confidence=CONFIDENCE.get(method, 0.5),
        canonical_hint=canonical,
    )


# --- interview-level name consistency -------------------------------------------------------


def _name_parts(span: Span) -> list[str]:
    """The words of a multi-word person name that can stand alone for it ("Nour", "Haddad")."""
    words = [t for t in span if t.text not in HYPHENS and t.lower_ not in ARTICLES_FREE]
    if len(words) < 2 or words[0].lower_ in KUNYA_WORDS:
        return []  # "Abu Karim" is one name; "Karim" alone is somebody else
    return [w.text for w in (words[0], words[-1]) if w.text[:1].isupper() and w.is_alpha and len(w) > 2]


def _propagate_person_names(docs: list[Doc], gazetteer: Gazetteer) -> None:
    """Mark stand-alone parts of the interview's person names as that person.

    A part is marked where nothing else claims it, or where only the statistical model typed it
    as something else (it often calls an unfamiliar first name a place). Words the gazetteer
    knows are never taken (so "Mazloum Kobani" does not make Kobani a person).
    """
    parts: set[str] = set()
    # one-word names: a person where the interview mostly says so ("Rania" typed a place once)
    votes: dict[str, Counter[bool]] = defaultdict(Counter)
    for doc in docs:
        for span in doc.spans[SPANS_MENTIONS] if SPANS_MENTIONS in doc.spans else []:
            if span.label_ == "PERSON":
                parts.update(_name_parts(span))
            if len(span) == 1 and span.label_ != "EVENT":
                votes[span.text][span.label_ == "PERSON"] += 1
    parts.update(text for text, v in votes.items() if v[True] > v[False] and text[:1].isupper())
    parts = {p for p in parts if not gazetteer.starts_a_name(p)}
    if not parts:
        return
    for doc in docs:
        if SPANS_MENTIONS not in doc.spans:
            continue
        spans = list(doc.spans[SPANS_MENTIONS])
        owner: dict[int, int] = {}
        for idx, span in enumerate(spans):
            if span.label_ != "EVENT":
                for i in range(span.start, span.end):
                    owner[i] = idx
        changed = False
        for tok in doc:
            if tok.text not in parts:
                continue
            idx = owner.get(tok.i)
            start = tok.i
            # "Al-Haddad" / "al Haddad": take the article along
            if start >= 2 and doc[start - 1].text in HYPHENS and doc[start - 2].lower_ in ARTICLES_FREE:
                start -= 2
            elif start >= 1 and doc[start - 1].lower_ in ("al-", "el-"):
                start -= 1
            if idx is None:
                if any(i in owner for i in range(start, tok.i)):
                    start = tok.i
                spans.append(Span(doc, start, tok.i + 1, label="PERSON", span_id="propagation"))
                changed = True
            else:
                span = spans[idx]
                if span.label_ != "PERSON" and span.id_ in ("model", "corrected") and span.start == tok.i and span.end == tok.i + 1:
                    spans[idx] = Span(doc, span.start, span.end, label="PERSON", span_id="propagation")
                    changed = True
        if changed:
            # appended, not re-sorted: the links refer to mentions by their position
            doc.spans[SPANS_MENTIONS] = spans


def iter_turn_docs(interview: Interview, nlp: Language) -> Iterator[tuple[Turn, Doc]]:
    """The processed Doc of every turn (for callers that want the spans themselves)."""
    ensure_pipeline(nlp)
    texts = (t.text for t in interview.turns)
    yield from zip(interview.turns, nlp.pipe(texts, disable=_disabled(nlp)))
