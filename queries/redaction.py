"""What never leaves the tool in an export or a report: who the witnesses are, and the names,
streets and numbers that identify them and their families. Pseudonym-safe by construction:
every export and report entry point takes the store, and the store's redaction terms with it.

- **Witnesses by keyed code.** Each interviewee is named `W-XXXXXX`, an HMAC-SHA256 of their
  pseudonym under the project secret (TESTIMONY_SECRET, or the key file TESTIMONY_SECRET_FILE,
  default `testimony-secret.key`, made on first use, readable by its owner only): stable
  across exports and machines that share the secret, and not computable without it. Every name
  the witness goes by in the store (the pseudonym, the speaker labels of their turns, which
  are often a real name) becomes their code in quotes, node labels and every export.
- **Redaction.** The private metadata of each interview (real_name, relatives, address,
  phone, redact: graph_builder/ingest/turns.py), the list in TESTIMONY_REDACT (a text file,
  one name or phrase a line; a line starting `re:` is a regular expression; `#` starts a
  comment), phone numbers and e-mail addresses become `[redacted]`, so the reader sees that
  something was taken out; an entity so named is exported under an id that does not spell it,
  with its counts and links kept.

An admin's report "with attributes" names witnesses as written; the app itself, behind its
sign-in, shows the material as it is.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import networkx as nx

from graph_builder.errors import TestimonyError
from graph_builder.store.base import NetworkData, NetworkEdge

REDACT_ENV = "TESTIMONY_REDACT"
SECRET_ENV = "TESTIMONY_SECRET"
SECRET_FILE_ENV = "TESTIMONY_SECRET_FILE"
DEFAULT_SECRET_FILE = "testimony-secret.key"
MARK = "[redacted]"
# Always: phone numbers ("+90 532 123 45 67", "0532-123-4567", "05321234567": eight digits or
# more, not a year range "2014-2015" nor a date "03.08.2014") and e-mail addresses.
_PHONE_LIKE = re.compile(r"(?<![\w+])\+?\d[\d .\-()]{6,}\d(?![\w])")
_NOT_PHONE = re.compile(r"\d{4}\s*[-\u2013]\s*\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_GAP = re.compile(r"[\s\-_]+")
_WORDS = re.compile(r"[^\W_]+")
_NAME_BEFORE = re.compile(r"(?:\b(?:abu|umm|um|ibn|bin|bint|abi|al|el|ad|as|ar|at|az|ash)[\s\-]+|-)$",
                          re.IGNORECASE)
_NAME_AFTER = re.compile(r"(?:[\s\-]+(?:al|el|bin|ibn|bint)\b|-\w)", re.IGNORECASE)
# ... or a word of a longer name: "Hussein" in "Saddam Hussein", "Ali" in "Ali Baba"
_CAPITAL_BEFORE = re.compile(r"\b[A-Z][\w'\u2019]+[ \t]+$")
_CAPITAL_AFTER = re.compile(r"[ \t]+[A-Z][\w'\u2019]*")


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if sum(ch.isdigit() for ch in found) < 8 or _NOT_PHONE.fullmatch(found.strip()):
        return found
    return MARK


# --------------------------------------------------------------------------------------------
# The project secret and the witnesses' codes
# --------------------------------------------------------------------------------------------

def project_secret() -> bytes:
    """TESTIMONY_SECRET, else the key file (made, owner-only, on first use)."""
    given = os.environ.get(SECRET_ENV)
    if given:
        return given.encode("utf-8")
    path = Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return _read_secret(path)
    return _secret_at(str(path), stamp)


@lru_cache(maxsize=8)
def _secret_at(path: str, stamp: int) -> bytes:  # noqa: ARG001 - the stamp keys the cache
    return _read_secret(Path(path))


def _read_secret(path: Path) -> bytes:
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        return path.read_text(encoding="ascii").strip().encode("ascii")
    except FileExistsError:  # made by another process a moment ago
        return path.read_text(encoding="ascii").strip().encode("ascii")
    except (OSError, UnicodeError) as exc:
        raise TestimonyError(f"{path}: cannot read or make the project secret ({exc}); set "
                             f"{SECRET_FILE_ENV} to a file this account may write, or "
                             f"{SECRET_ENV}") from None


def witness_code(pseudonym: str, secret: bytes | None = None) -> str:
    """The keyed, stable code an export names an interviewee by: W- and six characters."""
    digest = hmac.new(secret or project_secret(), " ".join(pseudonym.casefold().split()).encode(),
                      hashlib.sha256).digest()
    return "W-" + base64.b32encode(digest).decode("ascii")[:6]


# --------------------------------------------------------------------------------------------
# The redactor
# --------------------------------------------------------------------------------------------

def _key(text: str) -> str:
    return _GAP.sub(" ", text.casefold()).strip()


def _literal(term: str) -> str:
    words = [re.escape(w) for w in _GAP.split(term.strip()) if w]
    return r"(?<!\w)" + r"[\s\-_]+".join(words) + r"(?!\w)"


@dataclass(frozen=True)
class Redactor:
    patterns: tuple[re.Pattern[str], ...] = ()  # regular expressions of the list: [redacted]
    names: bool = False  # whether there are literal terms at all
    replacement: dict[str, str] = field(default_factory=dict)  # term's key -> code or MARK
    codes: dict[str, str] = field(default_factory=dict)  # pseudonym -> code
    # every literal term as its words, by how many: a text holding none of these runs of
    # words is passed over without the long alternation (thousands of witnesses' names)
    runs: dict[int, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    by_words: dict[str, str] = field(default_factory=dict)  # a term's words -> its replacement

    def _named(self, value: str) -> tuple[str, ...]:
        """The terms whose words stand in `value` (candidates: the regex decides)."""
        words = _WORDS.findall(value.casefold())
        found = {" ".join(words[i:i + n]) for n, forms in self.runs.items()
                 for i in range(len(words) - n + 1) if tuple(words[i:i + n]) in forms}
        return tuple(sorted(found))

    def text(self, value: str) -> str:
        """`value` with every witness name made their code and every listed name, phrase,
        phone number or address [redacted]."""
        value = _PHONE_LIKE.sub(_phone, EMAIL.sub(MARK, value))
        named = self._named(value) if self.names else ()
        if named:  # only those terms' pattern runs, not the alternation of every name
            value = _pattern_of(named).sub(lambda m: self._replace(m, value), value)
        for pattern in self.patterns:
            value = pattern.sub(MARK, value)
        return value

    def _replace(self, m: re.Match[str], value: str) -> str:
        rep = self.replacement.get(_key(m.group(0)))
        if rep is None:  # words a term's key holds differently (punctuation): by its words
            rep = self.by_words.get(" ".join(_WORDS.findall(m.group(0).casefold())), MARK)
        if rep == MARK:
            return MARK
        # A witness's name inside a longer one ("Omar" in "Abu Omar", "Rashid" in "al-Rashid
        # camp") is someone else's: it keeps its words.
        before, after = value[max(0, m.start() - 24):m.start()], value[m.end():m.end() + 24]
        if _NAME_BEFORE.search(before) or _NAME_AFTER.match(after) \
                or _CAPITAL_BEFORE.search(before) or _CAPITAL_AFTER.match(after):
            return m.group(0)
        return rep

    def hits(self, value: str) -> bool:
        return self.text(value) != value

    def code(self, pseudonym: str) -> str:
        """The code of an interviewee (computed for one the store did not list)."""
        return self.codes.get(pseudonym) or witness_code(pseudonym)


def _term(line: str) -> re.Pattern[str]:
    if line.startswith("re:"):
        return re.compile(line[3:].strip(), re.IGNORECASE)
    return re.compile(_literal(line), re.IGNORECASE)


@lru_cache(maxsize=8)
def _listed(path: str | None) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """TESTIMONY_REDACT's literal lines and regular expressions."""
    literals: list[str] = []
    patterns: list[re.Pattern[str]] = []
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise TestimonyError(f"{REDACT_ENV}={path}: cannot read the redaction list "
                                 f"({exc.strerror or exc}); nothing is exported without it") from None
        for n, raw in enumerate(lines, 1):
            line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("re:") else raw.strip()
            if not line:
                continue
            if not line.startswith("re:"):
                literals.append(line)
                continue
            try:
                patterns.append(_term(line))
            except re.error as exc:
                raise TestimonyError(f"{path}, line {n}: not a regular expression: {exc}") from None
    return tuple(literals), tuple(patterns)


