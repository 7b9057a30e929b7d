"""Graph stores: the contract (base.py) and its two implementations (sqlite.py, neo4j.py)."""
from graph_builder.store.base import GraphStore

__all__ = ["GraphStore"]
