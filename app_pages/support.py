"""The Streamlit glue the pages share: the cached store, cached reads, shared widgets.

The app is thin: pages call this module, queries/render.py (markup, colours, layout, export
bytes; no Streamlit) and the rest of `queries/`, nothing else; the Curation page's decisions go
through graph_builder.curation, via `decide` here. The store lives in `st.cache_resource` (one
per configuration); query results live in `st.cache_data`, keyed on the store's location and
its write counter, so a re-ingest shows up at the next page run without restarting the app,
and a curation decision clears the cache at once. Every list is read one page at a time (the
store counts the total), so a page costs the same with 30 interviews or 2,000, and a rerun is
served from the cache. Communities and centrality are the store's, computed when the graph
changed, never during a page request.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

import networkx as nx
import streamlit as st

from graph_builder import curation
from graph_builder.config import Settings, open_store
from graph_builder.errors import NotFound
from graph_builder.store.base import (EntitySummary, GraphStore, InterviewFilter,
                                      InterviewSummary, NetworkData, Page, TimelineItem)
from graph_builder.store.base import NetworkQuery as StoreQuery
from queries import render
from queries.corroboration import (Corroboration, SimilarTurn, corroborate_entity,
                                   corroborate_link, corroborate_turn)
from queries.exports import quotes_report
from queries.interviews import InterviewReading, list_interviews, read_interview, witness_entity
from queries.network import network_data, relation_data, relation_graph, to_graph
from queries.paths import Path as EntityPath
from queries.paths import central_entities, neighbourhood_data, shortest_paths
from queries.profiles import EntityProfile, entity_profile, find_entities
from queries.search import SearchHit, search
from queries.timeline import timeline as timeline_query
from schemas import ENTITY_TYPES, SPEAKER_ROLES, load_codebook

# Page files, relative to streamlit_app.py (what st.Page, st.page_link and st.switch_page take).
# The folder is not called `pages/`: Streamlit would then also run each file on its own (its
# old multipage mode), past the entry script and its password gate.
SEARCH_PAGE = "app_pages/search.py"
ENTITY_PAGE = "app_pages/entity.py"
INTERVIEW_PAGE = "app_pages/interview.py"
CORROBORATION_PAGE = "app_pages/corroboration.py"
NETWORK_PAGE = "app_pages/network.py"
EXPORT_PAGE = "app_pages/export.py"
CURATION_PAGE = "app_pages/curation.py"
TIMELINE_PAGE = "app_pages/timeline.py"
AUDIT_PAGE = "app_pages/audit.py"

StoreKey = tuple[str, str, int, int]
PICKER_MATCHES = 50  # entities an entity picker offers for the words typed


# --------------------------------------------------------------------------------------------
# The store and its version
# --------------------------------------------------------------------------------------------

def settings_key(settings: Settings) -> tuple[str, ...]:
    """What identifies a store (the password is not part of it)."""
    return (settings.backend, settings.sqlite_path, settings.neo4j_uri or "",
            settings.neo4j_user, settings.neo4j_database)


@st.cache_resource(show_spinner="Opening the graph store…")
def _open_store(key: tuple[str, ...]) -> GraphStore:
    settings = Settings.from_env()
    if settings_key(settings) != key:  # the environment changed between key and call
        raise RuntimeError("store settings changed while opening the store; reload the page")
    return open_store(settings)


def get_store() -> GraphStore:
    """The configured store, opened once per configuration for the whole server."""
    return _open_store(settings_key(Settings.from_env()))


@st.cache_data(ttl=2, show_spinner=False)
def _version(_store: GraphStore, location: tuple[str, str]) -> tuple[int, int]:
    return _store.graph_version()


def store_key(store: GraphStore) -> StoreKey:
    """Cache key of the store's current contents: backend, location, the store's write
    counter and when the network structure was computed (one small read, every 2 s)."""
    loc = (store.backend, store.location)
    return (*loc, *_version(store, loc))


@st.cache_data(ttl=600, show_spinner=False)
def _stats(_store: GraphStore, key: StoreKey) -> dict[str, int]:
    return _store.stats()


def store_stats(store: GraphStore) -> dict[str, int]:
    return _stats(store, store_key(store))


@st.cache_data(show_spinner=False)
def codebook_labels() -> dict[str, str]:
    """Theme code -> label, from the codebook in use (TESTIMONY_CODEBOOK overrides)."""
    return {t.code: t.label for t in load_codebook(os.environ.get("TESTIMONY_CODEBOOK") or None)}


# --------------------------------------------------------------------------------------------
# Cached reads: interviews, search, entities, the reader
# --------------------------------------------------------------------------------------------

@st.cache_data(ttl=600, show_spinner=False)
def _interviews(_store: GraphStore, key: StoreKey) -> list[InterviewSummary]:
    return list_interviews(_store)


def interviews(store: GraphStore) -> list[InterviewSummary]:
    """Every interview's summary row (one per interview: the reader's list, the filters)."""
    return _interviews(store, store_key(store))


@st.cache_data(ttl=600, show_spinner=False)
def _interview_index(_store: GraphStore, key: StoreKey) -> dict[str, InterviewSummary]:
    return {s.id: s for s in list_interviews(_store)}


def interview_index(store: GraphStore) -> dict[str, InterviewSummary]:
    return _interview_index(store, store_key(store))


@st.cache_data(ttl=600, show_spinner="Searching…", max_entries=200)
def _search(_store: GraphStore, key: StoreKey, query: str, entity_type: str | None,
            theme: str | None, interviewee: str | None, roles: tuple[str, ...],
            offset: int, limit: int) -> Page[SearchHit]:
    return search(_store, query, entity_type=entity_type, theme=theme, interviewee=interviewee,
                  speaker_roles=roles, offset=offset, limit=limit)


def search_turns(store: GraphStore, query: str, *, entity_type: str | None = None,
                 theme: str | None = None, interviewee: str | None = None,
                 roles: tuple[str, ...] = tuple(SPEAKER_ROLES), offset: int = 0,
                 limit: int = 20) -> Page[SearchHit]:
    return _search(store, store_key(store), query, entity_type, theme, interviewee, roles,
                   offset, limit)


@st.cache_data(ttl=600, show_spinner="Ordering the dated accounts…", max_entries=200)
def _timeline(_store: GraphStore, key: StoreKey, place: str | None, entity_id: str | None,
              theme: str | None, interviewee: str | None, offset: int,
              limit: int) -> Page[TimelineItem]:
    return timeline_query(_store, place=place, entity=entity_id, theme=theme,
                          interviewee=interviewee, offset=offset, limit=limit)


def timeline(store: GraphStore, *, place: str | None = None, entity_id: str | None = None,
             theme: str | None = None, interviewee: str | None = None, offset: int = 0,
             limit: int = 25) -> Page[TimelineItem]:
    return _timeline(store, store_key(store), place, entity_id, theme, interviewee, offset, limit)


@st.cache_data(ttl=600, show_spinner=False, max_entries=300)
def _find(_store: GraphStore, key: StoreKey, text: str, entity_type: str | None,
          offset: int, limit: int) -> Page[EntitySummary]:
    return find_entities(_store, text, entity_type, limit=limit, offset=offset)


def entities_matching(store: GraphStore, text: str = "", entity_type: str | None = None,
                      limit: int = 50, offset: int = 0) -> Page[EntitySummary]:
    """Entities a word of whose name starts with each word of `text`, most named first."""
    return _find(store, store_key(store), text, entity_type, offset, limit)


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def _summaries(_store: GraphStore, key: StoreKey, ids: tuple[str, ...]) -> dict[str, EntitySummary]:
    return _store.entity_summaries(ids)


def entity_summaries(store: GraphStore, ids) -> dict[str, EntitySummary]:
    """The entities with these ids (names, types, counts) that exist."""
    return _summaries(store, store_key(store), tuple(sorted(set(ids))))


def entity_names(store: GraphStore, ids) -> dict[str, str]:
    return {i: s.entity.name for i, s in entity_summaries(store, ids).items()}


def entity(store: GraphStore, entity_id: str | None) -> EntitySummary | None:
    if not entity_id:
        return None
    return entity_summaries(store, [entity_id]).get(entity_id)


@st.cache_data(ttl=600, show_spinner="Loading the entity…", max_entries=100)
def _profile(_store: GraphStore, key: StoreKey, entity_id: str, offset: int,
             limit: int) -> EntityProfile:
    return entity_profile(_store, entity_id, offset=offset, limit=limit)


def profile(store: GraphStore, entity_id: str, offset: int = 0, limit: int = 10) -> EntityProfile:
    """An entity page: counts, `limit` interviews from `offset` with their mentions."""
    return _profile(store, store_key(store), entity_id, offset, limit)


@st.cache_data(ttl=600, show_spinner="Loading the interview…", max_entries=50)
def _reading(_store: GraphStore, key: StoreKey, interview_id: str) -> InterviewReading:
    return read_interview(_store, interview_id)


def reading(store: GraphStore, interview_id: str) -> InterviewReading:
    return _reading(store, store_key(store), interview_id)


@st.cache_data(ttl=600, show_spinner=False, max_entries=50)
def _interview_details(_store: GraphStore, key: StoreKey,
                       interview_id: str) -> dict[str, str | None]:
    iv = _store.interview(interview_id)
    if iv is None:
        return {}
    return {"language": iv.language, "interviewer": iv.interviewer, "age": iv.interviewee.age}


# --------------------------------------------------------------------------------------------
# Who is working: the sign-in the HTTP gate checked (graph_builder/app_server.py)
# --------------------------------------------------------------------------------------------

def sign_in_state() -> str | None:
    """Reads this session's sign-in into st.session_state ("account", "role"); returns why
    nothing may render, or None. With accounts, the session must hold a live sign-in (the
    gate lets no request through without one; this is the same check, for the script). With
    none, only this machine may use the app: the one analyst, with every right."""
    from graph_builder.app_server import account_names, is_loopback
    from graph_builder.sessions import SESSION_COOKIE, SESSIONS

    for k in ("account", "role", "signed_in_with"):
        st.session_state.pop(k, None)
    names = account_names()
    if names:
        session = SESSIONS.get(st.context.cookies.get(SESSION_COOKIE))
        if session is not None and session.account in names:
            st.session_state["account"], st.session_state["role"] = session.account, session.role
            return None
        person = _identity_provider_account()
        if person is not None:
            st.session_state["account"], st.session_state["role"] = person.name, person.role
            st.session_state["signed_in_with"] = "oidc"
            audit_once("signin", person.name, {"with": "identity provider"})
            return None
        return "Sign in to open the app: your session has ended, or you have not signed in."
    address = st.context.ip_address  # None on localhost (and no string in a test run)
    if isinstance(address, str) and address and not is_loopback(address):
        return ("This app is reached from beyond this machine without accounts, and the "
                "material can identify witnesses. Add accounts with `testimony users add NAME "
                "--role analyst` and start it again.")
    return None


def _identity_provider_account():  # noqa: ANN202 - an accounts.Account or None
    """The account of the person the identity provider signed in (st.user, Streamlit's OIDC
    login), when one is configured and an admin gave that e-mail address an account."""
    from graph_builder.accounts import identity
    from graph_builder.app_server import identity_providers

    if not identity_providers():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email")
    except Exception:  # noqa: BLE001 - no [auth] section Streamlit accepts
        return None
    return identity(email if isinstance(email, str) else None)


def signed_in() -> str | None:
    """The account this session signed in with (None: no accounts in use)."""
    return st.session_state.get("account")


def may(role: str) -> bool:
    """Whether this session may do what `role` may: with accounts, by the account's role;
    without (one analyst on this machine), yes."""
    from graph_builder.accounts import ROLES

    held = st.session_state.get("role")
    return held is None or ROLES.index(held) >= ROLES.index(role)


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def signin_url() -> str:
    return _base_path() + "/signin"


def signout_url() -> str:
    """Our sign-out; the identity provider's (Streamlit's /auth/logout) for its accounts."""
    if st.session_state.get("signed_in_with") == "oidc":
        return _base_path() + "/auth/logout"
    return _base_path() + "/signout"


def recording_url(interview_id: str) -> str:
    """Where the browser fetches an interview's recording: /recordings/<id> on this server,
    behind the sign-in, streamed from disk in ranges (never loaded whole into the app)."""
    from urllib.parse import quote, urlsplit

    page = st.context.url
    if page:
        parts = urlsplit(page)
        origin = f"{parts.scheme}://{parts.netloc}"
    else:  # no browser told us its address (a test run): the configured one
        origin = (f"http://{st.get_option('server.address') or 'localhost'}:"
                  f"{st.get_option('server.port')}")
    return f"{origin}{_base_path()}/recordings/{quote(interview_id, safe='')}"


def audit(action: str, subject: str = "", detail: str | dict = "") -> None:
    """One entry in the audit log, under this session's account (graph_builder/audit.py)."""
    from graph_builder import audit as log

    log.record(action, subject, detail, actor=signed_in() or "local",
               role=st.session_state.get("role") or ("admin" if not signed_in() else ""),
               address=_address())


