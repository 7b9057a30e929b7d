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
from schemas import ENTITY_TYPES

REPO_ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = """Turn interview testimony into a searchable knowledge graph.

The store is chosen by configuration: the embedded SQLite file (TESTIMONY_DB, default
./testimony.db) unless NEO4J_URI is set or TESTIMONY_BACKEND=neo4j."""


def _store(args: argparse.Namespace):
    settings = Settings.from_env()
    store = open_store(settings)
    print(f"[store: {store.backend} at {store.location}]", file=sys.stderr)
    return store


def _entity_id(store, given: str) -> str:
    """An entity id from what the analyst typed: an id (place:raka) or a name or alias (Raqqah)."""
    if store.entity(given) is not None:
        return given
    from queries.search import matching_entities

    found = matching_entities(store, given)
    if len(found) == 1:
        return found[0]
    if not found:
        raise TestimonyError(f"no entity named {given!r}; `testimony entities {given}` lists near names")
    raise TestimonyError(f"{given!r} names {len(found)} entities: {', '.join(found)}; give one id")


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from graph_builder.extract.model_loader import load_model
    from graph_builder.load import ingest

    nlp = load_model(args.model)
    store = _store(args)
    try:
        report = ingest(args.paths, store, nlp, workers=args.workers, replace=args.replace,
                        progress=lambda it: tqdm(it, desc="interviews", unit="interview",
                                                 file=sys.stderr, disable=args.quiet))
    finally:
        store.close()
    print(report.summary())
    return 1 if report.failed else 0  # the rest was ingested; the status tells scripts


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
                  interviewee=args.interviewee, offset=args.offset, limit=args.limit)
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
        shown = f"{args.offset + 1}-{args.offset + len(hits)} of " if len(hits) else ""
        print(f"{shown}{hits.total} turns", file=sys.stderr)
    return 0


def cmd_entities(args: argparse.Namespace) -> int:
    from queries.profiles import find_entities

    store = _store(args)
    page = find_entities(store, args.text or "", args.type, limit=args.limit, offset=args.offset)
    for s in page:
        e = s.entity
        print(f"{e.id}\t{e.type}\t{e.name}\t{s.mentions} mentions\t{s.interviewees} "
              f"interviewees\taliases: {', '.join(e.aliases)}")
    print(f"{len(page)} of {page.total} entities", file=sys.stderr)
    return 0


def cmd_entity(args: argparse.Namespace) -> int:
    from queries.profiles import entity_profile

    store = _store(args)
    p = entity_profile(store, _entity_id(store, args.entity_id), offset=args.offset,
                       limit=args.limit)
    s = p.summary
    print(f"{p.entity.name} ({p.entity.type}), aliases: {', '.join(p.entity.aliases)}")
    print(f"{s.mentions} mentions in {s.interviews} interviews; named by {s.interviewees} "
          "interviewees in their own turns")
    for row in p.interviews:
        for c in row.mentions:
            print(f"  {c.mention.interview_id} turn {c.turn.index} [{c.turn.speaker_role}] "
                  f"{c.mention.start}-{c.mention.end}: {c.quote}")
    if p.interviews.has_next:
        print(f"interviews {args.offset + 1}-{args.offset + len(p.interviews)} of "
              f"{p.interviews.total}; --offset {args.offset + len(p.interviews)} for the next",
              file=sys.stderr)
    return 0


def _network_query(args: argparse.Namespace):
    from queries.network import InterviewFilter, NetworkQuery

    where = InterviewFilter(gender=args.gender, nationality=args.nationality, status=args.status,
                            role=args.role, date_from=args.date_from, date_to=args.date_to)
    return NetworkQuery(types=tuple(args.type) if args.type else None, theme=args.theme,
                        min_weight=args.min_weight, where=where, max_nodes=args.max_nodes)


def _network(store, args: argparse.Namespace):
    from queries.network import network_data, to_graph
    from queries.paths import neighbourhood

    query = _network_query(args)
    if getattr(args, "around", None):
        return neighbourhood(store, _entity_id(store, args.around), args.depth, query=query)
    return to_graph(network_data(store, query))


