"""A small tree of errors whose messages say what to do next.

Every error the analyst can meet derives from TestimonyError; the CLI prints its message
(no traceback) and exits non-zero. Messages name the file, server or setting concerned.
"""
from __future__ import annotations


class TestimonyError(Exception):
    """Base of every error this tool reports to the analyst."""

    __test__ = False  # not a pytest test class, despite the name


class UnreadableFile(TestimonyError):
    """A transcript could not be read; the rest of the batch goes on."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ModelNotInstalled(TestimonyError):
    """The configured spaCy model is not installed."""


class StoreUnavailable(TestimonyError):
    """The graph store (SQLite file or Neo4j server) cannot be reached or refuses us."""


class NotFound(TestimonyError):
    """An interview, entity or turn that was asked for does not exist."""


class CurationError(TestimonyError):
    """An analyst's curation decision cannot be applied (unknown entity, bad split)."""
