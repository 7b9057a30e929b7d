"""Settings, read once from the environment. The README documents every variable."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    backend: str  # "sqlite" (embedded default) or "neo4j"
    sqlite_path: str
    neo4j_uri: str | None
    neo4j_user: str
    neo4j_password: str | None
    neo4j_database: str
    spacy_model: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        uri = env.get("NEO4J_URI") or None
        # Pointing NEO4J_URI at a server is how users choose Neo4j; TESTIMONY_BACKEND overrides.
        backend = env.get("TESTIMONY_BACKEND") or ("neo4j" if uri else "sqlite")
        if backend not in ("sqlite", "neo4j"):
            from graph_builder.errors import TestimonyError
            raise TestimonyError(f"TESTIMONY_BACKEND is {backend!r}; use 'sqlite' or 'neo4j'.")
        return cls(
            backend=backend,
            sqlite_path=env.get("TESTIMONY_DB", "testimony.db"),
            neo4j_uri=uri or ("bolt://127.0.0.1:7687" if backend == "neo4j" else None),
            neo4j_user=env.get("NEO4J_USER", "neo4j"),
            neo4j_password=env.get("NEO4J_PASSWORD"),
            neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
            spacy_model=env.get("TESTIMONY_SPACY_MODEL", "en_core_web_sm"),
        )


def open_store(settings: Settings | None = None):
    """The configured graph store (a GraphStore)."""
    settings = settings or Settings.from_env()
    if settings.backend == "neo4j":
        from graph_builder.store.neo4j import Neo4jStore
        return Neo4jStore(uri=settings.neo4j_uri or "", user=settings.neo4j_user,
                          password=settings.neo4j_password, database=settings.neo4j_database)
    from graph_builder.store.sqlite import SQLiteStore
    return SQLiteStore(settings.sqlite_path)
