"""`testimony`: the analyst's jobs as verbs. Every verb has --help; errors say what to do."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from graph_builder.config import Settings, open_store
from graph_builder.errors import TestimonyError

REPO_ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = """Turn interview testimony into a searchable knowledge graph.

The store is chosen by configuration: the embedded SQLite file (TESTIMONY_DB, default
./testimony.db) unless NEO4J_URI is set or TESTIMONY_BACKEND=neo4j."""


def _store(args: argparse.Namespace):
    settings = Settings.from_env()
    store = open_store(settings)
    print(f"[store: {store.backend} at {store.location}]", file=sys.stderr)
    return store


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from graph_builder.extract.model_loader import load_model
    from graph_builder.load import ingest

    nlp = load_model(args.model)
    store = _store(args)
    try:
        report = ingest(args.paths, store, nlp, workers=args.workers,
                        progress=lambda it: tqdm(it, desc="interviews", unit="interview",
                                                 file=sys.stderr, disable=args.quiet))
    finally:
        store.close()
    print(report.summary())
    return 1 if report.failed and not (report.added or report.replaced or report.unchanged) else 0


def cmd_stats(args: argparse.Namespace) -> int:
    store = _store(args)
    stats = store.stats()
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        for k, v in stats.items():
            print(f"{k:>13}: {v}")
        for s in store.interviews():
            print(f"  {s.id}: {s.title} — {s.pseudonym} ({s.turns} turns)")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from queries.search import search

    store = _store(args)
    hits = search(store, args.query, entity_type=args.type, theme=args.theme,
                  interviewee=args.interviewee, limit=args.limit)
    for h in hits:
        t = h.turn
        stamp = f" @{t.time_start:.0f}s" if t.time_start is not None else ""
        row = {"interview": t.interview_id, "turn": t.index, "speaker": t.speaker,
               "speaker_role": t.speaker_role, "start": t.start, "end": t.end,
               "time_start": t.time_start, "text": t.text, "score": h.score}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{t.interview_id} turn {t.index}{stamp} [{t.speaker or t.speaker_role}] "
                  f"{t.text[:200]}")
    if not args.json:
        print(f"{len(hits)} turns", file=sys.stderr)
    return 0


def cmd_entities(args: argparse.Namespace) -> int:
    from queries.profiles import find_entities

    store = _store(args)
    for e, n in find_entities(store, args.text or "", args.type, limit=args.limit):
        print(f"{e.id}\t{e.type}\t{e.name}\t{n} mentions\taliases: {', '.join(e.aliases)}")
    return 0


def cmd_entity(args: argparse.Namespace) -> int:
    from queries.profiles import entity_profile

    store = _store(args)
    p = entity_profile(store, args.entity_id)
    print(f"{p.entity.name} ({p.entity.type}), aliases: {', '.join(p.entity.aliases)}")
    print(f"named in {len(p.interviews)} interviews by {len(p.interviewees)} interviewees")
    for c in p.mentions:
        print(f"  {c.mention.interview_id} turn {c.turn.index} [{c.turn.speaker_role}] "
              f"{c.mention.start}-{c.mention.end}: {c.quote}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from queries.exports import export_graph
    from queries.network import cooccurrence_graph

    store = _store(args)
    graph = cooccurrence_graph(store, types=tuple(args.type) if args.type else None,
                               theme=args.theme, min_weight=args.min_weight)
    for path in export_graph(graph, args.output, args.format):
        print(path)
    print(f"{graph.number_of_nodes()} entities, {graph.number_of_edges()} connections",
          file=sys.stderr)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from graph_builder.extract.findings import extract_findings
    from graph_builder.extract.model_loader import load_model

    nlp = load_model(args.model)
    for finding in extract_findings(args.files, nlp):
        print(json.dumps(finding, ensure_ascii=False))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from graph_builder.extract.evaluate import format_report, run_evaluation

    report = run_evaluation(args.gold, args.docs)
    print(format_report(report))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if args.host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get("TESTIMONY_APP_PASSWORD"):
        raise TestimonyError(
            f"refusing to serve on {args.host} without a password: the material can identify "
            "witnesses. Set TESTIMONY_APP_PASSWORD, or serve on 127.0.0.1 (the default).")
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "streamlit_app.py"),
           "--server.address", args.host, "--server.port", str(args.port),
           "--browser.gatherUsageStats", "false", "--server.headless", str(args.headless).lower()]
    print(" ".join(cmd), file=sys.stderr)
    return subprocess.call(cmd, cwd=REPO_ROOT)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="testimony", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    s = sub.add_parser("ingest", help="read transcripts into the graph (idempotent)",
                       description="Read transcript files or folders (txt, md, docx, pdf, srt, "
                       "vtt, json; metadata.csv beside them) into the graph. Unchanged files "
                       "are skipped, changed ones replaced, broken ones reported.")
    s.add_argument("paths", nargs="+", help="files or folders")
    s.add_argument("--workers", type=int, default=1, help="processes for extraction (default 1)")
    s.add_argument("--model", help="spaCy model name (default: TESTIMONY_SPACY_MODEL or en_core_web_sm)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("stats", help="what the graph holds", description="Counts and interviews.")
    s.add_argument("--json", action="store_true", help="counts as JSON")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("search", help="search speaker turns",
                       description="Full-text search over speaker turns; a query naming an entity "
                       "also finds its other spellings.")
    s.add_argument("query")
    s.add_argument("--type", choices=["PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT"],
                   help="only turns mentioning an entity of this type")
    s.add_argument("--theme", help="only turns coded with this codebook code")
    s.add_argument("--interviewee", help="only this interviewee's turns (pseudonym)")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true", help="JSON lines with provenance")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("entities", help="list resolved entities",
                       description="Entities whose name or alias contains TEXT, most named first.")
    s.add_argument("text", nargs="?")
    s.add_argument("--type", choices=["PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT"])
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_entities)

    s = sub.add_parser("entity", help="every mention of one entity, with quotes",
                       description="An entity's profile: each mention with interview, turn, "
                       "offsets and quote.")
    s.add_argument("entity_id", help="e.g. place:raqa (see `testimony entities`)")
    s.set_defaults(func=cmd_entity)

    s = sub.add_parser("export", help="export the co-occurrence network",
                       description="Write the network of entities named together (GraphML, "
                       "GEXF, or neo4j-admin CSV). Pseudonym-safe: no interviewee attributes.")
    s.add_argument("output", help="file to write; the format follows the extension")
    s.add_argument("--format", choices=["graphml", "gexf", "csv"])
    s.add_argument("--type", action="append", help="keep entity type (repeatable)")
    s.add_argument("--theme", help="only turns coded with this theme")
    s.add_argument("--min-weight", type=int, default=1, help="minimum turns per connection")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("extract", help="print findings of files as JSON lines",
                       description="Extract mentions, links and themes from files and print one "
                       "JSON object per finding (kind: mention, link, theme), offsets into each "
                       "file's text as read.")
    s.add_argument("files", nargs="+")
    s.add_argument("--model", help="spaCy model name")
    s.set_defaults(func=cmd_extract)

    s = sub.add_parser("evaluate", help="score extraction against gold annotations",
                       description="Score ours and plain en_core_web_sm against a gold folder.")
    s.add_argument("--gold", default=str(REPO_ROOT.parent / "shared/corpus/dev/gold"))
    s.add_argument("--docs", default=str(REPO_ROOT.parent / "shared/corpus/dev/docs"))
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("serve", help="open the app in the browser",
                       description="Start the Streamlit app on localhost.")
    s.add_argument("--host", default="127.0.0.1",
                   help="bind address (default 127.0.0.1; others need TESTIMONY_APP_PASSWORD)")
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--headless", action="store_true", help="do not open a browser")
    s.set_defaults(func=cmd_serve)
    return p


def help_markdown() -> str:
    """docs/cli.md: every verb's --help, as the analyst sees it (checked by a test)."""
    parser = build_parser()
    parts = ["# The `testimony` command\n", "Generated from the parser: "
             "`python -m graph_builder.cli --help-markdown > docs/cli.md`.\n",
             "```\n" + parser.format_help() + "```\n"]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, verb in sub.choices.items():
        parts.append(f"## testimony {name}\n\n```\n{verb.format_help()}```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--help-markdown"]:
        os.environ.setdefault("COLUMNS", "100")
        print(help_markdown(), end="")
        return 0
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TestimonyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
