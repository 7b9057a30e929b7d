"""Stage 1, `testimony_gazetteer`: the names the analysts listed, matched transliteration-aware.

The gazetteer is data (`graph_builder/extract/gazetteer/*.yaml`, plus `TESTIMONY_GAZETTEER`'s
files): entries with a type and their variants, loaded by `Gazetteer` into a token trie over
folded keys, so "ar-Raqqa", "al Raqqa" and "Raqqah" are one name (see normalize.normalise_name).
`GazetteerMatcher` takes the longest match left to right and checks it in context: an adjective
counts only when it describes people ("Syrian defector", not "Syrian city"), a role word only as
a noun, some variants only after a determiner or with their exact capitalisation.

Requires: nothing (uses the tagger and parser when present). Assigns
`doc.spans["testimony_gazetteer"]` (label = entity type, `kb_id_` = canonical name) and
`doc.spans["testimony_suppressed"]` (matches rejected in context: not entities here).
"""
from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from graph_builder.extract.components.common import (
    ENTITY_TYPES,
    HYPHENS,
    IGNORE,
    POSSESSIVE,
    SPANS_GAZETTEER,
    SPANS_SUPPRESSED,
    has_pos,
    is_people_head,
    is_titleish,
    make_span,
    modified_head,
)
from graph_builder.extract.components.lexicon import (
    ARTICLES_ATTACHED,
    ARTICLES_FREE,
    DETERMINERS,
    HELD_SUFFIXES,
    STATE_HEADS,
)
from graph_builder.extract.components.tokenizer import tune_tokenizer
from graph_builder.extract.normalize import fold_text, normalise_name

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "gazetteer"
GAZETTEER_ENV = "TESTIMONY_GAZETTEER"  # extra gazetteer files or folders, os.pathsep-separated

# Dependency labels of a noun's job in its clause.
NOMINAL_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "oprd", "compound"})
# The model's entity labels of names that are not people's: a title before one is not a person's role.
NON_PERSON_NAME_ENTS = frozenset({"WORK_OF_ART", "FAC", "LOC", "GPE", "PRODUCT", "LAW", "EVENT"})


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    needs_head: bool = False
    actor: bool = False
    place: str | None = None
    years: tuple[int, ...] = ()
    event_class: str | None = None
    needs_date: bool = False  # an event of one day or night: resolved only when the mention's time fits
    source: str = ""


@dataclass(frozen=True)
class GazetteerForm:
    entry: int  # index into Gazetteer.entries
    text: str
    keys: tuple[str, ...]
    orths: tuple[str, ...]  # the content tokens as written, for case-sensitive forms
    adjective: bool = False  # only counts when it describes people
    needs_determiner: bool = False
    case_sensitive: bool = False


