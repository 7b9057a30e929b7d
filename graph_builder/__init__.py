"""Transcripts in, knowledge graph out: ingest, extract, resolve, load."""

__version__ = "0.1.0"
