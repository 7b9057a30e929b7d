"""The graph schema and the research codebook, declared once as data.

`graph.yaml` is read by both stores (SQLite DDL, Neo4j constraints), the app's legend, the
exporters and the docs; `codebook.yaml` holds the research themes an analyst can edit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    patterns: tuple[str, ...]

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(self.patterns) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def graph_schema() -> dict[str, Any]:
    """The parsed `graph.yaml`."""
    with open(HERE / "graph.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_codebook(path: str | Path | None = None) -> tuple[Theme, ...]:
    """The research codebook; `path` overrides the bundled one (TESTIMONY_CODEBOOK)."""
    with open(path or HERE / "codebook.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return tuple(
        Theme(code=code, label=spec["label"], patterns=tuple(spec.get("patterns", ())))
        for code, spec in data["themes"].items()
    )


ENTITY_TYPES: tuple[str, ...] = tuple(graph_schema()["entity_types"])
SPEAKER_ROLES: tuple[str, ...] = tuple(graph_schema()["speaker_roles"])
LINK_TYPES: tuple[str, ...] = tuple(graph_schema()["links"])
# What each link type's ends may be: type -> (source entity types, target entity types);
# "DATE" is a date, not an entity (HAPPENED_ON).
LINK_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    name: (frozenset(spec["from"]), frozenset(spec["to"]))
    for name, spec in graph_schema()["links"].items()
}
# Links that hold, not happen (a place in a country, kin): no date goes on them.
TIMELESS_LINKS: frozenset[str] = frozenset(
    name for name, spec in graph_schema()["links"].items() if spec.get("timeless"))
SYMMETRIC_LINKS: frozenset[str] = frozenset(
    name for name, spec in graph_schema()["links"].items() if spec.get("symmetric"))
IDENTIFYING_ATTRIBUTES: tuple[str, ...] = tuple(graph_schema()["nodes"]["Interviewee"]["identifying"])


def entity_label(entity_type: str) -> str:
    """The Neo4j label / display name of an entity type: PLACE -> Place."""
    return graph_schema()["entity_types"][entity_type]["label"]