def cmd_timeline(args: argparse.Namespace) -> int:
    from queries.timeline import describe, timeline

    store = _store(args)
    page = timeline(store, place=_entity_id(store, args.place) if args.place else None,
                    entity=_entity_id(store, args.entity) if args.entity else None,
                    theme=args.theme, interviewee=args.interviewee, offset=args.offset,
                    limit=args.limit)
    for item in page:
        if args.json:
            print(json.dumps({"date": item.date, "type": item.type, "source": item.source_name,
                              "source_id": item.source_id, "target": item.target_name,
                              "target_id": item.target_id, "interview": item.interview_id,
                              "pseudonym": item.pseudonym, "turn": item.turn_id,
                              "speaker_role": item.speaker_role, "start": item.start,
                              "end": item.end, "quote": item.quote,
                              "disagreements": list(item.disagreements)}, ensure_ascii=False))
            continue
        against = f"  (other witnesses: {', '.join(item.disagreements)})" if item.disagreements else ""
        print(f"{item.date:<10}  {describe(item)}{against}\n            "
              f"{item.pseudonym}, {item.interview_id}: \"{' '.join(item.quote.split())[:300]}\"")
    if not args.json:
        shown = f"{args.offset + 1}-{args.offset + len(page)} of " if len(page) else ""
        print(f"{shown}{page.total} dated items", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from queries.exports import export_graph, group_too_small

    store = _store(args)
    refused = group_too_small(store, _network_query(args).where)
    if refused:
        raise TestimonyError(f"refusing the export: {refused}")
    fmt = (args.format or Path(args.output).suffix.lstrip(".")).lower()
    if fmt == "gexf" and not args.around:
        # The whole network or a filtered part of it, written straight from the store's answer.
        from queries.exports import gexf
        from queries.network import network_data
        data = network_data(store, _network_query(args))
        Path(args.output).write_bytes(gexf(data, store=store))
        print(args.output)
        print(f"{len(data.nodes)} entities, {len(data.edges)} connections", file=sys.stderr)
        return 0
    graph = _network(store, args)
    for path in export_graph(graph, args.output, args.format, store=store):
        print(path)
    print(f"{graph.number_of_nodes()} entities, {graph.number_of_edges()} connections",
          file=sys.stderr)
    return 0


def cmd_corroborate(args: argparse.Namespace) -> int:
    from queries.corroboration import corroborate_entity, corroborate_link, corroborate_turn
    from queries.exports import quotes_report

    store = _store(args)
    if args.claim:
        from queries.claims import corroborate_claim
        from queries.exports import claim_report

        found = corroborate_claim(store, args.claim, limit=args.limit)
        fmt = "json" if args.json else args.format
        print(claim_report(found, store=store, fmt=fmt, include_attributes=args.include_attributes),
              end="")
        return 0
    if args.json:
        raise TestimonyError("--json is for a statement (--claim TEXT)")
    if args.turn:
        from queries.redaction import redactor

        r = redactor(store)  # witnesses by code, listed names redacted, as in a report
        for s in corroborate_turn(store, args.turn, limit=args.limit):
            shared = ", ".join(r.text(e.name) for e in s.shared_entities)
            print(f"{s.score:.3f}\t{s.turn.id}\t{r.code(s.pseudonym)}\tshares: {shared}\t"
                  f"{r.text(s.turn.text[:160])}")
        return 0
    if not args.entity:
        raise TestimonyError("name an entity id (see `testimony entities`), or --turn TURN_ID")
    entity = _entity_id(store, args.entity)
    # A report holds every source (the app shows them a page at a time).
    c = (corroborate_link(store, entity, _entity_id(store, args.with_entity), limit=None)
         if args.with_entity else corroborate_entity(store, entity, limit=None))
    print(quotes_report(c, fmt=args.format, store=store, include_attributes=args.include_attributes),
          end="")
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    from queries.paths import shortest_paths

    store = _store(args)
    paths = shortest_paths(store, _entity_id(store, args.source), _entity_id(store, args.target),
                           limit=args.limit, max_hops=args.max_hops)
    names = {i: s.entity.name for i, s in store.entity_summaries(
        {e for p in paths for e in p.entities}).items()}
    if not paths:
        print(f"no connection between them in interviewees' turns within {args.max_hops} hops")
    for i, p in enumerate(paths, 1):
        print(f"path {i}: " + " -> ".join(names.get(e, e) for e in p.entities))
        for hop in p.hops:
            cites = ", ".join(f"{t.interview_id} turn {t.index}" for t in hop.turns[:5])
            more = f" (+{hop.total - 5} more)" if hop.total > 5 else ""
            print(f"  {names.get(hop.source, hop.source)} — {names.get(hop.target, hop.target)}: {cites}{more}")
    return 0


def cmd_curate(args: argparse.Namespace) -> int:
    from graph_builder import curation

    store = _store(args)
    action = args.action
    if action == "log":
        for d in store.curation_log():
            extra = d.get("undoes") or ", ".join(d.get("entities", []))
            print(f"{d['id']}\t{d['when']}\t{d['who']}\t{d['action']}\t{extra}\t{d.get('why', '')}")
        return 0
    if action in ("uncertain", "review"):
        page = (curation.uncertain_merges(store, args.offset, args.limit) if action == "uncertain"
                else curation.review_queue(store, args.offset, args.limit))
        ids = {x for row in page for x in (row[:1] if action == "uncertain" else row[:2])}
        names = {i: s.entity.name for i, s in store.entity_summaries(ids).items()}
        for row in page:
            if action == "uncertain":
                eid, confidence, keys = row
                print(f"{confidence:.3f}\t{eid} ({names.get(eid, '?')})\t{', '.join(keys)}")
            else:
                a, b, score = row
                print(f"{score}\t{a} ({names.get(a, '?')})\t{b} ({names.get(b, '?')})")
        print(f"{len(page)} of {page.total}", file=sys.stderr)
        return 0
    common = {"who": args.who or "", "why": args.why or ""}
    ids = [_entity_id(store, i) for i in args.ids] if action != "undo" else args.ids
    need = {"merge": 2, "reject": 2, "rename": 1, "split": 1, "undo": 1, "confirm": 1}[action]
    if len(ids) != need:
        raise TestimonyError(f"curate {action} takes {need} id(s); got {len(ids)}")
    if action == "merge":
        d = curation.merge(store, ids[0], ids[1], evidence=args.evidence or "", name=args.name, **common)
    elif action == "reject":
        d = curation.reject(store, ids[0], ids[1], evidence=args.evidence or "", **common)
    elif action == "rename":
        if not args.name:
            raise TestimonyError("rename needs --name NEW_NAME")
        d = curation.rename(store, ids[0], args.name, evidence=args.evidence or "", **common)
    elif action == "split":
        if not args.key:
            raise TestimonyError(f"split needs --key KEY (repeatable); {ids[0]} has keys: "
                                 + ", ".join(curation.keys_of(store, ids[0])))
        d = curation.split(store, ids[0], args.key, name=args.name, evidence=args.evidence or "",
                           interviews=args.interview, **common)
    elif action == "confirm":
        d = curation.confirm(store, ids[0], evidence=args.evidence or "", **common)
    else:
        d = curation.undo(store, ids[0], **common)
    print(f"recorded decision {d['id']} ({d['action']})")
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from graph_builder.load import refresh_resolution

    store = _store(args)
    try:
        pending = len(store.pending_keys())
        refresh_resolution(store, full=args.full, structure=args.structure)
        writes, at = store.graph_version()
    finally:
        store.close()
    print(f"resolved {'every key' if args.full else f'{pending} pending keys'}; network structure "
          f"{'up to date' if writes == at else f'from {writes - at} writes ago'}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from graph_builder.extract.findings import extract_findings
    from graph_builder.extract.model_loader import load_model

    nlp = load_model(args.model)
    failed: list[tuple[str, str]] = []
    for finding in extract_findings(args.files, nlp, workers=args.workers, failed=failed):
        print(json.dumps(finding, ensure_ascii=False))
    for path, reason in failed:
        print(f"FAILED {path}: {reason}", file=sys.stderr)
    return 1 if failed else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from graph_builder.extract.evaluate import format_report, run_evaluation, score

    if args.predictions:
        # Someone else's findings (or ours, saved): `testimony extract ... | testimony evaluate --predictions -`
        lines = sys.stdin if args.predictions == "-" else open(args.predictions, encoding="utf-8")
        report = score((line for line in lines if line.strip()), args.gold, args.docs)
    else:
        report = run_evaluation(args.gold, args.docs)
    print(json.dumps(report, indent=1) if args.json else format_report(report))
    return 0


def _new_password(args: argparse.Namespace) -> str:
    """A password from stdin (--password-stdin, for scripts) or asked twice at the terminal."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if first != getpass.getpass("Again: "):
        raise TestimonyError("the two passwords differ; nothing was changed")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from graph_builder import accounts

    if args.action == "list":
        for a in accounts.accounts():
            print(f"{a.name}\t{a.role}\tsince {a.created}" + ("\tidentity provider" if a.oidc else ""))
        print(f"{len(accounts.accounts())} account(s) in {accounts.users_path()}", file=sys.stderr)
        return 0
    if not args.name:
        raise TestimonyError(f"`testimony users {args.action}` needs an account name")
    if args.action == "add":
        a = accounts.add(args.name, None if args.oidc else _new_password(args), args.role,
                         oidc=args.oidc)
        print(f"added {a.name} ({a.role}) to {accounts.users_path()}", file=sys.stderr)
    elif args.action == "passwd":
        accounts.passwd(args.name, _new_password(args))
        print(f"changed the password of {args.name}", file=sys.stderr)
    elif args.action == "remove":
        accounts.remove(args.name)
        print(f"removed {args.name}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from graph_builder import accounts
    from graph_builder.app_server import is_loopback

    if bool(args.tls_cert) != bool(args.tls_key):
        raise TestimonyError("TLS needs both --tls-cert and --tls-key")
    for name in (args.tls_cert, args.tls_key):
        if name and not Path(name).is_file():
            raise TestimonyError(f"{name}: no such file (give a PEM certificate and its key)")
    if not is_loopback(args.host):
        if not accounts.accounts():
            raise TestimonyError(
                f"refusing to serve on {args.host} without accounts: the material can identify "
                "witnesses. Add them with `testimony users add NAME --role analyst`, or serve "
                "on 127.0.0.1 (the default).")
        if not args.tls_cert:
            raise TestimonyError(
                f"refusing to serve on {args.host} over plain HTTP: passwords and testimony "
                "would cross the network in clear. Give --tls-cert FILE --tls-key FILE, or "
                "serve on 127.0.0.1 behind a TLS-terminating proxy.")
    if os.environ.get("TESTIMONY_APP_PASSWORD"):
        print("warning: TESTIMONY_APP_PASSWORD is no longer read; people sign in with their "
              "own accounts (`testimony users add NAME --role analyst`)", file=sys.stderr)
    # streamlit_app.py declares an st.App: its sign-in gate and routes come with it, and
    # importing graph_builder.app_server switches Streamlit's outbound address lookups off.
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "streamlit_app.py"),
           "--server.address", args.host, "--server.port", str(args.port),
           "--browser.serverAddress", args.host,
           "--browser.gatherUsageStats", "false", "--server.showEmailPrompt", "false",
           "--logger.hideWelcomeMessage", "true", "--server.headless", str(args.headless).lower()]
    if args.tls_cert:
        cmd += ["--server.sslCertFile", str(Path(args.tls_cert).resolve()),
                "--server.sslKeyFile", str(Path(args.tls_key).resolve())]
    # The app refuses connections under host names it was not told about (DNS rebinding).
    hosts = args.allowed_host or ([] if is_loopback(args.host) else [args.host])
    for host in hosts:
        cmd += ["--server.allowedHosts", host]
    print(" ".join(cmd), file=sys.stderr)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    scheme = "https" if args.tls_cert else "http"
    print(f"The app: {scheme}://{shown}:{args.port}", file=sys.stderr)
    return subprocess.call(cmd, cwd=REPO_ROOT)


def _network_filters(s: argparse.ArgumentParser) -> None:
    s.add_argument("--type", action="append", choices=list(ENTITY_TYPES),
                   help="keep entity type (repeatable)")
    s.add_argument("--theme", help="only turns coded with this theme")
    s.add_argument("--min-weight", type=int, default=1, help="minimum turns per connection")
    s.add_argument("--max-nodes", type=int, help="keep the most-mentioned entities")
    for attr in ("gender", "nationality", "status", "role"):
        s.add_argument(f"--{attr}", help=f"only interviews whose interviewee's {attr} is this")
    s.add_argument("--date-from", help="only interviews on or after this ISO date")
    s.add_argument("--date-to", help="only interviews on or before this ISO date")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="testimony", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    s = sub.add_parser("ingest", help="read transcripts into the graph (idempotent)",
                       description="Read transcript files or folders (txt, md, docx, pdf, srt, "
                       "vtt, json; metadata.csv beside them) into the graph. Unchanged files "
                       "are skipped, changed ones replaced, broken ones reported while the rest "
                       "go in (exit status 1 when any file failed). Missing paths, pipes and "
                       "symlinks out of a folder are reported and skipped.")
    s.add_argument("paths", nargs="+", help="files or folders")
    s.add_argument("--workers", type=int, default=1, help="processes for extraction (default 1)")
    s.add_argument("--model", help="spaCy model name (default: TESTIMONY_SPACY_MODEL or en_core_web_sm)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--replace", action="store_true",
                   help="let a file replace an interview of the same id held from another file "
                        "(refused by default, with both paths named)")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("stats", help="what the graph holds", description="Counts and interviews.")
    s.add_argument("--json", action="store_true", help="counts as JSON")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("search", help="search speaker turns",
                       description="Full-text search over speaker turns; a query naming an entity "
                       "also finds its other spellings. Words in double quotes must stand together.")
    s.add_argument("query")
    s.add_argument("--type", choices=list(ENTITY_TYPES),
                   help="only turns mentioning an entity of this type")
    s.add_argument("--theme", help="only turns coded with this codebook code")
    s.add_argument("--interviewee", help="only this interviewee's turns (pseudonym)")
    s.add_argument("--limit", type=int, default=50, help="turns per page (default 50)")
    s.add_argument("--offset", type=int, default=0, help="skip this many (the next page)")
    s.add_argument("--json", action="store_true", help="JSON lines with provenance")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("timeline", help="dated events and links in order, with quotes",
                       description="Dated events and links, earliest first, each with its date "
                       "(as precise as told), the witness and the words; an event whose "
                       "witnesses give different days shows the other dates.")
    s.add_argument("--place", help="only items at this place (name or id), or events there")
    s.add_argument("--entity", help="only items about this entity (name or id)")
    s.add_argument("--theme", help="only items from turns coded with this codebook code")
    s.add_argument("--interviewee", help="only this interviewee's account (pseudonym)")
    s.add_argument("--limit", type=int, default=50, help="items per page (default 50)")
    s.add_argument("--offset", type=int, default=0, help="skip this many (the next page)")
    s.add_argument("--json", action="store_true", help="JSON lines with provenance")
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser("entities", help="list resolved entities",
                       description="Entities a word of whose name or alias begins with each "
                       "word of TEXT (raq finds Raqqa and ar-Raqqah), most named first.")
    s.add_argument("text", nargs="?")
    s.add_argument("--type", choices=list(ENTITY_TYPES))
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--offset", type=int, default=0, help="skip this many (the next page)")
    s.set_defaults(func=cmd_entities)

    s = sub.add_parser("entity", help="every mention of one entity, with quotes",
                       description="An entity's profile: each mention with interview, turn, "
                       "offsets and quote.")
    s.add_argument("entity_id", help="an entity id (see `testimony entities`) or its name")
    s.add_argument("--limit", type=int, default=20, help="interviews per page (default 20)")
    s.add_argument("--offset", type=int, default=0, help="skip this many interviews")
    s.set_defaults(func=cmd_entity)

    s = sub.add_parser("export", help="export the network (GraphML, GEXF, Cytoscape, CSV, PNG, SVG, HTML)",
                       description="Write the network of entities named together in interviewees' "
                       "turns, or a chosen part of it. The format follows the extension (.graphml, "
                       ".gexf, .json for Cytoscape, .csv for neo4j-admin import, .png, .svg, .html). "
                       "Pseudonym-safe: no interviewee attributes.")
    s.add_argument("output", help="file to write")
    s.add_argument("--format", choices=["graphml", "gexf", "cytoscape", "csv", "png", "svg", "html"])
    _network_filters(s)
    s.add_argument("--around", metavar="ENTITY", help="only the neighbourhood of this entity (id or name)")
    s.add_argument("--depth", type=int, default=1, help="hops around --around (default 1)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("corroborate", help="who attests a statement, an entity, a link or a turn",
                       description="Who else says this: the people whose sentences support a "
                       "statement (--claim TEXT), ranked, each quote with provenance, speaker "
                       "role and epistemic status, the sentences that give another date, "
                       "number, place or actor side by side, and where the supporters differ. "
                       "Or the distinct interviewees attesting an entity (or a link with "
                       "--with, or similar turns with --turn). Prints a quotes report; "
                       "witnesses by their keyed codes.")
    s.add_argument("entity", nargs="?", help="entity id or name")
    s.add_argument("--with", dest="with_entity", metavar="ENTITY", help="corroborate the link to this entity")
    s.add_argument("--turn", metavar="TURN_ID", help="turns of other interviews telling the same (e.g. int-03#7)")
    s.add_argument("--claim", metavar="TEXT",
                   help='a statement: "the hisbah flogged him fifty times in the square"')
    s.add_argument("--json", action="store_true",
                   help="with --claim: one JSON object, its sources ranked strongest first")
    s.add_argument("--format", choices=["md", "csv"], default="md")
    s.add_argument("--include-attributes", action="store_true",
                   help="add interviewee attributes (identifying; off by default)")
    s.add_argument("--limit", type=int, default=20)
    s.set_defaults(func=cmd_corroborate)

    s = sub.add_parser("paths", help="how two entities connect, with evidence",
                       description="Shortest paths between two entities in the co-occurrence "
                       "network, with the interviewee turns that attest each hop.")
    s.add_argument("source", help="entity id or name")
    s.add_argument("target", help="entity id or name")
    s.add_argument("--limit", type=int, default=5)
    s.add_argument("--max-hops", type=int, default=6, help="longest path looked for (default 6)")
    s.set_defaults(func=cmd_paths)

    s = sub.add_parser("curate", help="merge, split, rename, reject, undo; the decision log",
                       description="Record an analyst's decision about entities. Decisions are "
                       "logged (who, when, why, evidence) and replayed on every re-ingest. "
                       "Actions: merge A B, split A --key K [--interview I], rename A --name N, reject A B, "
                       "confirm A (an uncertain merge is right), undo DECISION_ID, log, review (possibly-same "
                       "pairs), uncertain (merges made with less than full confidence).")
    s.add_argument("action", choices=["merge", "split", "rename", "reject", "confirm", "undo", "log",
                                      "review", "uncertain"])
    s.add_argument("ids", nargs="*", help="entity ids or names (a decision id for undo)")
    s.add_argument("--who", help="the analyst making the decision (required for changes)")
    s.add_argument("--why", help="the reason, for the log")
    s.add_argument("--evidence", help="what it rests on (interview, turn, document)")
    s.add_argument("--name", help="the name to give (merge, rename, split)")
    s.add_argument("--key", action="append", help="a mention key to split off (repeatable)")
    s.add_argument("--interview", action="append",
                   help="split: only the key's mentions in this interview (repeatable): one name, two people")
    s.add_argument("--limit", type=int, default=100, help="review, uncertain: rows per page")
    s.add_argument("--offset", type=int, default=0, help="review, uncertain: skip this many")
    s.set_defaults(func=cmd_curate)

    s = sub.add_parser("resolve", help="resolve what is pending, or everything; network structure",
                       description="Resolve the mention keys an interrupted ingest left pending "
                       "(ingest does this itself), or with --full every key again from scratch, "
                       "replaying the curation log; then recompute the network's communities "
                       "and centrality if the graph changed enough (--structure: always).")
    s.add_argument("--full", action="store_true", help="re-resolve every key")
    s.add_argument("--structure", action="store_true", help="recompute communities and centrality now")
    s.set_defaults(func=cmd_resolve)

    s = sub.add_parser("extract", help="print findings of files as JSON lines",
                       description="Extract mentions, links and themes from files and print one "
                       "JSON object per finding (kind: mention, link, theme), offsets into each "
                       "file's text as read, canonical names resolved across all the files. "
                       "Unreadable files are reported on stderr (exit status 1); the rest go on.")
    s.add_argument("files", nargs="+", help="transcript files, or folders of them")
    s.add_argument("--model", help="spaCy model name")
    s.add_argument("--workers", type=int, default=1, help="processes for extraction (default 1)")
    s.set_defaults(func=cmd_extract)

    s = sub.add_parser("evaluate", help="score extraction against gold annotations",
                       description="Score our extraction and plain en_core_web_sm side by side "
                       "against a gold folder (typed mentions, clusters, themes, facts); or, "
                       "with --predictions, score given findings in the `extract` format.")
    s.add_argument("--predictions", metavar="FILE",
                   help="JSON lines in the extract format to score instead ('-' reads stdin)")
    s.add_argument("--json", action="store_true", help="the report as JSON")
    s.add_argument("--gold", default=str(REPO_ROOT.parent / "shared/corpus/dev/gold"))
    s.add_argument("--docs", default=str(REPO_ROOT.parent / "shared/corpus/dev/docs"))
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("users", help="accounts for a served app: add, remove, passwd, list",
                       description="Named accounts with roles, in TESTIMONY_USERS (default "
                       "testimony-users.json): reader (search and read), analyst (also curate; "
                       "the decision log records the account), admin (also reports with "
                       "interviewee attributes). Passwords are hashed with argon2id.")
    s.add_argument("action", choices=["add", "remove", "passwd", "list"])
    s.add_argument("name", nargs="?", help="the account (not for list)")
    s.add_argument("--role", choices=["reader", "analyst", "admin"], default="reader",
                   help="for add (default reader)")
    s.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin (for scripts)")
    s.add_argument("--oidc", action="store_true",
                   help="for add: NAME is the e-mail address your identity provider signs in "
                   "(OIDC, [auth] in .streamlit/secrets.toml); no password here")
    s.set_defaults(func=cmd_users)

    s = sub.add_parser("audit", help="the audit log: who read, searched, exported what, when",
                       description="The append-only audit log (TESTIMONY_AUDIT, default "
                       "testimony-audit.db): every sign-in and failed sign-in, search, reading, "
                       "export, report and curation decision in the app, and every run of a "
                       "verb that reads or changes testimony here. Newest first.")
    s.add_argument("--account", help="only this account (a terminal user is cli:NAME)")
    s.add_argument("--action", help="only this action (signin, signin failed, search, export, ...)")
    s.add_argument("--limit", type=int, default=100, help="at most this many entries (default 100)")
    s.add_argument("--csv", action="store_true", help="as CSV")
    s.add_argument("--verify", action="store_true",
                   help="check the hash chain: exit 2 if an entry was changed or removed")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("serve", help="open the app in the browser",
                       description="Start the app. On 127.0.0.1 (the default) with no accounts "
                       "it opens for the one analyst of this machine; with accounts everyone "
                       "signs in first. Any other address needs accounts and a TLS certificate "
                       "(--tls-cert/--tls-key), or a TLS-terminating proxy in front of "
                       "127.0.0.1.")
    s.add_argument("--host", default="127.0.0.1",
                   help="bind address (default 127.0.0.1; others need accounts and TLS)")
    s.add_argument("--tls-cert", metavar="FILE", help="PEM certificate: serve over HTTPS")
    s.add_argument("--tls-key", metavar="FILE", help="the certificate's PEM private key")
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--headless", action="store_true", help="do not open a browser")
    s.add_argument("--allowed-host", action="append", metavar="NAME",
                   help="a host name analysts reach the app under (repeatable; default: --host "
                   "when it is not localhost)")
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


# The verbs that read, export or change testimony: each run is one entry in the audit log.
AUDITED = frozenset({"ingest", "search", "entity", "timeline", "export", "corroborate", "paths",
                     "curate", "resolve", "users"})


def _audit(args: argparse.Namespace) -> None:
    from graph_builder import audit

    detail = {k: v for k, v in sorted(vars(args).items())
              if k not in ("func", "verb", "password_stdin") and v not in (None, False, [])
              and isinstance(v, (str, int, float, bool, list))}
    subject = next((str(detail[k]) for k in ("query", "entity", "name", "output", "paths", "path")
                    if k in detail), "")
    audit.record(args.verb, subject, detail, actor=audit.cli_actor(), role="terminal",
                 address="localhost")


def cmd_audit(args: argparse.Namespace) -> int:
    from graph_builder import audit

    if args.verify:
        checked, broken = audit.verify()
        if broken is not None:
            raise TestimonyError(f"{audit.audit_path()}: the audit log was altered; the chain "
                                 f"breaks at entry {broken} (of {checked} read)")
        print(f"{audit.audit_path()}: {checked} entries, the chain intact", file=sys.stderr)
        return 0
    rows, total = audit.entries(actor=args.account, action=args.action, limit=args.limit)
    if args.csv:
        sys.stdout.write(audit.to_csv(rows))
    else:
        for e in rows:
            print(f"{e.seq}\t{e.at}\t{e.actor}\t{e.role}\t{e.address}\t{e.action}\t"
                  f"{e.subject}\t{e.detail}")
    print(f"{len(rows)} of {total} entries, newest first", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--help-markdown"]:
        os.environ.setdefault("COLUMNS", "100")
        print(help_markdown(), end="")
        return 0
    args = build_parser().parse_args(argv)
    try:
        if args.verb in AUDITED:
            _audit(args)
        return args.func(args)
    except TestimonyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (`testimony search x | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