def _address() -> str:
    ip = st.context.ip_address
    return ip if isinstance(ip, str) and ip else "localhost"


def audit_once(action: str, subject: str = "", detail: str | dict = "") -> None:
    """audit(), once per session for the same action and subject (a page's reruns are one
    reading, not many)."""
    seen = st.session_state.setdefault("_audited", set())
    key = (action, subject, repr(detail))
    if key not in seen:
        seen.add(key)
        audit(action, subject, detail)


@st.cache_data(ttl=600, show_spinner=False, max_entries=200)
def _witness(_store: GraphStore, key: StoreKey, pseudonym: str, interview_id: str) -> str | None:
    return witness_entity(_store, pseudonym, interview_id)


def witness_entity_of(store: GraphStore, pseudonym: str, interview_id: str) -> str | None:
    return _witness(store, store_key(store), pseudonym, interview_id)


def interview_details(store: GraphStore, interview_id: str) -> dict[str, str | None]:
    """Metadata the summary row does not carry (language, interviewer, age)."""
    return _interview_details(store, store_key(store), interview_id)


@st.cache_data(ttl=600, show_spinner=False, max_entries=200)
def _turn_mentions(_store: GraphStore, key: StoreKey, turn_ids: tuple[str, ...]):
    out: dict[str, list] = {}
    for m in _store.mentions(turn_ids=turn_ids):
        out.setdefault(m.turn_id, []).append(m)
    return out