def build(terms: list[tuple[str, str, str]], listed: tuple[str, ...] = (),
          patterns: tuple[re.Pattern[str], ...] = (), secret: bytes | None = None) -> Redactor:
    """A redactor from the store's (pseudonym, kind, term) rows and the list's lines. A term
    that is both a witness's name and private or listed is [redacted]."""
    secret = secret or project_secret()
    codes: dict[str, str] = {}
    replacement: dict[str, str] = {}
    for pseudonym, kind, term in terms:
        code = codes.setdefault(pseudonym, witness_code(pseudonym, secret))
        key = _key(term)
        if not key or len(key) < 2:
            continue
        if kind == "witness":
            replacement.setdefault(key, code)
        else:
            replacement[key] = MARK
    for line in listed:
        replacement[_key(line)] = MARK
    names = bool(replacement)
    runs: dict[int, set[tuple[str, ...]]] = {}
    by_words: dict[str, str] = {}
    for k, rep in replacement.items():
        form = tuple(_WORDS.findall(k))
        if form:
            runs.setdefault(len(form), set()).add(form)
            if by_words.get(" ".join(form)) != MARK:
                by_words[" ".join(form)] = rep
    return Redactor(tuple(patterns), names, replacement, codes,
                    {n: frozenset(f) for n, f in sorted(runs.items())}, by_words)


