"""What never leaves the tool in an export or a report: names, streets and numbers that
identify witnesses and their families.

A redaction list (TESTIMONY_REDACT: a text file, one name or phrase a line; a line starting
`re:` is a regular expression; `#` starts a comment) plus the patterns every list has: phone
numbers and e-mail addresses. Applied to quotes (the words become `[redacted]`, so the reader
sees that something was taken out) and to the network: an entity whose name is on the list is
exported as `[redacted]` under an id that does not spell it, with its counts and links kept.
The app itself, behind its login, shows the material as it is.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import networkx as nx

from graph_builder.errors import TestimonyError
from graph_builder.store.base import NetworkData, NetworkEdge

REDACT_ENV = "TESTIMONY_REDACT"
MARK = "[redacted]"
# Always: phone numbers ("+90 532 123 45 67", "0532-123-4567", "05321234567": eight digits or
# more, not a year range "2014-2015" nor a date "03.08.2014") and e-mail addresses.
_PHONE_LIKE = re.compile(r"(?<![\w+])\+?\d[\d .\-()]{6,}\d(?![\w])")
_NOT_PHONE = re.compile(r"\d{4}\s*[-\u2013]\s*\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if sum(ch.isdigit() for ch in found) < 8 or _NOT_PHONE.fullmatch(found.strip()):
        return found
    return MARK


@dataclass(frozen=True)
class Redactor:
    patterns: tuple[re.Pattern[str], ...]

    def text(self, value: str) -> str:
        """`value` with every listed name, phrase or pattern replaced by [redacted]."""
        value = _PHONE_LIKE.sub(_phone, EMAIL.sub(MARK, value))
        for pattern in self.patterns:
            value = pattern.sub(MARK, value)
        return value

    def hits(self, value: str) -> bool:
        return self.text(value) != value


def _term(line: str) -> re.Pattern[str]:
    if line.startswith("re:"):
        return re.compile(line[3:].strip(), re.IGNORECASE)
    words = [re.escape(w) for w in line.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=8)
def _load(path: str | None) -> Redactor:
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
            try:
                patterns.append(_term(line))
            except re.error as exc:
                raise TestimonyError(f"{path}, line {n}: not a regular expression: {exc}") from None
    return Redactor(tuple(patterns))


def redactor() -> Redactor:
    """The redaction in effect (phone numbers, e-mail addresses, and TESTIMONY_REDACT's list)."""
    return _load(os.environ.get(REDACT_ENV) or None)


def _hidden_id(node: str) -> str:
    return "redacted:" + hashlib.sha256(node.encode("utf-8")).hexdigest()[:10]


def redact_graph(graph: nx.Graph, r: Redactor | None = None) -> nx.Graph:
    """The graph with every listed entity renamed [redacted] under an id that does not spell
    it (counts, type and links kept); text attributes redacted too."""
    r = r or redactor()
    mapping = {n: _hidden_id(n) for n, d in graph.nodes(data=True)
               if r.hits(str(d.get("name", n))) or r.hits(str(n))}
    out = nx.relabel_nodes(graph, mapping, copy=True)
    for n, d in out.nodes(data=True):
        if n in mapping.values():
            d["name"] = MARK
        for key, value in list(d.items()):
            if isinstance(value, str) and key != "type":
                d[key] = r.text(value)
    for _, _, d in out.edges(data=True):
        for key, value in list(d.items()):
            if isinstance(value, str):
                d[key] = r.text(value)
    return out


def redact_data(data: NetworkData, r: Redactor | None = None) -> NetworkData:
    """The same for the store's network answer (the whole-graph GEXF is written from it)."""
    r = r or redactor()
    mapping = {n.id: _hidden_id(n.id) for n in data.nodes if r.hits(n.name) or r.hits(n.id)}
    if not mapping:
        return data
    nodes = tuple(replace(n, id=mapping[n.id], name=MARK) if n.id in mapping else n
                  for n in data.nodes)
    edges = []
    for e in data.edges:
        a, b = mapping.get(e.a, e.a), mapping.get(e.b, e.b)
        edges.append(NetworkEdge(min(a, b), max(a, b), e.weight, e.interviews))
    return NetworkData(nodes, tuple(sorted(edges, key=lambda e: (e.a, e.b))), data.total_nodes)