def turn_mentions(store: GraphStore, turn_ids) -> dict[str, list]:
    """The mentions of some turns (to highlight a page of them)."""
    return _turn_mentions(store, store_key(store), tuple(sorted(set(turn_ids))))


# --------------------------------------------------------------------------------------------
# Corroboration
# --------------------------------------------------------------------------------------------

@st.cache_data(ttl=600, show_spinner="Weighing the sources…", max_entries=200)
def _corroboration(_store: GraphStore, key: StoreKey, entity_id: str, other_id: str | None,
                   offset: int, limit: int | None) -> Corroboration:
    if other_id:
        return corroborate_link(_store, entity_id, other_id, offset=offset, limit=limit)
    return corroborate_entity(_store, entity_id, offset=offset, limit=limit)


def corroboration(store: GraphStore, entity_id: str, other_id: str | None = None, *,
                  offset: int = 0, limit: int | None = 10) -> Corroboration:
    """A page of the sources of an entity, or of the link between two entities (`other_id`),
    with the counts over all of them; `limit` None: every source (for a report)."""
    return _corroboration(store, store_key(store), entity_id, other_id or None, offset, limit)


@st.cache_data(ttl=600, show_spinner="Looking for who else says it…", max_entries=200)
def _claim(_store: GraphStore, key: StoreKey, claim: str, exclude: str | None, limit: int):
    from queries.claims import corroborate_claim

    return corroborate_claim(_store, claim, limit=limit, exclude_pseudonym=exclude)