@lru_cache(maxsize=4096)
def _pattern_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern of a few terms (given by their words), longest first."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(r"(?<!\w)" + r"[\W_]+".join(re.escape(w) for w in t.split()) +
                               r"(?!\w)" for t in ordered), re.IGNORECASE)


_cache: dict[tuple, Redactor] = {}


def redactor(store, *, witnesses: bool = True) -> Redactor:  # noqa: ANN001 - a GraphStore
    """The redaction in effect for exports of `store`: its witnesses' names (made their codes;
    left as written with `witnesses=False`, an admin's report with attributes) and private
    terms, TESTIMONY_REDACT's list, phone numbers and e-mail addresses. Rebuilt when the store
    changes."""
    listed, patterns = _listed(os.environ.get(REDACT_ENV) or None)
    secret = project_secret()
    key = (store.backend, store.location, store.graph_version(), listed, patterns,
           hashlib.sha256(secret).hexdigest(), witnesses)
    if key not in _cache:
        if len(_cache) > 16:
            _cache.clear()
        terms = [t for t in store.redaction_terms() if witnesses or t[1] != "witness"]
        _cache[key] = build(terms, listed, patterns, secret)
    return _cache[key]


def _hidden_id(node: str) -> str:
    """An id that does not spell the entity's, keyed (no one can test a guessed name)."""
    return "redacted:" + hmac.new(project_secret(), node.encode("utf-8"),
                                  hashlib.sha256).hexdigest()[:12]


def redact_graph(graph: nx.Graph, r: Redactor) -> nx.Graph:
    """The graph with every entity named by a witness's name or a listed one renamed (the
    witness's code, or [redacted]) under an id that does not spell it (counts, type and links
    kept); text attributes redacted too."""
    mapping = {n: _hidden_id(n) for n, d in graph.nodes(data=True)
               if r.hits(str(d.get("name", n))) or r.hits(str(n))}
    out = nx.relabel_nodes(graph, mapping, copy=True)
    originals = {new: old for old, new in mapping.items()}
    for n, d in out.nodes(data=True):
        if n in originals:
            d["name"] = r.text(str(d.get("name", originals[n])))
        for key, value in list(d.items()):
            if isinstance(value, str) and key != "type":
                d[key] = r.text(value)
    for _, _, d in out.edges(data=True):
        for key, value in list(d.items()):
            if isinstance(value, str):
                d[key] = r.text(value)
    return out


def redact_data(data: NetworkData, r: Redactor) -> NetworkData:
    """The same for the store's network answer (the whole-graph GEXF is written from it)."""
    mapping = {n.id: _hidden_id(n.id) for n in data.nodes if r.hits(n.name) or r.hits(n.id)}
    if not mapping:
        return data
    nodes = tuple(replace(n, id=mapping[n.id], name=r.text(n.name)) if n.id in mapping else n
                  for n in data.nodes)
    edges = []
    for e in data.edges:
        a, b = mapping.get(e.a, e.a), mapping.get(e.b, e.b)
        edges.append(NetworkEdge(min(a, b), max(a, b), e.weight, e.interviews))
    return NetworkData(nodes, tuple(sorted(edges, key=lambda e: (e.a, e.b))), data.total_nodes)
