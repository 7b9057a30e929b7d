"""The extractor's spaCy components, one a module, registered here.

Each stage is a real pipeline component that declares what it requires and assigns, so a unit
test can assemble `spacy.blank("en")` plus the rule components, and the full extractor is a
trained model (en_core_web_sm) plus the same components. In pipeline order:

    tokenizer.py   `tune_tokenizer`: square brackets split inside words ("Dawlah[ISIS]")
    gazetteer.py   testimony_gazetteer  analyst-editable gazetteers (gazetteer/*.yaml),
                                        transliteration-aware
    kunya.py       testimony_kunya      kunya / nisba person names: Abu X, Umm X, Ibn X,
                                        al-Tunisi, name chains
    patterns.py    testimony_patterns   rules, one module a family: patterns_places.py
                                        (X prison, X camp), patterns_persons.py (11-year-old X),
                                        patterns_orgs.py (Liwa X, X Network), patterns_events.py
                                        (the fall of X, X massacre, ISIS stormed into X, incidents)
    mentions.py    testimony_mentions   merges the above with the model's entities: maps spaCy
                                        labels to ours, corrects the model's typical errors in
                                        this field, resolves overlaps
    links.py       testimony_links      typed links (HELD_ROLE, MEMBER_OF, PRESENT_AT,
                                        HAPPENED_AT, LOCATED_IN) from the dependency parse, with
                                        adjacency fallbacks when there is none
    dates.py       testimony_dates      where the turn names a date (resolved to ISO later,
                                        with the interview's date and the year last named)
    relations.py   testimony_relations  who did what to whom: control, attack, captivity,
                                        flight, kinship, command, membership, presence,
                                        victims and parties of events, their dates; ends may
                                        be pronouns ("I", "he", "they"), resolved per interview
                                        by graph_builder/extract/coreference.py

Beside them: `common.py` (span-group names, entity types, helpers several stages share) and
`lexicon.py` (the word lists the rules read, loaded from `graph_builder/extract/lexicon/*.yaml`).

The final mentions are `doc.spans["mentions"]`: label = our entity type, `kb_id_` = the gazetteer
canonical name (or ""), `id_` = the method (gazetteer, kunya, rule, model, propagation).
Links are `doc._.testimony_links`: dicts with type, source and target (indices into the
mentions group, or a pronoun or date end: see relations.py) and the evidence's character
offsets. Both survive `nlp.pipe(n_process=...)`.

The rule components work on a blank pipeline (no parser, no NER); with a parse they use it to
tell a head noun from a modifier ("Syrian defector" vs "Syrian city") and to find clause-length
events and links.
"""
from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language

from graph_builder.extract.components.common import (
    CONFIDENCE,
    ENTITY_TYPES,
    HYPHENS,
    IGNORE,
    LINKS_ATTR,
    MODEL_LABELS,
    SPANS_GAZETTEER,
    SPANS_KUNYA,
    SPANS_MENTIONS,
    SPANS_PATTERNS,
    SPANS_SUPPRESSED,
    modified_head,
)
from graph_builder.extract.components.gazetteer import (
    GAZETTEER_DIR,
    GAZETTEER_ENV,
    Gazetteer,
    GazetteerEntry,
    GazetteerForm,
    GazetteerMatcher,
    gazetteer_paths,
    get_gazetteer,
    make_gazetteer,
)
from graph_builder.extract.components.dates import DATES_ATTR, make_dates
from graph_builder.extract.components.kunya import find_kunyas, kunya_component
from graph_builder.extract.components.lexicon import ARTICLES_FREE
from graph_builder.extract.components.links import LinkExtractor, make_links
from graph_builder.extract.components.mentions import MentionMerger, make_mentions
from graph_builder.extract.components.patterns import PatternRules, make_patterns
from graph_builder.extract.components.relations import RelationExtractor, make_relations
from graph_builder.extract.components.tokenizer import tune_tokenizer

__all__ = [
    "ARTICLES_FREE",
    "CONFIDENCE",
    "DATES_ATTR",
    "ENTITY_TYPES",
    "GAZETTEER_DIR",
    "GAZETTEER_ENV",
    "HYPHENS",
    "IGNORE",
    "LINKS_ATTR",
    "MODEL_LABELS",
    "RULE_PIPES",
    "SPANS_GAZETTEER",
    "SPANS_KUNYA",
    "SPANS_MENTIONS",
    "SPANS_PATTERNS",
    "SPANS_SUPPRESSED",
    "Gazetteer",
    "GazetteerEntry",
    "GazetteerForm",
    "GazetteerMatcher",
    "LinkExtractor",
    "MentionMerger",
    "PatternRules",
    "RelationExtractor",
    "add_testimony_pipes",
    "find_kunyas",
    "gazetteer_paths",
    "get_gazetteer",
    "modified_head",
    "tune_tokenizer",
]

# --- registration: every component, with what it requires and assigns ----------------------
# All in one place, as spaCy's own pipeline/factories.py registers its components. spaCy's
# attribute names stop at `doc.spans`; the span groups each stage reads and writes are named in
# its module's docstring.

Language.factory(
    "testimony_gazetteer",
    default_config={"paths": []},
    assigns=["doc.spans"],
    requires=[],
)(make_gazetteer)
Language.component(
    "testimony_kunya",
    assigns=["doc.spans"],
    requires=[],
)(kunya_component)
Language.factory(
    "testimony_patterns",
    assigns=["doc.spans"],
    requires=["doc.spans"],
)(make_patterns)
Language.factory(
    "testimony_mentions",
    assigns=["doc.spans"],
    requires=["doc.spans"],
)(make_mentions)
Language.factory(
    "testimony_links",
    assigns=[f"doc._.{LINKS_ATTR}"],
    requires=["doc.spans"],
)(make_links)
Language.factory(
    "testimony_dates",
    assigns=[f"doc._.{DATES_ATTR}"],
    requires=[],
)(make_dates)
Language.factory(
    "testimony_relations",
    assigns=[f"doc._.{LINKS_ATTR}"],
    requires=["doc.spans", f"doc._.{DATES_ATTR}", f"doc._.{LINKS_ATTR}"],
)(make_relations)

# --- assembly -------------------------------------------------------------------------------

RULE_PIPES: tuple[str, ...] = (
    "testimony_gazetteer",
    "testimony_kunya",
    "testimony_patterns",
    "testimony_mentions",
    "testimony_links",
    "testimony_dates",
    "testimony_relations",
)


def add_testimony_pipes(nlp: Language, gazetteer_paths: Sequence[str] = ()) -> Language:
    """Add the rule components after the model's own (idempotent); returns `nlp`."""
    tune_tokenizer(nlp)
    for name in RULE_PIPES:
        if name in nlp.pipe_names:
            continue
        config = {"paths": list(gazetteer_paths)} if name == "testimony_gazetteer" else {}
        nlp.add_pipe(name, config=config)
    return nlp