def claim_corroboration(store: GraphStore, claim: str, *, exclude: str | None = None,
                        limit: int = 10):  # noqa: ANN201 - queries.claims.ClaimCorroboration
    """The people who say `claim` (queries/claims.py), ranked; `exclude`: the witness who
    said it, when it was picked from their turn."""
    return _claim(store, store_key(store), claim.strip(), exclude, limit)


def claim_report_bytes(store: GraphStore, claim: str, exclude: str | None, fmt: str,
                       include_attributes: bool) -> str:
    from queries.exports import claim_report

    found = claim_corroboration(store, claim, exclude=exclude, limit=100)
    audit("report", claim[:200], {"format": fmt, "with_attributes": include_attributes})
    return claim_report(found, store=store, fmt=fmt, include_attributes=include_attributes)


@st.cache_data(ttl=600, show_spinner="Looking for the same account elsewhere…", max_entries=200)
def _similar_turns(_store: GraphStore, key: StoreKey, turn_id: str,
                   limit: int) -> list[SimilarTurn]:
    return corroborate_turn(_store, turn_id, limit=limit)


def similar_turns(store: GraphStore, turn_id: str, limit: int = 20) -> list[SimilarTurn]:
    """Turns of other interviews telling the same thing, best first."""
    return _similar_turns(store, store_key(store), turn_id, limit)


def report(store: GraphStore, entity_id: str, other_id: str | None, fmt: str,
           include_attributes: bool) -> str:
    """The quotes report (Markdown or CSV) of every source of a corroboration."""
    corr = corroboration(store, entity_id, other_id, limit=None)
    audit("report", corr.subject, {"format": fmt, "with_attributes": include_attributes})
    return quotes_report(corr, fmt=fmt, store=store, include_attributes=include_attributes)


# --------------------------------------------------------------------------------------------
# Networks: read from the store's aggregates and laid out once per query, cached
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ViewQuery:
    """Which part of the co-occurrence network: entity types, theme, interviewees, weight,
    size, and optionally the neighbourhood of one entity."""

    types: tuple[str, ...] | None = None
    theme: str | None = None
    where: InterviewFilter | None = None
    min_weight: int = 1
    max_nodes: int | None = 150
    testimony_only: bool = True
    centre: str | None = None  # an entity id: its neighbourhood only
    depth: int = 1

    def store_query(self, capped: bool = True) -> StoreQuery:
        return StoreQuery(types=self.types or None, theme=self.theme, where=self.where,
                          testimony_only=self.testimony_only, min_weight=self.min_weight,
                          max_nodes=self.max_nodes if capped else None)


