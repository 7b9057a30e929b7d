"""What happened when, in the witnesses' words: dated events and links in order.

One page of the store's `timeline` (sorted and filtered inside the store), with the word a
reader needs beside each item: what kind of act the link is. Events whose witnesses give days
that cannot be the same carry the other dates as disagreements, never merged away.
"""
from __future__ import annotations

from graph_builder.store.base import GraphStore, Page, TimelineItem

# How each link type reads in a timeline line: "<source> <verb> <target>".
VERBS: dict[str, str] = {
    "HAPPENED_ON": "happened on",
    "HELD_ROLE": "was",
    "MEMBER_OF": "was in",
    "PRESENT_AT": "was at",
    "HAPPENED_AT": "happened at",
    "TOOK_PART_IN": "took part in",
    "VICTIM_OF": "suffered",
    "CONTROLLED": "controlled",
    "ATTACKED": "attacked",
    "HELD_CAPTIVE": "held",
    "SUPERIOR_OF": "commanded",
    "FLED_TO": "fled to",
}


def timeline(store: GraphStore, *, place: str | None = None, entity: str | None = None,
             theme: str | None = None, interviewee: str | None = None, offset: int = 0,
             limit: int = 50) -> Page[TimelineItem]:
    """One page of dated items, earliest first (ids for `place` and `entity`)."""
    if limit < 0 or offset < 0:
        raise ValueError("offset and limit must be 0 or more")
    return store.timeline(place=place, entity=entity, theme=theme, interviewee=interviewee,
                          offset=offset, limit=limit)


def describe(item: TimelineItem) -> str:
    """"Sinjar massacre happened on 2014-08-03", "Islamic State controlled Sinjar"."""
    return f"{item.source_name} {VERBS.get(item.type, item.type.lower())} {item.target_name}"