def gazetteer_paths(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The bundled gazetteer files, then `TESTIMONY_GAZETTEER`'s, then `extra`'s."""
    sources: list[Path] = [GAZETTEER_DIR]
    env = os.environ.get(GAZETTEER_ENV)
    if env:
        sources.extend(Path(p) for p in env.split(os.pathsep) if p)
    sources.extend(Path(p) for p in extra)
    files: list[Path] = []
    for src in sources:
        if src.is_dir():
            files.extend(sorted(src.glob("*.yaml")) + sorted(src.glob("*.yml")))
        elif src.is_file():
            files.append(src)
    return files


def _plural(word: str) -> str:
    lower = word.lower()
    if lower.endswith("man") and not lower.endswith(("human", "german", "ottoman")):
        return word[:-3] + "men"
    if lower.endswith("wife"):
        return word[:-4] + "wives"
    if lower.endswith("child"):
        return word + "ren"
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _with_plural(form: str) -> list[str]:
    words = form.split(" ")
    return [form, " ".join([*words[:-1], _plural(words[-1])])]


@lru_cache(maxsize=200_000)
def word_key(text: str) -> str:
    """A token's comparable form (see normalize.normalise_name); "" for punctuation."""
    return normalise_name(text)


def _is_acronym(text: str) -> bool:
    return 2 <= len(text) <= 5 and text.isalpha() and text.isupper()


def token_keys(tokens: Sequence[str]) -> list[tuple[int, str, str | None] | None]:
    """Per token: (index, key, alternative key) for content tokens, None for transparent ones.

    Hyphens and the Arabic article are transparent, so "ar-Raqqa", "al Raqqa" and "Raqqa" share
    the key ("raka",); other punctuation is a barrier that no gazetteer form contains.
    An acronym (PKK, YPG) keys as itself, never spelling-folded (PKK is not PK); an all-capitals
    word also carries its folded key as the alternative, so a headline's RAQQA is still Raqqa.
    """
    out: list[tuple[int, str, str | None] | None] = []
    for i, text in enumerate(tokens):
        lower = text.lower()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if text in HYPHENS:
            out.append(None)
        elif lower in ARTICLES_FREE and i + 1 < len(tokens):
            out.append(None)
        elif lower in ARTICLES_ATTACHED and nxt in HYPHENS:
            out.append(None)
        else:
            key = word_key(text)
            folded = key if key else "\u241f" + fold_text(text)
            if _is_acronym(text):
                out.append((i, "\u2191" + text.casefold(), folded))
            else:
                out.append((i, folded, None))
    return out


class Gazetteer:
    """Entries and their forms, indexed in a token trie over transliteration-folded keys."""

    def __init__(self, tokenizer: Any, paths: Sequence[str | Path] | None = None) -> None:
        self.entries: list[GazetteerEntry] = []
        self.forms: list[GazetteerForm] = []
        # events live in their own trie: "the fall of Mosul" is an event *and* names Mosul
        self.trie: dict[str, Any] = {}
        self.event_trie: dict[str, Any] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self._tokenizer = tokenizer
        files = [Path(p) for p in paths] if paths is not None else gazetteer_paths()
        for path in files:
            self._load_file(path)

    # building

    def _load_file(self, path: Path) -> None:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict) or "entries" not in data:
            return  # a README or an unrelated YAML file
        file_type = data.get("type")
        defaults = data.get("defaults") or {}
        for raw in data["entries"]:
            spec = {**defaults, **raw}
            self.add_entry(spec, file_type, source=path.name)

    def add_entry(self, spec: dict[str, Any], default_type: str | None = None, source: str = "") -> int:
        etype = spec.get("type") or default_type
        if etype not in (*ENTITY_TYPES, IGNORE):
            raise ValueError(f"{source}: entry {spec.get('name')!r} has no valid type ({etype!r})")
        name = str(spec["name"])
        entry = GazetteerEntry(
            name=name,
            type=etype,
            needs_head=bool(spec.get("needs_head", etype in ("ROLE", "GROUP"))),
            actor=bool(spec.get("actor", False)),
            place=spec.get("place"),
            years=tuple(int(y) for y in spec.get("years", ())),
            event_class=spec.get("class"),
            needs_date=bool(spec.get("needs_date", False)),
            source=source,
        )
        index = len(self.entries)
        self.entries.append(entry)
        self.by_name.setdefault((etype, name), index)
        needs_det = {str(v) for v in spec.get("needs_determiner", ())}
        case_sensitive = {str(v) for v in spec.get("case_sensitive", ())}
        texts: list[str] = []
        if "(" not in name:  # "mahram (male guardian)" is a display name, not a form
            texts.append(name)
        texts.extend(str(v) for v in spec.get("variants", ()))
        if etype == "ROLE":  # role words are written in the plural as often as not
            texts = [t for text in texts for t in _with_plural(text)]
        for text in texts:
            self._add_form(index, text, adjective=False, needs_det=text in needs_det, cs=text in case_sensitive)
        for text in spec.get("adjectives", ()):
            self._add_form(index, str(text), adjective=True, needs_det=False, cs=False)
        for template in spec.get("forms", ()):
            for place_text in self.place_variants(entry.place):
                self._add_form(index, template.format(place=place_text), adjective=False, needs_det=False, cs=False)
        return index

    def place_variants(self, canonical: str | None) -> list[str]:
        if not canonical:
            return []
        index = self.by_name.get(("PLACE", canonical))
        if index is None:
            return [canonical]
        return sorted({f.text for f in self.forms if f.entry == index})

    def _add_form(self, entry: int, text: str, adjective: bool, needs_det: bool, cs: bool) -> None:
        tokens = [t.text for t in self._tokenizer(text) if not t.is_space]
        content = [k for k in token_keys(tokens) if k is not None]
        if not content:
            return
        keys = tuple(k for _, k, _alt in content)
        orths = tuple(tokens[i] for i, _k, _alt in content)
        form = GazetteerForm(entry, text, keys, orths, adjective, needs_det, cs)
        node = self.event_trie if self.entries[entry].type == "EVENT" else self.trie
        for key in keys:
            node = node.setdefault(key, {})
        bucket = node.setdefault("\u0000forms", [])
        for other in (self.forms[f] for f in bucket):
            if (other.entry, other.adjective, other.needs_determiner, other.case_sensitive) == (entry, adjective, needs_det, cs):
                if not cs or other.orths == orths:
                    return  # the same key twice for one entry: nothing new
        self.forms.append(form)
        bucket.append(len(self.forms) - 1)

    # lookups

    def starts_a_name(self, word: str) -> bool:
        """Whether some non-event form begins with this word ("Kobani", "Free", "Saddam")."""
        keyed = token_keys([word])[0]
        return keyed is not None and (keyed[1] in self.trie or (keyed[2] is not None and keyed[2] in self.trie))

    def entry_for(self, etype: str, name: str) -> GazetteerEntry | None:
        index = self.by_name.get((etype, name))
        return self.entries[index] if index is not None else None

    def events_at(self, place: str, event_class: str, years: Iterable[int], killing: bool = False) -> str | None:
        """The named event at `place` that fits both the mention's class and its time.

        With `years`, only an event of one of those years fits (preferring `event_class`): "the attack
        on Kobani in 2014" is the Siege, not the June 2015 massacre. Without, an event of that class
        fits unless it `needs_date` (a one-night massacre), which an undated mention reaches only
        when it reports killings; otherwise the longer-running event there (the Siege) is meant.
        """
        years = set(years)
        entries = [e for e in self.entries if e.type == "EVENT" and e.place == place and e.event_class]
        if not entries:
            return None
        if years:
            fit = [e for e in entries if not e.years or years & set(e.years)]
            pick = [e for e in fit if e.event_class == event_class] or fit
            return pick[0].name if len(pick) == 1 else None
        same = [e for e in entries if e.event_class == event_class]
        usable = [e for e in same if not e.needs_date or killing]
        if len(usable) == 1:
            return usable[0].name
        if same and not usable:
            other = [e for e in entries if e.event_class != event_class and not e.needs_date]
            if len(other) == 1:
                return other[0].name
        return None

    def matches(self, doc: Doc, events: bool = False) -> Generator[tuple[int, int, list[GazetteerForm]], bool | None, None]:
        """Longest matches, left to right: (start token, end token, candidate forms).

        Every length is offered, longest first; the caller sends back True when it took the
        match (the scan then moves past it) and False to be offered the next shorter one.
        """
        tokens = [t.text for t in doc]
        keyed = [k for k in token_keys(tokens) if k is not None]
        root = self.event_trie if events else self.trie
        i = 0
        while i < len(keyed):
            node = root
            found: list[tuple[int, list[int]]] = []
            j = i
            while j < len(keyed):
                _, key, alt = keyed[j]
                if key in node:
                    node = node[key]
                elif alt is not None and alt in node:
                    node = node[alt]
                else:
                    break
                j += 1
                if "\u0000forms" in node:
                    found.append((j, node["\u0000forms"]))
            if not found:
                i += 1
                continue
            start_tok = keyed[i][0]
            consumed = False
            for end_k, form_ids in reversed(found):
                end_tok = keyed[end_k - 1][0] + 1
                forms = [self.forms[f] for f in form_ids]
                taken = yield (start_tok, end_tok, forms)
                if taken:
                    i = end_k
                    consumed = True
                    break
            if not consumed:
                i += 1