# Kept for the pages and tests written against the old name.
NetworkQuery = ViewQuery


@dataclass(frozen=True)
class NetworkView:
    graph: nx.Graph  # nodes carry community and centrality (the store's)
    positions: dict[str, tuple[float, float]]  # empty above render.MAX_DRAWN_NODES
    missing_centre: bool = False  # the centre is not in the network with these filters
    total_nodes: int = 0  # entities in the filtered network before the cap


def _laid_out(data: NetworkData, missing: bool = False) -> NetworkView:
    g = to_graph(data)
    pos = render.layout(g) if g.number_of_nodes() <= render.MAX_DRAWN_NODES else {}
    return NetworkView(graph=g, positions=pos, missing_centre=missing,
                       total_nodes=data.total_nodes or g.number_of_nodes())


@st.cache_data(ttl=600, show_spinner="Building the network…", max_entries=30)
def _network(_store: GraphStore, key: StoreKey, q: ViewQuery) -> NetworkView:
    if q.centre:
        try:
            data = neighbourhood_data(_store, q.centre, q.depth, query=q.store_query())
        except NotFound:
            return NetworkView(graph=nx.Graph(), positions={}, missing_centre=True)
        if not data.nodes:
            return NetworkView(graph=nx.Graph(), positions={}, missing_centre=True)
        return _laid_out(data)
    return _laid_out(network_data(_store, q.store_query()))


def network(store: GraphStore, q: ViewQuery) -> NetworkView:
    return _network(store, store_key(store), q)


@st.cache_data(ttl=600, show_spinner="Building the typed relations…", max_entries=30)
def _relations(_store: GraphStore, key: StoreKey, q: ViewQuery,
               link_types: tuple[str, ...]) -> NetworkView:
    data = relation_data(_store, q.store_query(), link_types or None)
    g = relation_graph(data)
    pos = render.layout(g.to_undirected()) if g.number_of_nodes() <= render.MAX_DRAWN_NODES else {}
    return NetworkView(graph=g, positions=pos, total_nodes=data.total_nodes or g.number_of_nodes())


def relations(store: GraphStore, q: ViewQuery, link_types: tuple[str, ...] = ()) -> NetworkView:
    """Who held, controlled, commanded what: the typed links, drawn as arrows."""
    return _relations(store, store_key(store), q, tuple(link_types))


@st.cache_data(ttl=600, show_spinner="Finding paths…", max_entries=50)
def _paths(_store: GraphStore, key: StoreKey, q: ViewQuery, source: str, target: str,
           limit: int) -> list[EntityPath]:
    # Paths run through the whole filtered network, not only the most-mentioned entities.
    return shortest_paths(_store, source, target, query=q.store_query(capped=False), limit=limit)


def paths(store: GraphStore, q: ViewQuery, source: str, target: str,
          limit: int = 5) -> list[EntityPath]:
    """Shortest paths between two entities in the filtered network, each hop with the turns
    that attest it. Raises NotFound when an entity is not in that network."""
    return _paths(store, store_key(store), q, source, target, limit)


@st.cache_data(ttl=600, show_spinner="Finding paths…", max_entries=30)
def _paths_view(_store: GraphStore, key: StoreKey, q: ViewQuery, source: str, target: str,
                limit: int) -> tuple[list[EntityPath], NetworkView]:
    found = _paths(_store, key, q, source, target, limit)
    ids = sorted({e for p in found for e in p.entities})
    info = _store.entity_summaries(ids)
    g = nx.Graph()
    for eid in ids:
        s = info.get(eid)
        attrs: dict[str, Any] = {"name": s.entity.name if s else eid, "type": s.entity.type if s else "",
                                 "mentions": (s.testimony_mentions if q.testimony_only else s.mentions) if s else 0,
                                 "interviews": s.interviews if s else 0}
        if s and s.community is not None:
            attrs["community"] = s.community
        if s and s.centrality is not None:
            attrs["centrality"] = s.centrality
        g.add_node(eid, **attrs)
    for path in found:
        for hop in path.hops:
            g.add_edge(hop.source, hop.target, weight=hop.total,
                       interviews=len({t.interview_id for t in hop.turns}))
    return found, NetworkView(graph=g, positions=render.layout(g))


def paths_view(store: GraphStore, q: ViewQuery, source: str, target: str,
               limit: int = 5) -> tuple[list[EntityPath], NetworkView]:
    """The shortest paths and a network of just their entities and hops, to draw."""
    return _paths_view(store, store_key(store), q, source, target, limit)


