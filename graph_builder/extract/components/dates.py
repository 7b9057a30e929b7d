"""Stage 6, `testimony_dates`: where the turn names a date ("3 August 2014", "the fourth of
August", "in 2015", "two months ago").

Only the words are found here: a turn does not know the interview's date or the year the
witness named two turns before, so the interview resolves each date to ISO afterwards
(`graph_builder.extract.dates.find_dates` with that context). Relations attach events to these
spans (HAPPENED_ON).

Requires nothing. Assigns `doc._.testimony_dates`: [start, end, precision] character offsets of
each date, in order, without overlaps.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from graph_builder.extract.dates import find_dates

DATES_ATTR = "testimony_dates"

if not Doc.has_extension(DATES_ATTR):
    Doc.set_extension(DATES_ATTR, default=None)


def dates_component(doc: Doc) -> Doc:
    doc._.set(DATES_ATTR, [[d.start, d.end, d.precision] for d in find_dates(doc.text, unresolved=True)])
    return doc


def make_dates(nlp: Language, name: str):  # noqa: ANN201 - spaCy factory
    return dates_component