def people_words(gaz: Gazetteer) -> frozenset[str]:
    """Head nouns that name people: role words (fighter) and group nouns (Kurds, Yazidis).

    "Syrian fighters" and "Syrian Kurds" both describe people; "Syrian city" does not.
    """
    return frozenset(
        f.orths[-1].lower()
        for f in gaz.forms
        if gaz.entries[f.entry].type == "ROLE" or (gaz.entries[f.entry].type == "GROUP" and not f.adjective)
    )


def _extend_article(doc: Doc, start: int) -> int:
    """Move a span start back over a preceding Arabic article ("al", "-") that belongs to it."""
    while start > 0:
        prev = doc[start - 1]
        if prev.text in HYPHENS and start > 1 and doc[start - 2].lower_ in ARTICLES_FREE | ARTICLES_ATTACHED:
            start -= 2
        elif prev.lower_ in ("al-", "el-") or (prev.lower_ in ("al", "el") and not prev.whitespace_ == ""):
            start -= 1
        else:
            break
    return start


class GazetteerMatcher:
    """Marks gazetteer names; writes `doc.spans["testimony_gazetteer"]` (kb_id_ = canonical)."""

    def __init__(self, nlp: Language, name: str, paths: Sequence[str] = ()) -> None:
        self.name = name
        self.gazetteer = Gazetteer(nlp.tokenizer, gazetteer_paths(paths))
        self.role_words = people_words(self.gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        kept: list[Span] = []
        suppressed: list[Span] = []
        for events in (False, True):
            matches = self.gazetteer.matches(doc, events=events)
            try:
                start, end, forms = next(matches)
                while True:
                    start = _extend_article(doc, start)
                    verdict = None
                    for form in forms:
                        verdict = self._check(doc, start, end, form)
                        if verdict is not None:
                            break
                    if verdict is not None:
                        span, ok = verdict
                        (kept if ok else suppressed).append(span)
                    start, end, forms = matches.send(verdict is not None)
            except StopIteration:
                pass
        doc.spans[SPANS_GAZETTEER] = kept
        doc.spans[SPANS_SUPPRESSED] = suppressed
        return doc

    def _check(self, doc: Doc, start: int, end: int, form: GazetteerForm) -> tuple[Span, bool] | None:
        """None: this form does not apply here (try a shorter one). Otherwise (span, keep?)."""
        entry = self.gazetteer.entries[form.entry]
        if form.case_sensitive:
            written = tuple(t.text for t in doc[start:end] if t.text not in HYPHENS and t.lower_ not in ARTICLES_FREE)
            if written != form.orths:
                return None
            if len(form.orths) == 1 and len(form.orths[0]) <= 2 and _in_caps_run(doc, start, end):
                return None  # "IS" inside an all-caps headline is the verb
        if form.needs_determiner:
            k = start - 1
            if entry.type == "ORG":  # "the ISIS court", "the Islamic State's court"
                while k > 0 and start - k <= 4 and (is_titleish(doc[k]) or doc[k].lower_ in POSSESSIVE):
                    k -= 1
            prev = doc[k] if k >= 0 else None
            if prev is None or prev.lower_ not in DETERMINERS:
                return None
        label = entry.type
        span = make_span(doc, start, end, label, entry.name if label != IGNORE else "", "gazetteer")
        if label == IGNORE:
            return span, False
        if label == "PLACE" and end < len(doc) and doc[end].lower_ in ("province", "governorate"):
            # "Deir ez-Zour Province": any spelling of the city, then the word, is the governorate
            governorate = self.gazetteer.entry_for("PLACE", f"{entry.name} Governorate")
            if governorate is not None:
                return make_span(doc, start, end + 1, label, governorate.name, "gazetteer"), True
        if label == "ORG" and end - start > 1 and start > 0 and doc[start - 1].lower_ in ("a", "an") and doc[end - 1].is_lower:
            return span, False  # "they want an Islamic state": the idea, not the organisation
        if has_pos(doc) and label == "ROLE" and span.root.pos_ in ("VERB", "AUX") and not _nominal_use(span):
            return span, False  # "to guard", "they spy on"
        if label == "ROLE" and end + 1 < len(doc) and doc[end].text in HYPHENS and doc[end].whitespace_ == "" \
                and doc[end - 1].whitespace_ == "" and doc[end + 1].lower_.endswith(HELD_SUFFIXES):
            return span, False  # "jihadi-held villages", "rebel-controlled areas": who holds a place
        if form.adjective or entry.needs_head:
            head = modified_head(span)
            if form.adjective and head is None:
                return span, False  # "they spoke Kurdish": the language, not the people
            if head is not None and not self._head_ok(doc, head, label):
                return span, False
        elif label == "GROUP":
            # a community's name may modify a place ("Yazidi villages"), not a force or a state
            head = modified_head(span)
            if head is not None and head.lower_ in STATE_HEADS:
                return span, False
        return span, True

    def _head_ok(self, doc: Doc, head: Token, label: str) -> bool:
        if label == "GROUP":
            return is_people_head(head, self.role_words, allow_state=False)
        if label == "ROLE":
            # a title before a name ("emir Abu Hamza", "President Assad") is the role of that person,
            # but not a word in the name of a route, building or work ("the Jihadi Highway")
            if head.ent_type_ in NON_PERSON_NAME_ENTS:
                return False
            return head.pos_ == "PROPN" or is_titleish(head)
        return False


def _nominal_use(span: Span) -> bool:
    """A role word the small tagger took for a verb but that sits where a noun does.

    "a Syrian people smuggler" is tagged smuggler/VBP with an `attr` arc; a verb never has a
    determiner before it or a noun's dependency label.
    """
    root = span.root
    if root.dep_ in NOMINAL_DEPS:
        return True
    first = span[0]
    return first.i > 0 and span.doc[first.i - 1].lower_ in DETERMINERS


def _in_caps_run(doc: Doc, start: int, end: int) -> bool:
    def caps(tok: Token) -> bool:
        return tok.is_alpha and tok.is_upper and len(tok) > 1

    left = doc[start - 1] if start > 0 else None
    right = doc[end] if end < len(doc) else None
    return bool((left is not None and caps(left)) or (right is not None and caps(right)))


def make_gazetteer(nlp: Language, name: str, paths: list[str]) -> GazetteerMatcher:
    tune_tokenizer(nlp)
    return GazetteerMatcher(nlp, name, paths)


def get_gazetteer(nlp: Language) -> Gazetteer:
    """The pipeline's gazetteer (a fresh default one when the component is absent)."""
    if "testimony_gazetteer" in nlp.pipe_names:
        return nlp.get_pipe("testimony_gazetteer").gazetteer
    return Gazetteer(nlp.tokenizer)