@st.cache_data(show_spinner="Laying out the network…", max_entries=5)
def layout_anyway(_graph: nx.Graph, key: tuple) -> dict[str, tuple[float, float]]:
    """Layout for a graph above MAX_DRAWN_NODES, when the analyst asks to draw it anyway."""
    return render.layout(_graph)


def central(graph: nx.Graph, limit: int = 12) -> list[tuple[str, float]]:
    return central_entities(graph, limit)


@st.cache_data(ttl=600, show_spinner=False)
def _attribute_values(_store: GraphStore, key: StoreKey) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    rows = list_interviews(_store)
    for attr in ("gender", "nationality", "status", "role", "date"):
        out[attr] = sorted({getattr(s, attr) for s in rows if getattr(s, attr)},
                           key=str.casefold)
    out["pseudonym"] = sorted({s.pseudonym for s in rows}, key=str.casefold)
    return out


def attribute_values(store: GraphStore) -> dict[str, list[str]]:
    """The interviewee attributes (and interview dates) present in the store, for filters."""
    return _attribute_values(store, store_key(store))


# --------------------------------------------------------------------------------------------
# Curation: every decision through graph_builder.curation, then every cached result dropped
# --------------------------------------------------------------------------------------------

_DECISIONS: dict[str, Callable[..., dict]] = {
    "merge": curation.merge, "split": curation.split, "rename": curation.rename,
    "reject": curation.reject, "undo": curation.undo, "confirm": curation.confirm,
}


def decide(store: GraphStore, action: str, *args: Any, **kwargs: Any) -> dict:
    """Record one curation decision (merge, split, rename, reject, undo) and clear the cached
    results, so every page shows the new resolution. Raises CurationError when refused."""
    if not may("analyst"):
        raise curation.CurationError("curation needs an analyst's account")
    try:
        decision = _DECISIONS[action](store, *args, **kwargs)
        audit("curate " + action, ", ".join(str(a) for a in args)[:500])
        return decision
    finally:
        st.cache_data.clear()


@st.cache_data(ttl=600, show_spinner=False)
def _review_queue(_store: GraphStore, key: StoreKey, offset: int,
                  limit: int) -> Page[tuple[str, str, float]]:
    return curation.review_queue(_store, offset, limit)


def review_queue(store: GraphStore, offset: int = 0, limit: int = 10) -> Page[tuple[str, str, float]]:
    """A page of entity pairs the resolver kept apart as possibly the same, closest first."""
    return _review_queue(store, store_key(store), offset, limit)


@st.cache_data(ttl=600, show_spinner=False)
def _uncertain_merges(_store: GraphStore, key: StoreKey, offset: int,
                      limit: int) -> Page[tuple[str, float, list[str]]]:
    return curation.uncertain_merges(_store, offset, limit)


def uncertain_merges(store: GraphStore, offset: int = 0,
                     limit: int = 10) -> Page[tuple[str, float, list[str]]]:
    """A page of entities the resolver merged with less than full confidence, least sure first."""
    return _uncertain_merges(store, store_key(store), offset, limit)


@st.cache_data(ttl=600, show_spinner=False)
def _curation_page(_store: GraphStore, key: StoreKey, offset: int, limit: int) -> Page[dict]:
    return _store.curation_page(offset, limit)


def curation_page(store: GraphStore, offset: int = 0, limit: int = 20) -> Page[dict]:
    """A page of the decision log, newest first."""
    return _curation_page(store, store_key(store), offset, limit)


@st.cache_data(ttl=600, show_spinner=False)
def _curation_log(_store: GraphStore, key: StoreKey) -> list[dict]:
    return _store.curation_log()


def curation_log(store: GraphStore) -> list[dict]:
    """Every decision, oldest first (few: analysts make them one by one)."""
    return _curation_log(store, store_key(store))


@st.cache_data(ttl=600, show_spinner=False)
def _key_surfaces(_store: GraphStore, key: StoreKey,
                  keys: tuple[str, ...]) -> dict[str, tuple[tuple[str, int], ...]]:
    return {u.key: u.surfaces for u in _store.key_usage(keys)}


def keys_with_spellings(store: GraphStore, entity_id: str) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """The mention keys resolved to an entity, each with its spellings and their counts."""
    from graph_builder.store.base import base_key
    keys = curation.keys_of(store, entity_id)
    surfaces = _key_surfaces(store, store_key(store), tuple(sorted({base_key(k) for k in keys})))
    return [(k, surfaces.get(base_key(k), ())) for k in keys]


