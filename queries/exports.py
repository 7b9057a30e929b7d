"""Exporters, one family: a networkx graph out to the formats analysts hand on.

Exports carry entity names, types and counts only; interviewee attributes never enter the
co-occurrence graph, so these files are pseudonym-safe.
"""
from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

FORMATS = ("graphml", "gexf", "csv")


def export_graph(graph: nx.Graph, path: str | Path, fmt: str | None = None) -> list[Path]:
    """Write `graph` to `path` in `fmt` (from the extension when None); returns files written."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "graphml":
        nx.write_graphml(graph, path)
        return [path]
    if fmt == "gexf":
        nx.write_gexf(graph, path)
        return [path]
    if fmt == "csv":
        return write_neo4j_csv(graph, path)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write_neo4j_csv(graph: nx.Graph, path: Path) -> list[Path]:
    """Nodes and relationships in the CSV layout `neo4j-admin database import` reads."""
    stem = path.with_suffix("")
    nodes_path = Path(f"{stem}-nodes.csv")
    rels_path = Path(f"{stem}-relationships.csv")
    with open(nodes_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id:ID", "name", "mentions:int", "interviews:int", ":LABEL"])
        for n, d in sorted(graph.nodes(data=True)):
            label = f"Entity;{_label(d.get('type', ''))}" if d.get("type") else "Entity"
            w.writerow([n, d.get("name", n), d.get("mentions", 0), d.get("interviews", 0), label])
    with open(rels_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([":START_ID", ":END_ID", "weight:int", "interviews:int", ":TYPE"])
        for a, b, d in sorted(graph.edges(data=True)):
            w.writerow([a, b, d.get("weight", 1), d.get("interviews", 1), "CO_MENTIONED"])
    return [nodes_path, rels_path]


def _label(entity_type: str) -> str:
    from schemas import entity_label
    return entity_label(entity_type)
