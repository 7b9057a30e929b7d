"""The word lists the rules read: grammar of the field, not names (names are gazetteer data).

Loaded once, at import, from the YAML files in `graph_builder/extract/lexicon/` (one file per
theme, each list a line of words with a comment saying what it is for) into the frozensets
below, which the components import by name. Nothing is assigned to a Doc here.

A list in a data file that no constant below reads, or a constant whose list is missing, is an
error at import: a word added to a list that no rule reads would otherwise do nothing.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from graph_builder.extract.normalize import normalise_name

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"
# The theme files this module reads (others in the folder belong to other modules).
THEMES: tuple[str, ...] = ("function_words", "people", "places", "organisations", "events", "verbs", "time",
                           "relations")


def _load(folder: Path = LEXICON_DIR) -> dict[str, tuple[str, ...]]:
    """Every list of the theme files, by name: its words in the order written."""
    lists: dict[str, tuple[str, ...]] = {}
    for theme in THEMES:
        path = folder / f"{theme}.yaml"
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        for name, words in data.items():
            if not isinstance(words, str):  # "on" or "no" alone would be read as a boolean
                raise ValueError(f"{path}: list {name!r} should be words separated by spaces, got {words!r}")
            if name in lists:
                raise ValueError(f"{path}: list {name!r} is already defined in another theme file")
            lists[name] = tuple(words.split())
    return lists


_LISTS = _load()
_unread = set(_LISTS)


def _words(name: str) -> tuple[str, ...]:
    if name not in _LISTS:
        raise ValueError(f"{LEXICON_DIR}: no list {name!r} in the theme files {', '.join(THEMES)}")
    _unread.discard(name)
    return _LISTS[name]


def _set(name: str) -> frozenset[str]:
    return frozenset(_words(name))


# function_words.yaml
ARTICLES_FREE = _set("articles_free")
ARTICLES_ATTACHED = _set("articles_attached")
DETERMINERS = _set("determiners")
HEADLINE_FUNCTION_WORDS = _set("headline_function_words")
ADVERBIAL_NOUNS = _set("adverbial_nouns")
EVENT_PREPS = _set("event_preps")
LOCATIVE_PREPS = _set("locative_preps")
TRIM_LEFT = _set("trim_left")
TRIM_RIGHT = _set("trim_right")

# people.yaml
PEOPLE_NOUNS = _set("people_nouns")
STATE_HEADS = _set("state_heads")
ACTOR_NOUNS = _set("actor_nouns")
ACTOR_GROUP_MODIFIERS = _set("actor_group_modifiers")
KUNYA_HEADS = _set("kunya_heads")
CHAIN_WORDS = _set("chain_words")
NAME_CUE_WORDS = _set("name_cue_words")

# places.yaml
FACILITY_NOUNS = _set("facility_nouns")
FACILITY_KINDS = _set("facility_kinds")
PLACE_NOUNS = _set("place_nouns")
DIRECTION_WORDS = _set("direction_words")
# compared with a token's folded key (gazetteer.word_key), so folded the same way here
ARABIC_PLACE_HEADS = frozenset(normalise_name(w) for w in _words("arabic_place_heads"))
NUMBERED_PLACE_HEADS = _set("numbered_place_heads")
NEWS_LABELS = _set("news_labels")
COUNTRIES = _set("countries")

# organisations.yaml
INSTITUTION_HEADS = _set("institution_heads")
ARABIC_ORG_HEADS = frozenset(normalise_name(w) for w in _words("arabic_org_heads"))
PUBLICATION_WORDS = _set("publication_words")
PUBLICATION_WORDS_LOWER = _set("publication_words_lower")
HELD_SUFFIXES = _words("held_suffixes")  # a tuple: str.endswith takes one

# events.yaml
ATTACK_TRIGGERS = _set("attack_triggers")
BATTLE_TRIGGERS = _set("battle_triggers")
EVENT_NOUNS = _set("event_nouns")
EVENT_SUFFIXES = _set("event_suffixes")
NP_GLUE_WORDS = _set("np_glue_words")
DURATION_UNITS = _set("duration_units")
CLAUSE_EVENT_VERBS = _set("clause_event_verbs")
CONJ_EVENT_VERBS = _set("conj_event_verbs")
MOVEMENT_EVENT_VERBS = _set("movement_event_verbs")
PLACE_EVENT_VERBS = _set("place_event_verbs")
KILLING_WORDS = _set("killing_words")
INCIDENT_NOUNS = _set("incident_nouns")
INCIDENT_MODIFIERS = _set("incident_modifiers")

# verbs.yaml
COMMON_VERBS = _set("common_verbs")
PERSON_VERBS = _set("person_verbs")
SPEECH_LEMMAS = _set("speech_lemmas")  # word forms, not lemmas: the pipeline may run without a lemmatizer
# verbs whose subject is a person, not an organisation: used to retype a full name the model called an ORG
PERSON_SUBJECT_LEMMAS = SPEECH_LEMMAS | PERSON_VERBS | _set("experience_verbs")
MEMBERSHIP_VERBS = _set("membership_verbs")
COPULAS = _set("copulas")

# time.yaml
RELATIVE_TIME = _set("relative_time")
TIME_UNITS = _set("time_units")

FALL_EVENT_WORDS = _set("fall_event_words")

# relations.yaml
CONTROL_VERBS = _set("control_verbs")
CONTROL_FROM_VERBS = _set("control_from_verbs")
CONTROL_NOUNS = _set("control_nouns")
ATTACK_VERBS = _set("attack_verbs")
ATTACK_NOUNS = _set("attack_nouns")
CAPTIVE_VERBS = _set("captive_verbs")
CAPTIVE_AMBIGUOUS = _set("captive_ambiguous")
CAPTIVE_WORDS = _set("captive_words")
FLIGHT_VERBS = _set("flight_verbs")
FLIGHT_MOVEMENT = _set("flight_movement")
FLIGHT_CUES = _set("flight_cues")
FLIGHT_PREPS = _set("flight_preps")
MEMBER_VERBS = _set("member_verbs")
MEMBER_PREPS = _set("member_preps")
PRESENCE_VERBS = _set("presence_verbs")
PRESENCE_PREPS = _set("presence_preps")
HARM_VERBS = _set("harm_verbs")
SUFFER_VERBS = _set("suffer_verbs")
VICTIM_NOUNS = _set("victim_nouns")
PART_VERBS = _set("part_verbs")
KIN_NOUNS = _set("kin_nouns")
COMMAND_VERBS = _set("command_verbs")
ANSWER_VERBS = _set("answer_verbs")
ANSWER_PREPS = _set("answer_preps")
SUPERIOR_ROLES = _set("superior_roles")
DEPUTY_WORDS = _set("deputy_words")
FIRST_PERSON = _set("first_person")
THIRD_PERSON = _set("third_person_singular")
PLURAL_PRONOUNS = _set("plural_pronouns")
QUANTITY_NOUNS = _set("quantity_nouns")
RESIDENT_NOUNS = _set("resident_nouns")
HOME_NOUNS = _set("home_nouns")
FROM_VERBS = _set("from_verbs")
SPEECH_VERBS = _set("speech_verbs")
MEMBER_NOUNS = _set("member_nouns")
PRESENCE_NOUNS = _set("presence_nouns")
LOSS_VERBS = _set("loss_verbs")
PERSON_DESCRIPTIONS = _set("person_descriptions")
ORG_NOUNS = _set("org_nouns")

if _unread:
    raise ValueError(f"{LEXICON_DIR}: lists no rule reads: {', '.join(sorted(_unread))} (read them in lexicon.py)")