# --------------------------------------------------------------------------------------------
# Shared widgets
# --------------------------------------------------------------------------------------------

def synced_selectbox(label: str, options: list[str], *, key: str, param: str,
                     format_func: Callable[[str], str], placeholder: str,
                     clears: tuple[str, ...] = (), container: Any = None,
                     **kwargs: Any) -> str | None:
    """A selectbox kept in step with a query parameter, so a link such as ?entity=place:raka
    opens the page on that choice and a choice made here is in the URL to share."""
    current = st.query_params.get(param)
    if current in options:
        st.session_state[key] = current
    elif key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]

    def changed() -> None:
        value = st.session_state.get(key)
        if value is None:
            st.query_params.pop(param, None)
        else:
            st.query_params[param] = value
        for extra in clears:
            st.query_params.pop(extra, None)

    if key not in st.session_state:
        kwargs["index"] = None
    value = (container or st).selectbox(label, options, key=key, format_func=format_func,
                                        placeholder=placeholder, on_change=changed, **kwargs)
    if value is not None:
        # Written even when unchanged: a st.page_link to the page it is on runs the page with
        # the new parameters but leaves the old URL in the address bar until this is sent.
        st.query_params[param] = value
    return value


def entity_picker(store: GraphStore, label: str, *, key: str, param: str | None = None,
                  container: Any = None, entity_type: str | None = None,
                  placeholder: str = "Choose an entity", **kwargs: Any) -> str | None:
    """Find an entity by the first letters of its words ("raq", "abu om"), then choose it
    among the most named matches: "Name — Type (n mentions)". The store searches its name
    index; the picker never lists every entity. Kept in step with the query parameter `param`
    when given (a link such as ?entity=place:raka opens it chosen)."""
    box = (container or st).container()
    find = box.text_input(f"{label}: find by name", key=f"{key}_find",
                          placeholder="the first letters of a word or two, e.g. raq, abu om")
    page = entities_matching(store, find, entity_type, limit=PICKER_MATCHES)
    options = [s.id for s in page]
    current = st.query_params.get(param) if param else st.session_state.get(key)
    if current and current not in options and entity(store, current) is not None:
        options.insert(0, current)
    info = entity_summaries(store, options)

    def describe(eid: str) -> str:
        e = info.get(eid)
        if e is None:
            return eid
        return f"{e.entity.name} — {render.type_label(e.entity.type)} ({e.mentions} mentions)"

    more = f" (the {len(page)} most named of {page.total})" if page.has_next else ""
    shown = f"{label}{more}"
    if param:
        return synced_selectbox(shown, options, key=key, param=param, format_func=describe,
                                placeholder=placeholder, container=box, **kwargs)
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    if key not in st.session_state:
        kwargs.setdefault("index", None)
    return box.selectbox(shown, options, key=key, format_func=describe,
                         placeholder=placeholder, **kwargs)


