"""The analyst's curation decisions: merge, split (of keys, or of a key's mentions in some
interviews), rename, reject, undo.

Each decision is appended to the store's curation log (who, when, why, on what evidence, and
the mention keys it concerns) and the resolution is recomputed; the resolver replays the log
after every ingest, so decisions survive re-ingestion. Decisions name mention keys, not entity
ids, because ids can change when the corpus does; keys are what the extractor produces again.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from graph_builder.errors import CurationError
from graph_builder.load import refresh_resolution
from graph_builder.store.base import EntitySummary, GraphStore, Page, base_key, entity_for


def keys_of(store: GraphStore, entity_id: str) -> list[str]:
    """The mention keys currently resolved to `entity_id`: plain keys, and `key@interview`
    where a key's mentions in one interview belong to it (a short name found to be several
    people, or an analyst's split by interview)."""
    keys = store.keys_of([entity_id]).get(entity_id, [])
    if not keys:
        raise CurationError(f"no entity {entity_id!r}: it may have been merged or renamed since; "
                            "look it up again with `testimony entities NAME`")
    return keys


def _decide(store: GraphStore, action: str, *, who: str, why: str, evidence: str = "",
            **fields: object) -> dict:
    if not who.strip():
        raise CurationError("say who makes this decision (--who): the log records it")
    decision = {"id": uuid.uuid4().hex[:12], "action": action, "who": who, "why": why,
                "evidence": evidence, "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                **fields}
    store.record_decision(decision)
    named = [*decision.get("keys", ()), *decision.get("other_keys", ())]
    if action == "undo":
        undone = next((d for d in store.curation_log() if d.get("id") == decision["undoes"]), {})
        named += [*undone.get("keys", ()), *undone.get("other_keys", ())]
    # Only what the decision names (and what that reaches) is resolved again.
    refresh_resolution(store, {base_key(k) for k in named})
    return decision


def merge(store: GraphStore, entity_id: str, other_id: str, *, who: str, why: str = "",
          evidence: str = "", name: str | None = None) -> dict:
    """One entity: `other_id` joins `entity_id` (whose name is kept unless `name` is given)."""
    if entity_id == other_id:
        raise CurationError("an entity cannot be merged with itself")
    sa, sb = store.entity(entity_id), store.entity(other_id)
    if sa is None or sb is None:
        raise CurationError(f"no entity {entity_id if sa is None else other_id!r}")
    a, b = sa.entity, sb.entity
    if a.type != b.type:
        raise CurationError(f"{a.name} is a {a.type} and {b.name} a {b.type}: only entities of "
                            "one type can be merged; fix the type first")
    return _decide(store, "merge", who=who, why=why, evidence=evidence,
                   keys=keys_of(store, entity_id), other_keys=keys_of(store, other_id),
                   name=name or a.name, entities=[entity_id, other_id])


def split(store: GraphStore, entity_id: str, keys: list[str], *, who: str, why: str = "",
          evidence: str = "", name: str | None = None,
          interviews: list[str] | None = None) -> dict:
    """The given spellings (mention keys) leave `entity_id` and become an entity of their own.

    With `interviews`, only the keys' mentions in those interviews leave: one name, two people
    ("Abu Omar" in int-02 and int-06 is the smuggler, elsewhere the sharia trainer). The
    resolver replays it on every re-ingest, like the other decisions; undo takes it back.
    """
    current = keys_of(store, entity_id)
    if interviews:
        return _split_by_interview(store, entity_id, keys, sorted(set(interviews)), who=who,
                                   why=why, evidence=evidence, name=name)
    unknown = sorted(set(keys) - set(current))
    if not keys or unknown:
        raise CurationError(f"split needs some of {entity_id}'s keys {current}; not its own: {unknown}")
    if set(keys) == set(current):
        raise CurationError("splitting off every key leaves nothing behind; rename instead")
    return _decide(store, "split", who=who, why=why, evidence=evidence, keys=sorted(keys),
                   name=name, entities=[entity_id])


def _split_by_interview(store: GraphStore, entity_id: str, keys: list[str],
                        interviews: list[str], *, who: str, why: str, evidence: str,
                        name: str | None) -> dict:
    # Checked against the entity's mentions: the (key, interview) pairs that really leave.
    entries = store.keys_of([entity_id]).get(entity_id, [])
    plain_keys = sorted({base_key(k) for k in entries})
    resolved = store.resolution(plain_keys)
    here = {(u.key, i) for u in store.key_usage(plain_keys) for i in u.interviews
            if entity_for(resolved, u.key, i) == entity_id}
    plain = sorted({k for k, _ in here})
    if not keys or not set(keys) <= set(plain):
        raise CurationError(f"split needs some of {entity_id}'s keys {plain}; "
                            f"not its own: {sorted(set(keys) - set(plain))}")
    where = {i for k, i in here if k in keys}
    absent = [i for i in interviews if i not in where]
    if absent:
        raise CurationError(f"{entity_id} has no mention of {', '.join(keys)} in "
                            f"{', '.join(absent)}; it has in: {', '.join(sorted(where))}")
    moving = {(k, i) for k, i in here if k in keys and i in interviews}
    if moving == here:
        raise CurationError("splitting off every mention leaves nothing behind; rename instead")
    return _decide(store, "split", who=who, why=why, evidence=evidence, keys=sorted(keys),
                   interviews=interviews, name=name, entities=[entity_id])


def rename(store: GraphStore, entity_id: str, name: str, *, who: str, why: str = "",
           evidence: str = "") -> dict:
    if not name.strip():
        raise CurationError("a new name cannot be empty")
    return _decide(store, "rename", who=who, why=why, evidence=evidence,
                   keys=keys_of(store, entity_id), name=name.strip(), entities=[entity_id])


def reject(store: GraphStore, entity_id: str, other_id: str, *, who: str, why: str = "",
           evidence: str = "") -> dict:
    """Not the same: keep the two apart (and off the review list)."""
    return _decide(store, "reject", who=who, why=why, evidence=evidence,
                   keys=keys_of(store, entity_id), other_keys=keys_of(store, other_id),
                   entities=[entity_id, other_id])


def undo(store: GraphStore, decision_id: str, *, who: str, why: str = "") -> dict:
    log = store.curation_log()
    if not any(d.get("id") == decision_id and d.get("action") != "undo" for d in log):
        raise CurationError(f"no decision {decision_id!r} in the curation log")
    if any(d.get("action") == "undo" and d.get("undoes") == decision_id for d in log):
        raise CurationError(f"decision {decision_id!r} is already undone")
    return _decide(store, "undo", who=who, why=why, undoes=decision_id)


def confirm(store: GraphStore, entity_id: str, *, who: str, why: str = "",
            evidence: str = "") -> dict:
    """The resolver's merge is right: the entity leaves the list of uncertain merges.

    Recorded like every decision; the resolver itself ignores it (nothing changes in the graph),
    and it is forgotten when the entity gains spellings the analyst has not seen."""
    return _decide(store, "confirm", who=who, why=why, evidence=evidence,
                   keys=keys_of(store, entity_id), entities=[entity_id])


def uncertain_merges(store: GraphStore, offset: int = 0, limit: int = 50
                     ) -> Page[tuple[str, float, list[str]]]:
    """Entities the resolver formed by a merge it was less than sure of, with their keys,
    least sure first; those an analyst confirmed are left out. One page, with the total."""
    page: Page[EntitySummary] = store.uncertain_entities(offset, limit)
    keys = store.keys_of([s.id for s in page])
    return Page(tuple((s.id, s.entity.confidence, keys.get(s.id, [])) for s in page),
                page.total, page.offset)


def review_queue(store: GraphStore, offset: int = 0, limit: int | None = 50
                 ) -> Page[tuple[str, str, float]]:
    """Pairs the resolver kept apart as possibly the same (minus those an analyst rejected),
    closest first. One page, with the total."""
    return store.possibly_same(offset, limit)