def pager(key: str, total: int, size: int, *, reset_on: Any = None, label: str = "") -> int:
    """Previous / next over `total` items `size` at a time; returns the offset to show. The
    buttons move the offset before the page runs again (callbacks), and it goes back to 0 when
    `reset_on` (the query) changes."""
    state = st.session_state
    if state.get(f"{key}_for") != reset_on:
        state[f"{key}_for"] = reset_on
        state[f"{key}_offset"] = 0
    last = max(0, (total - 1) // size * size)
    offset = min(max(0, state.get(f"{key}_offset", 0)), last)
    state[f"{key}_offset"] = offset
    if total <= size:
        return 0

    def move(step: int) -> None:
        state[f"{key}_offset"] = min(max(0, state.get(f"{key}_offset", 0) + step), last)

    c1, c2, c3 = st.columns([1, 3, 1], vertical_alignment="center")
    c1.button("← Previous", key=f"{key}_prev", disabled=offset == 0, width="stretch",
              on_click=move, args=(-size,))
    c3.button("Next →", key=f"{key}_next", disabled=offset + size >= total, width="stretch",
              on_click=move, args=(size,))
    c2.caption(f"{label or 'Showing'} {offset + 1:,}–{min(total, offset + size):,} of {total:,}")
    return offset


def network_filters(store: GraphStore, prefix: str, *, default_max_nodes: int = 150,
                    with_testimony: bool = True) -> NetworkQuery:
    """The filters the Network and Export pages share: entity types, theme, weight, size,
    testimony only, and the interviewees' attributes and interview dates (InterviewFilter)."""
    labels = codebook_labels()
    c1, c2, c3, c4, c5 = st.columns([2.2, 1.4, 0.8, 0.8, 1])
    types = c1.multiselect("Entity types", list(ENTITY_TYPES), default=list(ENTITY_TYPES),
                           key=f"{prefix}_types", format_func=render.type_label)
    theme = c2.selectbox("Only turns coded with", [None, *labels], key=f"{prefix}_theme",
                         format_func=lambda c: "Any theme" if c is None else labels.get(c, c))
    min_weight = int(c3.number_input("Min weight", min_value=1, max_value=1000, value=1, step=1,
                                     key=f"{prefix}_min_weight",
                                     help="Keep links attested by at least this many turns."))
    max_nodes = int(c4.number_input("Max nodes", min_value=5, max_value=5000,
                                    value=default_max_nodes, step=25, key=f"{prefix}_max_nodes",
                                    help="Keep the most-mentioned entities."))
    testimony_only = True
    if with_testimony:
        testimony_only = c5.checkbox("Testimony only", value=True, key=f"{prefix}_testimony",
                                     help="Count interviewees' turns only, not the interviewer's.")
    where = interviewee_filter(store, prefix)
    return NetworkQuery(types=tuple(types), theme=theme, where=where, min_weight=min_weight,
                        max_nodes=max_nodes, testimony_only=testimony_only)


def interviewee_filter(store: GraphStore, prefix: str) -> InterviewFilter | None:
    """Gender, nationality, status, role and date range of the interviews that count."""
    values = attribute_values(store)
    dates = values["date"]
    active = sum(1 for a in ("gender", "nationality", "status", "role")
                 if st.session_state.get(f"{prefix}_{a}"))
    chosen_dates = st.session_state.get(f"{prefix}_dates")
    if dates and chosen_dates and tuple(chosen_dates) != (dates[0], dates[-1]):
        active += 1
    title = "Interviewees" + (f" ({active} filter{'s' if active != 1 else ''} on)" if active else "")
    with st.expander(title, expanded=bool(active)):
        cols = st.columns([0.8, 1, 1, 1.6, 1.4])
        picked: dict[str, str | None] = {}
        for col, attr in zip(cols, ("gender", "nationality", "status", "role")):
            picked[attr] = col.selectbox(attr.capitalize(), [None, *values[attr]],
                                         key=f"{prefix}_{attr}",
                                         format_func=lambda v: "Any" if v is None else v)
        date_from = date_to = None
        if dates:
            chosen = cols[4].select_slider(
                "Interviewed between", options=dates, value=(dates[0], dates[-1]),
                key=f"{prefix}_dates",
                help="Interviews without a date are left out once this range is narrowed.")
            if tuple(chosen) != (dates[0], dates[-1]):
                date_from, date_to = chosen
        st.caption("Only the turns of interviews whose interviewee matches count; the network "
                   "itself carries no interviewee attribute.")
    where = InterviewFilter(date_from=date_from, date_to=date_to, **picked)
    return None if where == InterviewFilter() else where


def export_buttons(graph: nx.Graph, store: GraphStore, *,
                   positions: dict[str, tuple[float, float]] | None,
                   colour_by: str, prefix: str, stem: str = "testimony-network",
                   title: str = "Testimony network", columns: int = 4) -> None:
    """One download button per export format. Each file is written when its button is
    clicked (deferred), from exactly the graph given."""
    cols = st.columns(columns)
    for i, spec in enumerate(render.EXPORT_FORMATS):
        def make(fmt: str = spec.fmt) -> bytes:
            audit("export", stem, {"format": fmt, "nodes": graph.number_of_nodes(),
                                   "edges": graph.number_of_edges()})
            return render.download_bytes(graph, fmt, store=store, positions=positions,
                                         colour_by=colour_by,
                                         title=title)
        cols[i % columns].download_button(
            spec.label, make, file_name=f"{stem}.{spec.extension}", mime=spec.mime,
            icon=":material/download:", key=f"{prefix}_{spec.fmt}", help=spec.help,
            on_click="ignore", width="stretch")


def scroll_to_turn(index: int) -> None:
    """Scroll the reader's turn `index` into view once the transcript is in the page. Our own
    script, with nothing in it but an integer (st.html runs it in the page, not an iframe)."""
    n = int(index)
    st.html(f"""<script>
(function() {{
  var tries = 0;
  function go() {{
    var el = document.getElementById("turn-{n}");
    if (el) {{ el.scrollIntoView({{block: "center"}}); }}
    else if (tries++ < 50) {{ setTimeout(go, 100); }}
  }}
  setTimeout(go, 150);
}})();
</script>""", unsafe_allow_javascript=True)


def html_block(body: str) -> None:
    """Our own HTML (untrusted parts already escaped), shown without Markdown processing."""
    st.html(body)
