"""The extractor's spaCy components, registered in one module.

Each stage is a real pipeline component (`Language.factory` / `Language.component`) that declares
what it requires and assigns, so a unit test can assemble `spacy.blank("en")` plus the rule
components, and the full extractor is a trained model (en_core_web_sm) plus the same components:

    testimony_gazetteer  analyst-editable gazetteers (gazetteer/*.yaml), transliteration-aware
    testimony_kunya      kunya / nisba person names: Abu X, Umm X, Ibn X, al-Tunisi, name chains
    testimony_patterns   rules: named facilities (X prison, X camp), person cues (11-year-old X),
                         events (the fall of X, X massacre, ISIS stormed into X), incidents
    testimony_mentions   merges the above with the model's entities: maps spaCy labels to ours,
                         corrects the model's typical errors in this field, resolves overlaps
    testimony_links      typed links (HELD_ROLE, MEMBER_OF, PRESENT_AT, HAPPENED_AT, LOCATED_IN)
                         from the dependency parse, with adjacency fallbacks when there is none

The final mentions are `doc.spans["mentions"]`: label = our entity type, `kb_id_` = the gazetteer
canonical name (or ""), `id_` = the method (gazetteer, kunya, rule, model, propagation).
Links are `doc._.testimony_links`: dicts with type, source and target (indices into the
mentions group) and the evidence's character offsets. Both survive `nlp.pipe(n_process=...)`.

The rule components work on a blank pipeline (no parser, no NER); with a parse they use it to
tell a head noun from a modifier ("Syrian defector" vs "Syrian city") and to find clause-length
events and links.
"""
from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_infix_regex

from graph_builder.extract.normalize import fold_text, normalise_name

GAZETTEER_DIR = Path(__file__).resolve().parent / "gazetteer"
GAZETTEER_ENV = "TESTIMONY_GAZETTEER"  # extra gazetteer files or folders, os.pathsep-separated

SPANS_GAZETTEER = "testimony_gazetteer"
SPANS_SUPPRESSED = "testimony_suppressed"  # gazetteer hits a filter rejected: not entities here
SPANS_KUNYA = "testimony_kunya"
SPANS_PATTERNS = "testimony_patterns"
SPANS_MENTIONS = "mentions"
LINKS_ATTR = "testimony_links"

ENTITY_TYPES: tuple[str, ...] = ("PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT")
IGNORE = "IGNORE"

# How much each method is trusted; the resolver and the analyst see it on every MENTIONS edge.
CONFIDENCE: dict[str, float] = {
    "gazetteer": 0.95,
    "kunya": 0.9,
    "rule": 0.8,
    "model": 0.75,
    "corrected": 0.6,
    "propagation": 0.7,
}

# en_core_web_sm labels -> ours. NORP becomes GROUP only when it names people (checked later);
# DATE, CARDINAL, LANGUAGE, PRODUCT, LAW, WORK_OF_ART, ... are not entities of this graph.
MODEL_LABELS: dict[str, str] = {
    "PERSON": "PERSON",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "ORG": "ORG",
    "NORP": "GROUP",
    "EVENT": "EVENT",
}

if not Doc.has_extension(LINKS_ATTR):
    Doc.set_extension(LINKS_ATTR, default=None)

# --- lexicons that are grammar, not gazetteer data ------------------------------------------

HYPHENS = frozenset({"-", "–", "—", "‐", "‑", "/"})
ARTICLES_FREE = frozenset({"al", "el", "al-", "el-", "ul"})
ARTICLES_ATTACHED = frozenset(
    {"ar", "as", "ash", "ad", "adh", "az", "an", "at", "ath", "ez", "es", "ed", "er", "et", "en", "ul"}
)
DETERMINERS = frozenset({"the", "this", "that", "these", "those", "a", "an", "our", "their", "his", "her", "its", "my", "your"})

# Heads a demonym or group word can describe when it names people.
PEOPLE_NOUNS = frozenset(
    """man men woman women boy boys girl girls child children kid kids people person persons
    civilian civilians refugee refugees family families youth youths teenager teenagers teen teens
    resident residents citizen citizens national nationals volunteer volunteers prisoner prisoners
    captive captives detainee detainees hostage hostages member members survivor survivors victim
    victims migrant migrants population populations community communities minority minorities tribe
    tribes tribesmen villager villagers brother brothers sister sisters mother mothers father fathers
    son sons daughter daughters cousin cousins relative relatives friend friends neighbour neighbours
    neighbor neighbors student students worker workers youngster youngsters guy guys lady ladies male
    males female females individual individuals wives husband husbands wife orphan orphans
    returnee returnees escapee escapees extremist extremists radical radicals terrorist terrorists
    insurgent insurgents muslims majority majorities""".split()
)
# Heads that make a demonym institutional rather than a description of people
# ("Turkish officials", "Iraqi prime minister" are the state, not a national group).
STATE_HEADS = frozenset(
    """official officials authority authorities government governments army armies force forces
    police minister ministers president presidents ambassador ambassadors intelligence military
    regime state prime militia militias""".split()
)
FACILITY_NOUNS = frozenset(
    """prison jail camp hospital clinic neighbourhood neighborhood district quarter market marketplace
    souq suq square roundabout mosque stadium dam bridge checkpoint crossing airport airbase base
    refinery field school university village shrine""".split()
)
# Capitalised words that end publications' names but that the model tags as dates.
PUBLICATION_WORDS = frozenset({"Today", "Daily", "Weekly", "Monthly"})
# Head words of the names of organisations, units and institutions (singular and plural).
INSTITUTION_HEADS = frozenset(
    """organization organisation organizations organisations museum center centre institute foundation
    agency network project committee council commission association society federation observatory
    initiative union party movement front brigade brigades battalion battalions division corps units
    forces army legion ministry authority administration""".split()
)
# Lower-case words that stand between a facility's name and its noun ("Shreya refugee camp").
FACILITY_KINDS = frozenset({"border", "refugee", "displacement", "idp", "detention", "transit", "training"})
# Without a tagger, a rough test that the next word is a verb, not a noun being modified.
COMMON_VERBS = frozenset(
    """came come comes went go goes saw see sees said say says took take takes gave give gives left
    leave leaves ran run runs sat sit stood stand told tell tells got get gets made make makes knew
    know brought bring fought fight kept keep held hold found find lost lose paid pay sent send
    spoke speak sold sell bought buy stayed stay lived live were was are is had has have""".split()
)
# Nouns the small model takes for the head of a preceding adjective: "a Tunisian online".
ADVERBIAL_NOUNS = frozenset({"online", "today", "yesterday", "tonight", "home", "abroad", "overseas", "now", "there", "here"})
HEADLINE_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "from", "by", "with", "as", "into", "over"}
)
# Arabic words that head place names: roundabout, square, market, bridge, hill, mountain, valley,
# gate, palace, quarter, village, ruin, well, river, street, mosque, dam.
ARABIC_PLACE_HEADS = frozenset(
    normalise_name(w)
    for w in """dawar duwar sahat saha souq suq jisr tal tell jabal jebel wadi bab qasr hay hayy harat
    kafr khirbet khirbat bir nahr shari masjid jami jamia maydan midan qaryat sadd""".split()
)
# Arabic words that head the names of armed groups and bodies: army, brigade, battalion(s),
# movement, front, supporters, soldiers, companies, division, gathering, legion, party, council.
ARABIC_ORG_HEADS = frozenset(
    normalise_name(w)
    for w in """jaysh jaish jeish liwa liwaa katibat katiba kataib harakat haraka jabhat ansar jund saraya
    firqat firqa tajammu faylaq alwiya hizb majlis quwat diwan""".split()
)
# All-capital words that open a paragraph like a dateline but are not places.
NEWS_LABELS = frozenset(
    """update updated exclusive breaking watch opinion analysis editor note photos video interview
    transcript interviewer interpreter question answer translator""".split()
)
NUMBERED_PLACE_HEADS = frozenset({"Point", "Nuqta", "Nuqtat", "Checkpoint", "Sector"})
NAME_CUE_WORDS = frozenset({"called", "named", "nicknamed", "pseudonym", "kunya", "alias"})
PERSON_VERBS = frozenset(
    """say says said tell tells told recall recalls recalled remember remembers remembered recount
    recounts recounted describe describes described explain explains explained add adds added
    believe believes believed want wants wanted decide decides decided cry cries cried ask asks asked
    insist insists insisted claim claims claimed""".split()
)
# Lemmas whose subject is a person, not an organisation: used to retype a full name the model
# called an ORG. Speech, memory and the verbs of a survivor's or a relative's experience.
SPEECH_LEMMAS = frozenset(
    """say says said saying tell tells told telling recall recalls recalled recount recounts recounted
    describe describes described explain explains explained speak speaks spoke talk talks talked
    whisper whispers whispered write writes wrote""".split()
)  # word forms, not lemmas: the pipeline may run without a lemmatizer
PERSON_SUBJECT_LEMMAS = SPEECH_LEMMAS | PERSON_VERBS | frozenset(
    """struggle struggles struggled flee flees fled escape escapes escaped survive survives survived
    lose loses lost marry marries married weep weeps wept sob sobs sobbed grieve grieves grieved
    mourn mourns mourned wait waits waited hope hopes hoped fear fears feared""".split()
)
HELD_SUFFIXES = ("held", "controlled", "run", "dominated", "occupied", "led", "backed", "linked", "affiliated")
NON_PERSON_NAME_ENTS = frozenset({"WORK_OF_ART", "FAC", "LOC", "GPE", "PRODUCT", "LAW", "EVENT"})
PUBLICATION_WORDS_LOWER = frozenset({"today", "daily", "weekly", "monthly", "news", "times", "post", "press"})
ATTACK_TRIGGERS = frozenset(
    """massacre massacres attack attacked assault assaulted storming stormed capture captured seizure
    seized fall fell fallen taking taken took takeover overran overrun invasion invaded killed killing killings
    occupation occupied genocide entered entering advance advanced overran swept""".split()
)
BATTLE_TRIGGERS = frozenset(
    """battle siege besieged defence defense liberation liberated recapture recaptured offensive
    resistance retaking retook""".split()
)
EVENT_NOUNS = frozenset(
    """massacre siege battle fall liberation capture taking storming assault attack defence defense
    invasion occupation recapture offensive genocide bombardment overthrow""".split()
)
EVENT_PREPS = frozenset({"of", "on", "for", "in", "at", "against", "upon"})
EVENT_SUFFIXES = frozenset({"massacre", "siege", "battle", "offensive", "genocide", "resistance", "invasion"})
# Words inside an event's noun phrase before the name it ends in ("the fall of dictator Saddam
# Hussein", "the defence of the city of Kobani", "Iraq's northern Sinjar region").
NP_GLUE_WORDS = frozenset(
    {"the", "of", "its", "their", "al", "el", "'s", "’s", "dictator", "president", "leader", "former", "king"}
)
DURATION_UNITS = frozenset({"day", "week", "month", "year"})
# Dependency labels of a noun's job in its clause.
NOMINAL_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "oprd", "compound"})
CLAUSE_EVENT_VERBS = frozenset(
    """attacked stormed captured seized overran overrun killed massacred invaded besieged took shelled
    bombed entered advanced swept""".split()
)
# Clause-event verbs that still mark an assault when they share a subject with an earlier verb
# ("they made their first push and overran the base"); not "took"/"killed"/"entered" ("captured her
# and took her to a prison").
CONJ_EVENT_VERBS = frozenset("attacked stormed overran overrun seized besieged shelled bombed invaded".split())
# Verbs that are movement as often as assault ("he entered Syria via Turkey"): an event only
# when their place is a town or region (not a country) and, for "advanced", reached on/into it.
MOVEMENT_EVENT_VERBS = frozenset({"entered", "advanced", "swept"})
COUNTRIES = frozenset(
    """Syria Iraq Turkey Jordan Lebanon Israel Iran Egypt Libya Tunisia Morocco Algeria Yemen Afghanistan
    Pakistan Russia France Germany Belgium Britain England Italy Spain Sweden Netherlands Denmark Saudi
    Kuwait Qatar""".split()
)
# Subjects that name an armed group without naming it: "its fighters", "the terror group", "militants".
ACTOR_NOUNS = frozenset(
    """fighter fighters militant militants jihadist jihadists extremist extremists insurgent insurgents
    gunman gunmen""".split()
)
ACTOR_GROUP_MODIFIERS = frozenset({"terror", "terrorist", "militant", "jihadist", "extremist", "armed", "insurgent"})
# Relative time words that close a clause event but are not part of it ("... last month", "yesterday").
RELATIVE_TIME = frozenset({"yesterday", "today", "last", "this", "past", "ago", "earlier", "recently"})
TIME_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "night", "weekend"})
KILLING_WORDS = frozenset({"killed", "killing", "killings", "massacre", "massacres", "massacred", "slaughter",
                           "slaughtered", "executed", "murdered"})
INCIDENT_MODIFIERS = frozenset(
    {"truck", "car", "suicide", "double", "twin", "triple", "deadly", "coordinated", "bomb", "mortar", "rocket"}
)
PLACE_EVENT_VERBS = frozenset(
    """fell taken captured seized liberated attacked besieged overrun recaptured retaken stormed""".split()
)
INCIDENT_NOUNS = frozenset(
    """flogging lashing execution beheading crucifixion stoning shooting airstrike bombing explosion
    raid ambush kidnapping abduction""".split()
)
PLACE_NOUNS = frozenset(
    """city town village province region canton district area countryside governorate neighbourhood
    neighborhood heartland suburbs outskirts""".split()
)
DIRECTION_WORDS = frozenset(
    """northern southern eastern western north south east west central northeastern northwestern
    southeastern southwestern rural""".split()
)
# Verbs whose subject was at the place of their in/at/to/from phrase (PRESENT_AT).
LOCATIVE_PREPS = frozenset({"in", "at", "to", "into", "from", "near", "inside", "through", "across", "around"})
MEMBERSHIP_VERBS = frozenset(
    """join joins joined joining serve serves served serving fight fights fought fighting work works
    worked working pledge pledges pledged swear swore sworn belong belongs belonged""".split()
)
COPULAS = frozenset(
    """be is was were been being become becomes became serve serves served work works worked act acts
    acted remain remains remained appoint appointed named made""".split()
)


# --- gazetteer data -------------------------------------------------------------------------


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    needs_head: bool = False
    actor: bool = False
    place: str | None = None
    years: tuple[int, ...] = ()
    event_class: str | None = None
    needs_date: bool = False  # an event of one day or night: resolved only when the mention's time fits
    source: str = ""


@dataclass(frozen=True)
class GazetteerForm:
    entry: int  # index into Gazetteer.entries
    text: str
    keys: tuple[str, ...]
    orths: tuple[str, ...]  # the content tokens as written, for case-sensitive forms
    adjective: bool = False  # only counts when it describes people
    needs_determiner: bool = False
    case_sensitive: bool = False


def gazetteer_paths(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The bundled gazetteer files, then `TESTIMONY_GAZETTEER`'s, then `extra`'s."""
    sources: list[Path] = [GAZETTEER_DIR]
    env = os.environ.get(GAZETTEER_ENV)
    if env:
        sources.extend(Path(p) for p in env.split(os.pathsep) if p)
    sources.extend(Path(p) for p in extra)
    files: list[Path] = []
    for src in sources:
        if src.is_dir():
            files.extend(sorted(src.glob("*.yaml")) + sorted(src.glob("*.yml")))
        elif src.is_file():
            files.append(src)
    return files


def _plural(word: str) -> str:
    lower = word.lower()
    if lower.endswith("man") and not lower.endswith(("human", "german", "ottoman")):
        return word[:-3] + "men"
    if lower.endswith("wife"):
        return word[:-4] + "wives"
    if lower.endswith("child"):
        return word + "ren"
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _with_plural(form: str) -> list[str]:
    words = form.split(" ")
    return [form, " ".join([*words[:-1], _plural(words[-1])])]


@lru_cache(maxsize=200_000)
def _word_key(text: str) -> str:
    """A token's comparable form (see normalize.normalise_name); "" for punctuation."""
    return normalise_name(text)


def _is_acronym(text: str) -> bool:
    return 2 <= len(text) <= 5 and text.isalpha() and text.isupper()


def _token_keys(tokens: Sequence[str]) -> list[tuple[int, str, str | None] | None]:
    """Per token: (index, key, alternative key) for content tokens, None for transparent ones.

    Hyphens and the Arabic article are transparent, so "ar-Raqqa", "al Raqqa" and "Raqqa" share
    the key ("raka",); other punctuation is a barrier that no gazetteer form contains.
    An acronym (PKK, YPG) keys as itself, never spelling-folded (PKK is not PK); an all-capitals
    word also carries its folded key as the alternative, so a headline's RAQQA is still Raqqa.
    """
    out: list[tuple[int, str, str | None] | None] = []
    for i, text in enumerate(tokens):
        lower = text.lower()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if text in HYPHENS:
            out.append(None)
        elif lower in ARTICLES_FREE and i + 1 < len(tokens):
            out.append(None)
        elif lower in ARTICLES_ATTACHED and nxt in HYPHENS:
            out.append(None)
        else:
            key = _word_key(text)
            folded = key if key else "\u241f" + fold_text(text)
            if _is_acronym(text):
                out.append((i, "\u2191" + text.casefold(), folded))
            else:
                out.append((i, folded, None))
    return out


class Gazetteer:
    """Entries and their forms, indexed in a token trie over transliteration-folded keys."""

    def __init__(self, tokenizer: Any, paths: Sequence[str | Path] | None = None) -> None:
        self.entries: list[GazetteerEntry] = []
        self.forms: list[GazetteerForm] = []
        # events live in their own trie: "the fall of Mosul" is an event *and* names Mosul
        self.trie: dict[str, Any] = {}
        self.event_trie: dict[str, Any] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self._tokenizer = tokenizer
        files = [Path(p) for p in paths] if paths is not None else gazetteer_paths()
        for path in files:
            self._load_file(path)

    # building

    def _load_file(self, path: Path) -> None:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        if not isinstance(data, dict) or "entries" not in data:
            return  # a README or an unrelated YAML file
        file_type = data.get("type")
        defaults = data.get("defaults") or {}
        for raw in data["entries"]:
            spec = {**defaults, **raw}
            self.add_entry(spec, file_type, source=path.name)

    def add_entry(self, spec: dict[str, Any], default_type: str | None = None, source: str = "") -> int:
        etype = spec.get("type") or default_type
        if etype not in (*ENTITY_TYPES, IGNORE):
            raise ValueError(f"{source}: entry {spec.get('name')!r} has no valid type ({etype!r})")
        name = str(spec["name"])
        entry = GazetteerEntry(
            name=name,
            type=etype,
            needs_head=bool(spec.get("needs_head", etype in ("ROLE", "GROUP"))),
            actor=bool(spec.get("actor", False)),
            place=spec.get("place"),
            years=tuple(int(y) for y in spec.get("years", ())),
            event_class=spec.get("class"),
            needs_date=bool(spec.get("needs_date", False)),
            source=source,
        )
        index = len(self.entries)
        self.entries.append(entry)
        self.by_name.setdefault((etype, name), index)
        needs_det = {str(v) for v in spec.get("needs_determiner", ())}
        case_sensitive = {str(v) for v in spec.get("case_sensitive", ())}
        texts: list[str] = []
        if "(" not in name:  # "mahram (male guardian)" is a display name, not a form
            texts.append(name)
        texts.extend(str(v) for v in spec.get("variants", ()))
        if etype == "ROLE":  # role words are written in the plural as often as not
            texts = [t for text in texts for t in _with_plural(text)]
        for text in texts:
            self._add_form(index, text, adjective=False, needs_det=text in needs_det, cs=text in case_sensitive)
        for text in spec.get("adjectives", ()):
            self._add_form(index, str(text), adjective=True, needs_det=False, cs=False)
        for template in spec.get("forms", ()):
            for place_text in self.place_variants(entry.place):
                self._add_form(index, template.format(place=place_text), adjective=False, needs_det=False, cs=False)
        return index

    def place_variants(self, canonical: str | None) -> list[str]:
        if not canonical:
            return []
        index = self.by_name.get(("PLACE", canonical))
        if index is None:
            return [canonical]
        return sorted({f.text for f in self.forms if f.entry == index})

    def _add_form(self, entry: int, text: str, adjective: bool, needs_det: bool, cs: bool) -> None:
        tokens = [t.text for t in self._tokenizer(text) if not t.is_space]
        content = [k for k in _token_keys(tokens) if k is not None]
        if not content:
            return
        keys = tuple(k for _, k, _alt in content)
        orths = tuple(tokens[i] for i, _k, _alt in content)
        form = GazetteerForm(entry, text, keys, orths, adjective, needs_det, cs)
        node = self.event_trie if self.entries[entry].type == "EVENT" else self.trie
        for key in keys:
            node = node.setdefault(key, {})
        bucket = node.setdefault("\u0000forms", [])
        for other in (self.forms[f] for f in bucket):
            if (other.entry, other.adjective, other.needs_determiner, other.case_sensitive) == (entry, adjective, needs_det, cs):
                if not cs or other.orths == orths:
                    return  # the same key twice for one entry: nothing new
        self.forms.append(form)
        bucket.append(len(self.forms) - 1)

    # lookups

    def starts_a_name(self, word: str) -> bool:
        """Whether some non-event form begins with this word ("Kobani", "Free", "Saddam")."""
        keyed = _token_keys([word])[0]
        return keyed is not None and (keyed[1] in self.trie or (keyed[2] is not None and keyed[2] in self.trie))

    def entry_for(self, etype: str, name: str) -> GazetteerEntry | None:
        index = self.by_name.get((etype, name))
        return self.entries[index] if index is not None else None

    def events_at(self, place: str, event_class: str, years: Iterable[int], killing: bool = False) -> str | None:
        """The named event at `place` that fits both the mention's class and its time.

        With `years`, only an event of one of those years fits (preferring `event_class`): "the attack
        on Kobani in 2014" is the Siege, not the June 2015 massacre. Without, an event of that class
        fits unless it `needs_date` (a one-night massacre), which an undated mention reaches only
        when it reports killings; otherwise the longer-running event there (the Siege) is meant.
        """
        years = set(years)
        entries = [e for e in self.entries if e.type == "EVENT" and e.place == place and e.event_class]
        if not entries:
            return None
        if years:
            fit = [e for e in entries if not e.years or years & set(e.years)]
            pick = [e for e in fit if e.event_class == event_class] or fit
            return pick[0].name if len(pick) == 1 else None
        same = [e for e in entries if e.event_class == event_class]
        usable = [e for e in same if not e.needs_date or killing]
        if len(usable) == 1:
            return usable[0].name
        if same and not usable:
            other = [e for e in entries if e.event_class != event_class and not e.needs_date]
            if len(other) == 1:
                return other[0].name
        return None

    def matches(self, doc: Doc, events: bool = False) -> Generator[tuple[int, int, list[GazetteerForm]], bool | None, None]:
        """Longest matches, left to right: (start token, end token, candidate forms).

        Every length is offered, longest first; the caller sends back True when it took the
        match (the scan then moves past it) and False to be offered the next shorter one.
        """
        tokens = [t.text for t in doc]
        keyed = [k for k in _token_keys(tokens) if k is not None]
        root = self.event_trie if events else self.trie
        i = 0
        while i < len(keyed):
            node = root
            found: list[tuple[int, list[int]]] = []
            j = i
            while j < len(keyed):
                _, key, alt = keyed[j]
                if key in node:
                    node = node[key]
                elif alt is not None and alt in node:
                    node = node[alt]
                else:
                    break
                j += 1
                if "\u0000forms" in node:
                    found.append((j, node["\u0000forms"]))
            if not found:
                i += 1
                continue
            start_tok = keyed[i][0]
            consumed = False
            for end_k, form_ids in reversed(found):
                end_tok = keyed[end_k - 1][0] + 1
                forms = [self.forms[f] for f in form_ids]
                taken = yield (start_tok, end_tok, forms)
                if taken:
                    i = end_k
                    consumed = True
                    break
            if not consumed:
                i += 1


# --- helpers shared by the components -------------------------------------------------------


def _has_parse(doc: Doc) -> bool:
    return doc.has_annotation("DEP")


def _has_pos(doc: Doc) -> bool:
    return doc.has_annotation("TAG") or doc.has_annotation("POS")


def _is_titleish(token: Token) -> bool:
    text = token.text
    return bool(text) and text[0].isupper() and any(c.isalpha() for c in text)


def _extend_article(doc: Doc, start: int) -> int:
    """Move a span start back over a preceding Arabic article ("al", "-") that belongs to it."""
    while start > 0:
        prev = doc[start - 1]
        if prev.text in HYPHENS and start > 1 and doc[start - 2].lower_ in ARTICLES_FREE | ARTICLES_ATTACHED:
            start -= 2
        elif prev.lower_ in ("al-", "el-") or (prev.lower_ in ("al", "el") and not prev.whitespace_ == ""):
            start -= 1
        else:
            break
    return start


def modified_head(span: Span) -> Token | None:
    """The noun this span modifies when it is used as a modifier ("Syrian" in "Syrian city").

    With a dependency parse: the span's root is an amod/compound/nmod of a noun after it.
    Without one: the next token, when it is a lower-case content word (a rough stand-in).
    """
    doc = span.doc
    if _has_parse(doc):
        root = span.root
        # "Kurdish, Arab and Turkmen forces": a later conjunct modifies what the first one does
        while root.dep_ == "conj" and root.head.i < root.i and root.head.pos_ in ("ADJ", "PROPN", "NOUN"):
            root = root.head
        head = root.head
        if root.dep_ in ("amod", "compound", "nmod", "npadvmod") and head.i >= span.end and head.pos_ in ("NOUN", "PROPN"):
            if head.tag_ == "VBG" or head.lower_.endswith("ing") or head.lower_ in ADVERBIAL_NOUNS:
                return None  # "a rebel fighting for ISIS", "talking to a Tunisian online"
            if root.dep_ == "amod" and root.pos_ in ("NOUN", "PROPN") and root.tag_ != "NNP":
                return None  # a noun the parser hung on the next word as an adjective
            return head
        return None
    if span.end < len(doc):
        nxt = doc[span.end]
        # a lower-case content word, unless it looks like a verb or adverb ("a sniper guarded")
        word = nxt.lower_
        if nxt.is_alpha and nxt.is_lower and word not in STOP_WORDS and word not in COMMON_VERBS and not word.endswith(("ed", "ly", "ing")):
            return nxt
    return None


def _people_words(gaz: Gazetteer) -> frozenset[str]:
    """Head nouns that name people: role words (fighter) and group nouns (Kurds, Yazidis).

    "Syrian fighters" and "Syrian Kurds" both describe people; "Syrian city" does not.
    """
    return frozenset(
        f.orths[-1].lower()
        for f in gaz.forms
        if gaz.entries[f.entry].type == "ROLE" or (gaz.entries[f.entry].type == "GROUP" and not f.adjective)
    )


def _is_people_head(token: Token, role_words: frozenset[str], allow_state: bool) -> bool:
    word = token.lower_
    if not allow_state and word in STATE_HEADS:
        return False
    if word in PEOPLE_NOUNS or word in role_words:
        return True
    # "the Tunisian Mohamed Amrouni": a demonym before a person's name describes that person
    if token.ent_type_ == "PERSON" and token.pos_ == "PROPN":
        return True
    # "Syrian Armed Forces officers": look one noun further along a compound chain
    if token.dep_ == "compound" and token.head.i > token.i:
        return _is_people_head(token.head, role_words, allow_state)
    return False


def _years_in(tokens: Iterable[Token]) -> list[int]:
    return [int(t.text) for t in tokens if re.fullmatch(r"(?:19|20)\d\d", t.text)]


def _trigger_class(words: Iterable[str]) -> str | None:
    words = [w.lower() for w in words]
    if any(w in ATTACK_TRIGGERS for w in words):
        return "attack"
    if any(w in BATTLE_TRIGGERS for w in words):
        return "battle"
    return None


def _span_group(doc: Doc, key: str) -> list[Span]:
    return list(doc.spans[key]) if key in doc.spans else []


def _make_span(doc: Doc, start: int, end: int, label: str, canonical: str = "", method: str = "rule") -> Span:
    return Span(doc, start, end, label=label, kb_id=canonical, span_id=method)


# --- tokenizer ------------------------------------------------------------------------------


def tune_tokenizer(nlp: Language) -> None:
    """Split square brackets inside words ("Dawlah[ISIS]"), as transcripts use them for glosses.

    Idempotent. It only adds an infix, so the trained model sees the same tokens elsewhere.
    """
    bracket = r"[\[\]]"
    finditer = nlp.tokenizer.infix_finditer
    current = getattr(getattr(finditer, "__self__", None), "pattern", None)
    if current is None:
        nlp.tokenizer.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes or []) + [bracket]).finditer
    elif bracket not in current:
        nlp.tokenizer.infix_finditer = re.compile(f"{current}|{bracket}").finditer


# --- component: gazetteer -------------------------------------------------------------------


class GazetteerMatcher:
    """Marks gazetteer names; writes `doc.spans["testimony_gazetteer"]` (kb_id_ = canonical)."""

    def __init__(self, nlp: Language, name: str, paths: Sequence[str] = ()) -> None:
        self.name = name
        self.gazetteer = Gazetteer(nlp.tokenizer, gazetteer_paths(paths))
        self.role_words = _people_words(self.gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        kept: list[Span] = []
        suppressed: list[Span] = []
        for events in (False, True):
            matches = self.gazetteer.matches(doc, events=events)
            try:
                start, end, forms = next(matches)
                while True:
                    start = _extend_article(doc, start)
                    verdict = None
                    for form in forms:
                        verdict = self._check(doc, start, end, form)
                        if verdict is not None:
                            break
                    if verdict is not None:
                        span, ok = verdict
                        (kept if ok else suppressed).append(span)
                    start, end, forms = matches.send(verdict is not None)
            except StopIteration:
                pass
        doc.spans[SPANS_GAZETTEER] = kept
        doc.spans[SPANS_SUPPRESSED] = suppressed
        return doc

    def _check(self, doc: Doc, start: int, end: int, form: GazetteerForm) -> tuple[Span, bool] | None:
        """None: this form does not apply here (try a shorter one). Otherwise (span, keep?)."""
        entry = self.gazetteer.entries[form.entry]
        if form.case_sensitive:
            written = tuple(t.text for t in doc[start:end] if t.text not in HYPHENS and t.lower_ not in ARTICLES_FREE)
            if written != form.orths:
                return None
            if len(form.orths) == 1 and len(form.orths[0]) <= 2 and _in_caps_run(doc, start, end):
                return None  # "IS" inside an all-caps headline is the verb
        if form.needs_determiner:
            k = start - 1
            if entry.type == "ORG":  # "the ISIS court", "the Islamic State's court"
                while k > 0 and start - k <= 4 and (_is_titleish(doc[k]) or doc[k].lower_ in _POSSESSIVE):
                    k -= 1
            prev = doc[k] if k >= 0 else None
            if prev is None or prev.lower_ not in DETERMINERS:
                return None
        label = entry.type
        span = _make_span(doc, start, end, label, entry.name if label != IGNORE else "", "gazetteer")
        if label == IGNORE:
            return span, False
        if label == "PLACE" and end < len(doc) and doc[end].lower_ in ("province", "governorate"):
            # "Deir ez-Zour Province": any spelling of the city, then the word, is the governorate
            governorate = self.gazetteer.entry_for("PLACE", f"{entry.name} Governorate")
            if governorate is not None:
                return _make_span(doc, start, end + 1, label, governorate.name, "gazetteer"), True
        if label == "ORG" and end - start > 1 and start > 0 and doc[start - 1].lower_ in ("a", "an") and doc[end - 1].is_lower:
            return span, False  # "they want an Islamic state": the idea, not the organisation
        if _has_pos(doc) and label == "ROLE" and span.root.pos_ in ("VERB", "AUX") and not _nominal_use(span):
            return span, False  # "to guard", "they spy on"
        if label == "ROLE" and end + 1 < len(doc) and doc[end].text in HYPHENS and doc[end].whitespace_ == "" \
                and doc[end - 1].whitespace_ == "" and doc[end + 1].lower_.endswith(HELD_SUFFIXES):
            return span, False  # "jihadi-held villages", "rebel-controlled areas": who holds a place
        if form.adjective or entry.needs_head:
            head = modified_head(span)
            if form.adjective and head is None:
                return span, False  # "they spoke Kurdish": the language, not the people
            if head is not None and not self._head_ok(doc, head, label):
                return span, False
        elif label == "GROUP":
            # a community's name may modify a place ("Yazidi villages"), not a force or a state
            head = modified_head(span)
            if head is not None and head.lower_ in STATE_HEADS:
                return span, False
        return span, True

    def _head_ok(self, doc: Doc, head: Token, label: str) -> bool:
        if label == "GROUP":
            return _is_people_head(head, self.role_words, allow_state=False)
        if label == "ROLE":
            # a title before a name ("emir Abu Hamza", "President Assad") is the role of that person,
            # but not a word in the name of a route, building or work ("the Jihadi Highway")
            if head.ent_type_ in NON_PERSON_NAME_ENTS:
                return False
            return head.pos_ == "PROPN" or _is_titleish(head)
        return False


def _nominal_use(span: Span) -> bool:
    """A role word the small tagger took for a verb but that sits where a noun does.

    "a Syrian people smuggler" is tagged smuggler/VBP with an `attr` arc; a verb never has a
    determiner before it or a noun's dependency label.
    """
    root = span.root
    if root.dep_ in NOMINAL_DEPS:
        return True
    first = span[0]
    return first.i > 0 and span.doc[first.i - 1].lower_ in DETERMINERS


def _line_of(span: Span) -> tuple[int, int]:
    """Token bounds of the text line the span is on (a headline is one line)."""
    doc = span.doc
    start = span.start
    while start > 0 and "\n" not in doc[start - 1].whitespace_ and "\n" not in doc[start - 1].text:
        start -= 1
    end = span.end
    while end < len(doc) and "\n" not in doc[end - 1].whitespace_ and "\n" not in doc[end].text:
        end += 1
    return start, end


def _in_headline(span: Span) -> bool:
    """Whether the span sits in a title-case line (a headline), where every word is capitalised."""
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    line = _line_of(span)
    words = [t for t in sent if t.is_alpha and t.lower_ not in HEADLINE_FUNCTION_WORDS and line[0] <= t.i < line[1]]
    outside = [t for t in words if not span.start <= t.i < span.end]
    return len(words) >= 4 and bool(outside) and all(t.text[0].isupper() for t in words)


def _in_caps_run(doc: Doc, start: int, end: int) -> bool:
    def caps(tok: Token) -> bool:
        return tok.is_alpha and tok.is_upper and len(tok) > 1

    left = doc[start - 1] if start > 0 else None
    right = doc[end] if end < len(doc) else None
    return bool((left is not None and caps(left)) or (right is not None and caps(right)))


@Language.factory(
    "testimony_gazetteer",
    default_config={"paths": []},
    assigns=["doc.spans"],
    requires=[],
)
def make_gazetteer(nlp: Language, name: str, paths: list[str]) -> GazetteerMatcher:
    tune_tokenizer(nlp)
    return GazetteerMatcher(nlp, name, paths)


def get_gazetteer(nlp: Language) -> Gazetteer:
    """The pipeline's gazetteer (a fresh default one when the component is absent)."""
    if "testimony_gazetteer" in nlp.pipe_names:
        return nlp.get_pipe("testimony_gazetteer").gazetteer
    return Gazetteer(nlp.tokenizer)


# --- component: kunya / nisba names ---------------------------------------------------------

KUNYA_HEADS = frozenset({"abu", "abou", "abo", "ebu", "umm", "um", "oum", "ummu", "ibn", "bint"})  # Ebu/Ummu: Turkish spellings
CHAIN_WORDS = frozenset({"ibn", "bin", "bint", "abu", "ebu"})


def _name_word(tok: Token) -> bool:
    text = tok.text
    return (
        len(text) >= 2
        and text[0].isupper()
        and text.replace("'", "").replace("’", "").isalpha()
        and text.lower() not in STOP_WORDS
    )


def _nisba_at(doc: Doc, i: int) -> int:
    """If a nisba (al-X / el X / Al-X) starts at token i, the index after it, else i."""
    if i >= len(doc):
        return i
    tok = doc[i]
    lower = tok.lower_
    if lower in ("al-", "el-") and i + 1 < len(doc) and _name_word(doc[i + 1]):
        return i + 2
    if lower in ("al", "el", "as", "ash", "ad", "ar", "az", "at") and i + 1 < len(doc):
        j = i + 1
        if doc[j].text in HYPHENS and j + 1 < len(doc):
            j += 1
        elif lower not in ("al", "el"):
            return i  # "as", "at" are English unless hyphen-attached
        if _name_word(doc[j]):
            return j + 1
    return i


def find_kunyas(doc: Doc) -> list[tuple[int, int]]:
    """Abu X / Umm X / Ibn X names with optional nisbas and ibn-chains, plus lone al-X-i nisbas."""
    found: list[tuple[int, int]] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if tok.lower_ in KUNYA_HEADS and _is_titleish(tok) and i + 1 < n:
            j = i + 1
            # the name proper: Abu Hamza / Abu Abdul Malik / Abu Abd al-Rahman
            names = 0
            while j < n and names < 3:
                if _name_word(doc[j]):
                    j += 1
                    names += 1
                elif names and doc[j - 1].lower_ in ("abd", "abdul", "abdel") and _nisba_at(doc, j) > j:
                    j = _nisba_at(doc, j)
                    names += 1
                else:
                    break
            if names == 0:
                i += 1
                continue
            # nisbas and chains: al-Tunisi al-Muhajir ibn Ahmad
            while j < n:
                after = _nisba_at(doc, j)
                if after > j:
                    j = after
                    continue
                if doc[j].lower_ in CHAIN_WORDS and j + 1 < n and _name_word(doc[j + 1]):
                    j += 2
                    continue
                break
            found.append((i, j))
            i = j
            continue
        # a person known by a nisba alone: "al-Tunisi said", "al-Britani"
        if tok.lower_ in ("al", "el", "al-", "el-") and (i == 0 or not _is_titleish(doc[i - 1]) or doc[i - 1].lower_ in STOP_WORDS):
            after = _nisba_at(doc, i)
            if after > i and doc[after - 1].lower_.endswith(("i", "y")) and len(doc[after - 1]) >= 5:
                if after >= n or not _name_word(doc[after]):
                    found.append((i, after))
                    i = after
                    continue
        i += 1
    return found


@Language.component(
    "testimony_kunya",
    assigns=["doc.spans"],
)
def kunya_component(doc: Doc) -> Doc:
    doc.spans[SPANS_KUNYA] = [_make_span(doc, s, e, "PERSON", "", "kunya") for s, e in find_kunyas(doc)]
    return doc


# --- component: patterns (facilities, person cues, events, incidents) -----------------------


class PatternRules:
    """Rule-found mentions; writes `doc.spans["testimony_patterns"]`."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.gazetteer = get_gazetteer(nlp)

    def __call__(self, doc: Doc) -> Doc:
        gaz = _span_group(doc, SPANS_GAZETTEER)
        self._places = _place_index(doc, gaz)
        self._orgs = {i for s in gaz if s.label_ == "ORG" for i in range(s.start, s.end)}
        self._actors = {
            i
            for s in gaz
            if s.label_ == "ORG" and (e := self.gazetteer.entry_for("ORG", s.kb_id_)) is not None and e.actor
            for i in range(s.start, s.end)
        }
        # demonyms, whether or not they named people here ("Syrian school" is not a place name)
        self._groups = {
            i for s in gaz + _span_group(doc, SPANS_SUPPRESSED) if s.label_ == "GROUP" for i in range(s.start, s.end)
        }
        self._gaz_tokens = {i for s in gaz for i in range(s.start, s.end)}
        spans: list[Span] = []
        spans.extend(self._facilities(doc))
        spans.extend(self._person_cues(doc))
        spans.extend(self._age_cues(doc))
        spans.extend(self._bylines(doc))
        spans.extend(self._speakers(doc))
        spans.extend(self._place_of(doc))
        spans.extend(self._arabic_toponyms(doc))
        spans.extend(self._arabic_org_names(doc))
        spans.extend(self._institutions(doc))
        spans.extend(self._datelines(doc))
        spans.extend(self._np_events(doc))
        spans.extend(self._clause_events(doc))
        doc.spans[SPANS_PATTERNS] = self._resolve_placeless_events(doc, spans)
        return doc

    # PLACE: "Sadd al-Furat prison", "Qadisiya Camp", "a camp called al-Nour"
    def _facilities(self, doc: Doc) -> Iterator[Span]:
        for i, tok in enumerate(doc):
            if tok.lower_ not in FACILITY_NOUNS:
                continue
            j = i
            # "Shreya refugee camp", "Kilis border crossing": a kind word between name and noun
            if i >= 2 and doc[i - 1].lower_ in FACILITY_KINDS and _name_word(doc[i - 2]):
                j = i - 1
            while j > 0:
                prev = doc[j - 1]
                if _name_word(prev) or prev.lower_ in ("al-", "el-") or (prev.text in HYPHENS and j > 1) or (
                    prev.lower_ in ("al", "el") and j < i
                ) or (prev.like_num and j < i):
                    j -= 1
                else:
                    break
            while j < i and (doc[j].text in HYPHENS or doc[j].like_num):
                j += 1
            if j == i:
                # "a camp called al-Nour": the name comes after a naming cue
                k = i + 1
                if k < len(doc) and doc[k].lower_ in ("called", "named", "known") and tok.lower_ != "school":
                    k += 2 if doc[k].lower_ == "known" else 1
                    end = _nisba_at(doc, k) if k < len(doc) else k  # "a camp called al-Rashid"
                    while end < len(doc) and _name_word(doc[end]) and end - k < 3:
                        end += 1
                    if end > k and not any(t in self._gaz_tokens for t in range(k, end)):
                        yield _make_span(doc, k, end, "PLACE")
                continue
            name_tokens = [t for t in range(j, i) if doc[t].lower_ not in FACILITY_KINDS or _name_word(doc[t])]
            if not any(_name_word(doc[t]) for t in name_tokens):
                continue
            if any(t in self._orgs or t in self._groups for t in name_tokens):
                continue  # "ISIS prison" is the group's prison, "Yazidi camp" a description
            has_article = any(doc[t].lower_ in ARTICLES_FREE for t in name_tokens)
            initial = j == 0 or doc[j].is_sent_start or doc[j - 1].is_space or doc[j - 1].text in (".", ":", "\"", "“")
            if not has_article and initial and _has_pos(doc) and not any(doc[t].pos_ == "PROPN" for t in name_tokens):
                continue  # "Military camp" at the start of a sentence is not a name
            yield _make_span(doc, j, i + 1, "PLACE")

    # PERSON: "12-year-old Dilan", "who calls herself Nour", "going by the name of Karim"
    def _person_cues(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for i, tok in enumerate(doc):
            start = None
            low = tok.lower_
            if low == "yearold" or (low == "old" and i >= 2 and doc[i - 1].text in HYPHENS and doc[i - 2].lower_ in ("year", "years")):
                start = i + 1  # "12-year-old Dilan", "15-yearold Karim"
            elif low in NAME_CUE_WORDS:
                start = i + 1  # "a man called Abu Rami", "the pseudonym Khaled"
            elif low in ("herself", "himself") and i > 0 and doc[i - 1].lower_ in ("calls", "called", "call"):
                start = i + 1
                if start < n and doc[start].lower_ == "as":
                    start += 1
            elif low == "of" and i >= 1 and doc[i - 1].lower_ == "name":
                start = i + 1  # "going by the name of Khaled"
            elif low == "to" and i >= 2 and doc[i - 1].lower_ == "name" and doc[i - 2].lower_ in ("his", "her", "their"):
                start = i + 1  # "changed his name to Yusuf": a convert's or a member's new name
            if start is None or start >= n:
                continue
            end = start
            while end < n and _name_word(doc[end]) and end - start < 3:
                end += 1
            if end == start:
                continue
            if any(t in self._gaz_tokens for t in range(start, end)):
                continue
            # "a camp called al-Nour" is a place: leave it to the facility rule
            window = {t.lower_ for t in doc[max(0, i - 3) : i]}
            if window & FACILITY_NOUNS:
                continue
            yield _make_span(doc, start, end, "PERSON", "", "rule")

    # PERSON: a name given with an age, "Madline was 17 years old", "Mahira, 26, who ..."
    def _age_cues(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for k, tok in enumerate(doc):
            if not (tok.like_num and tok.text.isdigit() and 1 <= len(tok.text) <= 2):
                continue
            if k >= 2 and doc[k - 1].lower_ in ("was", "is") and k + 2 < n and doc[k + 1].lower_ in ("years", "year") and doc[k + 2].lower_ == "old":
                end = k - 1  # "Madline was 17 years old"
            elif k >= 2 and doc[k - 1].text == "," and k + 1 < n and doc[k + 1].text == ",":
                end = k - 1  # "Mahira, 26, who was also abducted"
            else:
                continue
            start = end
            while start > 0 and end - start < 3 and _name_word(doc[start - 1]):
                start -= 1
            if start == end or any(t in self._gaz_tokens for t in range(start, end)):
                continue
            if start > 0 and (_is_titleish(doc[start - 1]) and not doc[start - 1].is_sent_start and doc[start - 1].is_alpha):
                continue  # part of a longer capitalised phrase: leave it to the model
            yield _make_span(doc, start, end, "PERSON", "", "rule")

    # PERSON: "By Jane Roe & John Doe" (a byline names people, whatever the model says)
    def _bylines(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for i, tok in enumerate(doc):
            if tok.text != "By" or not (i == 0 or "\n" in doc[i - 1].whitespace_ or doc[i - 1].is_space):
                continue
            j = i + 1
            while j < n:
                end = j
                while end < n and _name_word(doc[end]) and end - j < 4:
                    end += 1
                if end - j < 2:
                    break
                if not any(t in self._gaz_tokens for t in range(j, end)):
                    yield _make_span(doc, j, end, "PERSON", "", "rule")
                if end < n and doc[end].lower_ in ("&", "and", ","):
                    j = end + 1
                    continue
                break

    # PERSON: an unknown capitalised name that recalls, says or tells ("Karim recalled the raid")
    def _speakers(self, doc: Doc) -> Iterator[Span]:
        if not _has_parse(doc):
            return
        for tok in doc:
            if tok.dep_ != "nsubj" or tok.head.lower_ not in PERSON_VERBS or tok.pos_ != "PROPN":
                continue
            if tok.i in self._gaz_tokens or tok.ent_type_ or not _name_word(tok):
                continue
            if any(c.dep_ in ("compound", "amod", "det") for c in tok.children):
                continue  # a multi-word subject is for the model to judge
            yield _make_span(doc, tok.i, tok.i + 1, "PERSON", "", "rule")

    # PLACE: "the neighbourhood of Hay al-Salam", "the village of Kocho"
    def _place_of(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for i, tok in enumerate(doc):
            if tok.lower_ not in PLACE_NOUNS or i + 2 >= n or doc[i + 1].lower_ != "of":
                continue
            start = i + 2
            end = start
            while end < n and (_name_word(doc[end]) or (doc[end].lower_ in ARTICLES_FREE and end + 1 < n)) and end - start < 4:
                end += 1
            while end > start and doc[end - 1].lower_ in ARTICLES_FREE:
                end -= 1
            if end == start or any(t in self._gaz_tokens for t in range(start, end)):
                continue
            yield _make_span(doc, start, end, "PLACE", "", "rule")

    # PLACE: Arabic toponyms by their head word ("Dawar al-Naim", "Jisr al-Shughur", "Point 9")
    def _arabic_toponyms(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for i, tok in enumerate(doc):
            if i in self._gaz_tokens or not _is_titleish(tok):
                continue
            if tok.text in NUMBERED_PLACE_HEADS and i + 1 < n and doc[i + 1].like_num:
                yield _make_span(doc, i, i + 2, "PLACE")  # IS prisons and posts were numbered
                continue
            if _word_key(tok.text) not in ARABIC_PLACE_HEADS:
                continue
            j = i + 1
            names = 0
            while j < n and names < 2:
                if _name_word(doc[j]):
                    j += 1
                    names += 1
                elif doc[j].lower_ in ARTICLES_FREE or (doc[j].text in HYPHENS and names == 0 and j > i + 1):
                    j += 1
                else:
                    break
            while j > i + 1 and not _name_word(doc[j - 1]):
                j -= 1
            if names and not any(t in self._gaz_tokens for t in range(i, j)):
                yield _make_span(doc, i, j, "PLACE")

    # ORG: Arabic names of armed groups and bodies by their head word ("Liwa al-Tawhid")
    def _arabic_org_names(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        named = {i for s in _span_group(doc, SPANS_GAZETTEER) if s.label_ in ("ORG", "PLACE", "PERSON") for i in range(s.start, s.end)}
        others = {i for s in _span_group(doc, SPANS_GAZETTEER) if s.label_ in ("ORG", "PERSON") for i in range(s.start, s.end)}
        i = 0
        while i < n:
            tok = doc[i]
            if not _is_titleish(tok) or _word_key(tok.text) not in ARABIC_ORG_HEADS or i in named:
                i += 1
                continue
            j = i + 1
            while j < n:
                after = _nisba_at(doc, j)  # al-Mujahideen, al-Sham
                if after > j:
                    j = after
                elif _name_word(doc[j]) and j - i <= 3 and doc[j].lower_ not in FACILITY_NOUNS:
                    j += 1
                else:
                    break
            # a unit may be named after a place ("Quwat Sahl Ninawa"), not after another group or a person
            if j > i + 1 and not any(t in others for t in range(i, j)):
                yield _make_span(doc, i, j, "ORG")
                i = j
                continue
            i += 1

    # ORG: a capitalised name that ends in an institution's head word ("Yazidi Fraternal
    # Organization", "ISIS Prisons Museum", "Syrian Network for Human Rights")
    def _institutions(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        gaz = _span_group(doc, SPANS_GAZETTEER)
        persons = {i for s in gaz + _span_group(doc, SPANS_KUNYA) if s.label_ == "PERSON" for i in range(s.start, s.end)}
        whole = {(s.start, s.end) for s in gaz}
        last = -1
        for i, tok in enumerate(doc):
            if i <= last or not _is_titleish(tok) or tok.lower_ not in INSTITUTION_HEADS or i in persons:
                continue
            start = i
            while start > 0 and i - start < 5:
                prev = doc[start - 1]
                if _name_word(prev) and prev.i not in persons:
                    if start >= 2 and doc[start - 2].text in HYPHENS and doc[start - 2].whitespace_ == "":
                        break  # "neo-Islamist Justice ...": the word belongs to its prefix
                    start -= 1
                elif prev.lower_ == "and" and start >= 2 and _name_word(doc[start - 2]) and start < i:
                    start -= 1  # "Justice and Development Party"
                elif (
                    prev.lower_ in _POSSESSIVE and start >= 2 and _name_word(doc[start - 2])
                    and not {start - 2} & (self._gaz_tokens | persons)
                ):
                    start -= 2  # "People's Defence Corps", not "ISIS's Torture Brigades"
                else:
                    break
            end = i + 1
            # "... Network for Human Rights", "... Center for the Study of Violent Extremism"
            k = end
            if k + 1 < n and doc[k].lower_ in ("for", "of", "on") and not doc[k - 1].whitespace_ == "":
                k += 1
                if doc[k].lower_ == "the":
                    k += 1
                tail = k
                while tail < n and tail - k < 8 and (
                    _name_word(doc[tail])
                    or (doc[tail].lower_ in ("of", "and", "for", "the", "&") and tail > k)
                    or (doc[tail].text in HYPHENS and tail > k and doc[tail - 1].whitespace_ == "" and doc[tail].whitespace_ == "")
                ):
                    tail += 1
                while tail > k and not _name_word(doc[tail - 1]):
                    tail -= 1
                if tail > k:
                    end = tail
            words = [t for t in doc[start:end] if _name_word(t) and t.i != i]
            if not words or (start, end) in whole:
                continue
            if start == i and end == i + 1:
                continue
            while doc[start].lower_ == "and":
                start += 1
            if all(t.i in self._orgs for t in words) and end == i + 1:
                continue  # "ISIS Forces" is ISIS
            if any(t.is_sent_start for t in doc[start + 1 : end]) or _in_headline(doc[start:end]):
                continue  # "Inside ISIS's Torture Brigades" is a title, not a name
            last = end - 1
            yield _make_span(doc, start, end, "ORG")

    # PLACE: a news dateline, "BA'ADRA, Iraq —" / "DOHUK //" at the start of a paragraph
    def _datelines(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for i, tok in enumerate(doc):
            if not (i == 0 or doc[i - 1].is_space or "\n" in doc[i - 1].whitespace_):
                continue
            j = i
            while j < n and j - i < 4 and doc[j].is_upper and any(c.isalpha() for c in doc[j].text) and len(doc[j]) > 1:
                j += 1
            if j == i or j >= n or doc[j].text not in (",", "—", "–", "-", "//"):
                continue
            words = {doc[t].lower_ for t in range(i, j)}
            if any(t in self._gaz_tokens for t in range(i, j)) or words & (STOP_WORDS | KUNYA_HEADS | NEWS_LABELS):
                continue  # "ABU OMAR —" is a speaker, "UPDATE —" a label
            yield _make_span(doc, i, j, "PLACE")

    # EVENT noun phrases: "the fall of Mosul", "Kobani massacre", "Daesh siege", "five-month resistance"
    def _np_events(self, doc: Doc) -> Iterator[Span]:
        n = len(doc)
        for i, tok in enumerate(doc):
            low = tok.lower_
            # trigger + of/on/for + NP ending in a named place or person
            # "the assault last month on Kobani": a relative time may sit between noun and place
            k = i + 1
            if k + 1 < n and doc[k].lower_ in ("last", "this", "past") and doc[k + 1].lower_ in TIME_UNITS:
                k += 2
            elif k < n and doc[k].lower_ == "yesterday":
                k += 1
            if low in EVENT_NOUNS and k < n and doc[k].lower_ in EVENT_PREPS and not (_has_parse(doc) and tok.pos_ in ("VERB", "AUX")) and not (i > 0 and doc[i - 1].lower_ == "to"):
                # "to attack in Europe" is an act being planned, not an event (the verb reading, even mis-tagged)
                # only a fall or an overthrow happens to a person ("the fall of Saddam Hussein")
                end = self._np_end(doc, k + 1, places_only=low not in ("fall", "overthrow"))
                if end is not None:
                    start = i
                    if start > 0 and doc[start - 1].lower_ in ("air",):
                        start -= 1
                    yield self._event(doc, start, end)
                continue
            # incident + in/at/on + place: "a flogging in Raqqa", "the airstrike on Manbij"
            if low in INCIDENT_NOUNS:
                mod = i  # "a double truck bombing": the kind words belong to the incident
                while mod > 0 and doc[mod - 1].lower_ in INCIDENT_MODIFIERS:
                    mod -= 1
                if mod > 0 and doc[mod - 1].lower_ in ("a", "an", "the", "that", "this"):
                    if i + 1 < n and doc[i + 1].lower_ in ("in", "at", "on", "near"):
                        end = self._np_end(doc, i + 2, places_only=True)
                        if end is not None:
                            yield self._incident(doc, mod, end)
                            continue
                    # "a double truck bombing that struck her neighbourhood in 2007": specific by its date
                    if mod < i and self._dated_incident(tok):
                        yield self._incident(doc, mod, i + 1)
                continue
            # [place | actor | demonym] + massacre/siege/offensive: "Kobani massacre", "Daesh siege", "Iraqi offensive"
            # "the ISIL attack", "a Daesh assault": an armed group's attack is an event
            # "an IS advance in Sinjar": an armed group's advance on a named town
            if low == "advance" and i > 0 and doc[i - 1].i in self._actors and tok.tag_ == "NN" and i + 1 < n and doc[i + 1].lower_ in ("in", "on", "into", "upon", "towards", "toward"):
                end = self._np_end(doc, i + 2, places_only=True)
                if end is not None and not all(self._places.get(t) in COUNTRIES for t in range(i + 2, end) if t in self._places):
                    j = i - 1
                    while j > 0 and doc[j - 1].i in self._actors:
                        j -= 1
                    yield self._event(doc, j, end)
                continue
            if low in ("attack", "assault") and i > 0 and doc[i - 1].i in self._actors and tok.tag_ == "NN":
                j = i - 1
                while j > 0 and doc[j - 1].i in self._actors:
                    j -= 1
                yield self._event(doc, j, i + 1)
                continue
            if low in EVENT_SUFFIXES and i > 0:
                prev = doc[i - 1]
                j = i - 1
                if prev.i in self._places or prev.i in self._actors or prev.i in self._orgs:
                    while j > 0 and (doc[j - 1].i in self._places or doc[j - 1].i in self._orgs) and doc[j - 1].text not in (",", "."):
                        j -= 1
                    yield self._event(doc, j, i + 1)
                elif low == "offensive" and _is_titleish(prev) and prev.text.endswith(("i", "n", "sh")) and prev.is_alpha:
                    yield self._event(doc, j, i + 1)  # "Iraqi offensive", "Turkish offensive"
                elif prev.lower_ in DURATION_UNITS and i >= 3 and doc[i - 2].text in HYPHENS:
                    yield self._event(doc, i - 3, i + 1)  # "five-month resistance"
                continue

    def _resolve_placeless_events(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """"A year after the ISIL attack": an event naming no place is the one named event of its
        class that the rest of the document places and dates, when there is exactly one."""
        resolved: dict[str, set[str]] = {}
        for span in spans:
            if span.label_ == "EVENT" and span.kb_id_:
                entry = self.gazetteer.entry_for("EVENT", span.kb_id_)
                if entry is not None and entry.event_class:
                    resolved.setdefault(entry.event_class, set()).add(span.kb_id_)
        out = []
        for span in spans:
            if span.label_ == "EVENT" and not span.kb_id_:
                cls = _trigger_class(t.text for t in span)
                if cls and not any(t in self._places for t in range(span.start, span.end)) and len(resolved.get(cls, ())) == 1:
                    span = _make_span(doc, span.start, span.end, "EVENT", next(iter(resolved[cls])), "rule")
            out.append(span)
        return out

    def _np_end(self, doc: Doc, k: int, places_only: bool = False) -> int | None:
        """End of a noun phrase starting at k that ends in a named place (or person)."""
        end = None
        for j in range(k, min(len(doc), k + 8)):
            tok = doc[j]
            if j in self._places or (not places_only and tok.ent_type_ == "PERSON"):
                end = j + 1  # "the Rojava canton of Kobani": keep going to the last name
            elif tok.lower_ in NP_GLUE_WORDS or tok.text in HYPHENS or tok.lower_ in PLACE_NOUNS | DIRECTION_WORDS:
                continue
            elif not (_is_titleish(tok) and tok.is_alpha and not places_only):
                break
        return end

    def _event(self, doc: Doc, start: int, end: int) -> Span:
        span = doc[start:end]
        places = [self._places[t] for t in range(start, end) if t in self._places]
        canonical = ""
        cls = _trigger_class(t.text for t in span)
        if cls:
            sent = span.sent if _has_parse(doc) else span
            years = _years_in(span) or _years_in(sent)
            killing = any(t.lower_ in KILLING_WORDS for t in sent)
            for place in dict.fromkeys(places):
                canonical = self.gazetteer.events_at(place, cls, years, killing) or ""
                if canonical:
                    break
            if not canonical and years and places and self.gazetteer.events_at(places[0], cls, (), True):
                # a dated event at a place of named events that is none of them: "attack on Kobani (2016)"
                canonical = f"{'battle' if cls == 'battle' else 'attack'} on {places[0]} ({years[0]})"
        return _make_span(doc, start, end, "EVENT", canonical, "rule")

    @staticmethod
    def _dated_incident(tok: Token) -> bool:
        """An incident whose own clause gives its year: "a bombing that struck ... in 2007"."""
        if not _has_parse(tok.doc):
            return False
        clauses = [c for c in tok.children if c.dep_ in ("relcl", "acl", "prep")]
        return any(_years_in(t for t in c.subtree if t.text not in ("—", "–")) for c in clauses)

    def _incident(self, doc: Doc, start: int, end: int) -> Span:
        span = doc[start:end]
        places = [self._places[t] for t in range(start, end) if t in self._places]
        head = next((t for t in span if t.lower_ in INCIDENT_NOUNS), doc[start])
        years = _years_in(doc[start : min(len(doc), end + 4)]) or _years_in(head.subtree)
        label = " ".join(t.lower_ for t in doc[start : head.i + 1])
        where = ", ".join(dict.fromkeys([*places[-1:], *(str(y) for y in years[:1])]))
        canonical = f"{label} ({where})" if where else ""
        return _make_span(doc, span.start, span.end, "EVENT", canonical, "rule")

    # EVENT clauses: "ISIL attacked Iraq's northern Sinjar region in August 2014", "Mosul fell",
    # "its fighters advanced on Sinjar", "the terror group seized ...", "they entered Mosul"
    def _clause_events(self, doc: Doc) -> Iterator[Span]:
        if not _has_parse(doc):
            return
        for verb in doc:
            if verb.pos_ not in ("VERB", "AUX"):
                continue
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not subjects and verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX") and verb.lower_ in CONJ_EVENT_VERBS and not any(
                c.dep_ == "dobj" and (c.pos_ == "PRON" or c.ent_type_ == "PERSON") for c in verb.children
            ):
                # "they made their first push ... and overran the base": a conjoined verb shares its
                # first verb's subject; the event is the verb and what follows it
                shared = [c for c in verb.head.children if c.dep_ == "nsubj"]
                if shared and (shared[0].i in self._actors or self._actor_phrase(shared[0]) or (shared[0].lower_ == "they" and self._actor_nearby(doc, verb))):
                    end = self._clause_end(doc, verb)
                    if any(t in self._places and self._places[t] not in COUNTRIES for t in range(verb.i + 1, end)) and verb.lower_ not in MOVEMENT_EVENT_VERBS:
                        yield self._event(doc, verb.i, end)
                continue
            if not subjects:
                continue
            subj = subjects[0]  # "Daesh gangs killed ...": the subject is "gangs", not an actor
            if verb.lower_ == "fell" and verb.dep_ in ("relcl", "advcl", "acl") and subj.lower_ in ("which", "that") and subj.i < verb.i:
                # "Mosul, which fell to the militants": the relative clause's place is its antecedent
                # (the word just before the pronoun; the parser often hangs the clause elsewhere)
                ante = subj.i - 1
                if ante >= 0 and doc[ante].text == ",":
                    ante -= 1
                if ante >= 0 and ante in self._places and self._places[ante] not in COUNTRIES:
                    start = ante
                    while start > 0 and self._places.get(start - 1) == self._places[ante]:
                        start -= 1
                    yield self._event(doc, start, self._clause_end(doc, verb))
                continue
            if verb.lower_ in CLAUSE_EVENT_VERBS and subj.dep_ == "nsubj" and (
                subj.i in self._actors or self._actor_phrase(subj)
            ):
                start = min(t.i for t in subj.subtree)
                if subj.i in self._actors:  # "ISIL attacked ...", not "the ISIL attacked"
                    while start < subj.i and doc[start].lower_ in DETERMINERS:
                        start += 1
            elif verb.lower_ in CLAUSE_EVENT_VERBS and subj.dep_ == "nsubj" and subj.lower_ == "they" and self._actor_nearby(doc, verb):
                start = verb.i  # "they entered Mosul": the pronoun is not part of the event
            elif verb.lower_ in PLACE_EVENT_VERBS and subj.i in self._places and subj.i < verb.i:
                if verb.lower_ != "fell" and subj.dep_ != "nsubjpass":
                    continue  # "Sinjar was taken", "before Mosul fell"
                yield self._event(doc, min(t.i for t in subj.subtree if t.i >= subj.left_edge.i and t.lower_ not in DETERMINERS), self._clause_end(doc, verb))
                continue
            else:
                continue
            end = self._clause_end(doc, verb)
            places = [self._places[t] for t in range(verb.i + 1, end) if t in self._places]
            if not places:
                continue  # an event of this graph happens somewhere named
            if verb.lower_ in MOVEMENT_EVENT_VERBS or subj.i not in self._actors:
                if all(p in COUNTRIES for p in places):
                    continue  # "he entered Syria via Turkey" is travel
                if verb.lower_ == "advanced" and not any(c.dep_ == "prep" and c.lower_ in ("on", "into", "upon") for c in verb.children):
                    continue
            yield self._event(doc, start, end)

    def _actor_phrase(self, subj: Token) -> bool:
        """A subject that names an armed group by description: "its fighters", "the terror group"."""
        if subj.lower_ in ACTOR_NOUNS:
            return not any(c.i in self._groups or c.lower_ in ("foreign", "female", "former") for c in subj.children)
        if subj.lemma_.lower() in ("group", "organisation", "organization"):
            return any(c.lower_ in ACTOR_GROUP_MODIFIERS for c in subj.children)
        return False

    def _actor_nearby(self, doc: Doc, verb: Token) -> bool:
        """Whether "they" is an armed group: the nearest group named before it (within ~100 tokens)
        is an armed group, not a people ("the Yazidis ... they fled")."""
        for i in range(verb.i - 1, max(-1, verb.i - 100), -1):
            if i in self._actors:
                return True
            if i in self._groups:
                return False
        return False

    @staticmethod
    def _clause_end(doc: Doc, verb: Token) -> int:
        """The verb's object and adjuncts, up to the first comma: "... into Sinjar province"."""
        end = verb.i + 1
        for child in verb.children:
            if child.i < verb.i or child.dep_ in ("punct", "cc", "conj", "advcl", "relcl", "ccomp", "parataxis", "mark", "xcomp", "dep"):
                continue
            end = max(end, max(t.i for t in child.subtree) + 1)
        for t in doc[verb.i + 1 : end]:
            if t.text == "," and t.i + 1 < len(doc) and _years_in([doc[t.i + 1]]) and doc[t.i - 1].like_num:
                continue  # "on August 3, 2014"
            if t.text in (",", ";", ":", "—", "–") or t.is_space:
                end = t.i
                break
        while end > verb.i + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        # "... in the region of Sinjar last month": a relative time closing the clause is not part of it
        if end - 1 > verb.i + 1 and doc[end - 1].lower_ == "yesterday":
            end -= 1
        elif end - 1 > verb.i + 1 and doc[end - 1].lower_ == "ago":
            # "... fell to the militants more than a month ago": the time since is not part of it
            for child in verb.children:
                if child.i > verb.i and child.left_edge.i <= end - 1 <= child.right_edge.i and child.left_edge.i > verb.i + 1:
                    end = child.left_edge.i
                    break
        elif end - 2 > verb.i + 1 and doc[end - 1].lower_ in TIME_UNITS and doc[end - 2].lower_ in ("last", "this", "past"):
            end -= 2
        return end


def _place_index(doc: Doc, gaz: list[Span]) -> dict[int, str]:
    """Token index -> canonical place, from the gazetteer and the model's GPE/LOC/FAC entities."""
    places: dict[int, str] = {}
    # "Khalid Murad ... seven of Murad's brothers": a one-word model place that is elsewhere a
    # person's name is that person (a gazetteer place below still wins)
    person_words = {e.text for e in doc.ents if e.label_ == "PERSON"} | {
        e[-1].text for e in doc.ents if e.label_ == "PERSON" and len(e) > 1
    }
    for ent in doc.ents:
        if ent.label_ in ("GPE", "LOC", "FAC"):
            if len(ent) == 1 and ent.text in person_words:
                continue
            for i in range(ent.start, ent.end):
                places[i] = ent.text
    for span in gaz:
        if span.label_ == "PLACE":
            for i in range(span.start, span.end):
                places[i] = span.kb_id_ or span.text
        elif span.label_ != "PLACE":
            for i in range(span.start, span.end):
                places.pop(i, None)
    return places


@Language.factory(
    "testimony_patterns",
    assigns=["doc.spans"],
    requires=["doc.spans"],
)
def make_patterns(nlp: Language, name: str) -> PatternRules:
    return PatternRules(nlp, name)


# --- component: merge into mentions ---------------------------------------------------------

# The model's entities that are never entities here, whatever the gazetteer says.
_CONTRACTION = re.compile(r"^(?:n['’]t|['’](?:s|re|ve|ll|d|m))$", re.IGNORECASE)
_TRIM_LEFT = frozenset({"the", "a", "an", "this", "that", "these", "those", "so", "-", "called", "’", "'", '"', "“", "‘"})
_TRIM_RIGHT = frozenset({"'s", "’s", "’", "'", '"', "”", ",", ".", "-", ":", ";", "’’"})
_GENERIC_PLACE_SUFFIX = frozenset({"city", "province", "town", "governorate", "region", "countryside", "area", "village", "district"})


@dataclass
class _Candidate:
    start: int
    end: int
    label: str
    canonical: str
    method: str
    priority: float

    @property
    def length(self) -> int:
        return self.end - self.start


class MentionMerger:
    """Writes `doc.spans["mentions"]`: rule spans first, then the model's corrected entities."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.gazetteer = get_gazetteer(nlp)
        gz = self.gazetteer
        self.role_words = _people_words(gz)
        self.ignored = frozenset(f.keys for f in gz.forms if gz.entries[f.entry].type == IGNORE)

    def __call__(self, doc: Doc) -> Doc:
        candidates: list[_Candidate] = []
        events: list[_Candidate] = []
        priorities = ((SPANS_PATTERNS, 0), (SPANS_GAZETTEER, 1), (SPANS_KUNYA, 2))
        rule_tokens: set[int] = set()
        for key, prio in priorities:
            for span in _span_group(doc, key):
                # among events, a named (gazetteer) event beats a pattern-found one; a person
                # found by a cue ("called Abu Layla") yields to the kunya rule's reading
                p: float = prio
                if key == SPANS_PATTERNS and span.label_ == "EVENT":
                    p = 2
                elif key == SPANS_PATTERNS and span.label_ == "PERSON":
                    p = 2.5
                    if self._is_ignored(span):
                        continue  # "in the name of Allah", "the so-called Caliphate": no person
                cand = _Candidate(span.start, span.end, span.label_, span.kb_id_, span.id_ or "rule", p)
                (events if cand.label == "EVENT" else candidates).append(cand)
                if cand.label != "EVENT":
                    rule_tokens.update(range(span.start, span.end))
        suppressed = _span_group(doc, SPANS_SUPPRESSED)
        # a nisba is part of the name: "Abu Anas al-Iraqi" is a person, not the group "Iraqi"
        kunyas = [c for c in candidates if c.method == "kunya"]
        candidates = [
            c
            for c in candidates
            if not (
                c.method == "gazetteer"
                and c.label != "PERSON"
                and any(k.start <= c.start and c.end <= k.end and k.length > c.length for k in kunyas)
            )
        ]
        persons = [e for e in doc.ents if e.label_ == "PERSON"]
        candidates = [c for c in candidates if not self._surname_role(doc, c, persons)]
        # a named event keeps the places and actors inside it, not its adjectives ("Arab Spring")
        named_events = [e for e in events if e.method == "gazetteer"]
        candidates = [
            c
            for c in candidates
            if not (c.label in ("GROUP", "ROLE") and any(e.start <= c.start and c.end <= e.end for e in named_events))
        ]
        suppressed = suppressed + [doc[e.start : e.end] for e in named_events]
        for cand in self._model_candidates(doc, suppressed, rule_tokens):
            (events if cand.label == "EVENT" else candidates).append(cand)
        accepted = _resolve_overlaps(candidates)
        accepted += _acronyms(doc, accepted) + _resolve_overlaps(events)
        accepted.sort(key=lambda c: (c.start, c.end))
        doc.spans[SPANS_MENTIONS] = [
            _make_span(doc, c.start, c.end, c.label, c.canonical, c.method) for c in accepted
        ]
        return doc

    def _model_candidates(self, doc: Doc, suppressed: list[Span], rule_tokens: set[int]) -> Iterator[_Candidate]:
        # names the gazetteer knows that can own a person or a thing ("Al Arabiya's Rola al-Khatib")
        owners = {i for s in _span_group(doc, SPANS_GAZETTEER) if s.label_ in ("ORG", "PLACE") for i in range(s.start, s.end)}
        places = {i for s in _span_group(doc, SPANS_GAZETTEER) if s.label_ == "PLACE" for i in range(s.start, s.end)}
        for ent in doc.ents:
            label = MODEL_LABELS.get(ent.label_)
            if label is None:
                continue
            start, end = _trim(doc, ent.start, ent.end)
            start, end = _split_possessive(doc, start, end, owners)
            if start >= end:
                continue
            span = doc[start:end]
            text = span.text
            if "\n" in text or not any(c.isalpha() for c in text) or len(text) < 2 or _CONTRACTION.match(text):
                continue  # "n't" tagged GPE, spans across paragraphs
            if self._is_ignored(span):
                continue
            if any(s.start <= start and end <= s.end for s in suppressed):
                continue  # inside a word the gazetteer knows and rejected here ("Syrian city")
            first = span[0]
            if first.text[:1].islower() and first.lower_ not in ARTICLES_FREE | KUNYA_HEADS:
                continue  # names are capitalised: "café" is not a person
            if all(t.lower_ in KUNYA_HEADS | ARTICLES_FREE for t in span):
                continue  # a bare "Abu" is not a name
            method = "model"
            if label == "GROUP":
                head = modified_head(span)
                if head is not None and not _is_people_head(head, self.role_words, allow_state=False):
                    continue  # "Islamic ideals", "Syrian regime": not a group of people
            if label in ("PERSON", "ORG") and self._headline_word(span):
                continue  # "Escape" / "Mouth" / "Justice" in a title-case headline
            if label == "PERSON" and len(span) == 1 and (first.lower_ in PEOPLE_NOUNS or first.lower_ in self.role_words):
                continue  # "Sisters", "Brothers": a common noun written with a capital
            if label == "PERSON" and len(span) == 1 and first.is_sent_start and first.tag_ == "VB":
                continue  # "“Convert to Islam or die”": an imperative, not a name
            if label in ("PLACE", "ORG", "GROUP", "EVENT") and len(span) == 1 and self._looks_like_person(span):
                label, method = "PERSON", "corrected"
            elif label == "ORG" and self._full_name_as_org(span, rule_tokens):
                label, method = "PERSON", "corrected"
            elif label == "PERSON" and len(span) == 1 and _has_parse(doc) and first.dep_ == "conj" and first.head.i in places:
                label, method = "PLACE", "corrected"  # "via Bartella and Kokjili": a place's conjunct
            if label == "ORG" and not any(t in rule_tokens for t in range(start, end)):
                end = self._extend_title(doc, start, end, rule_tokens)
            yield _Candidate(start, end, label, "", method, 3)

    @staticmethod
    def _surname_role(doc: Doc, cand: _Candidate, persons: list[Span]) -> bool:
        """A capitalised role word inside a person's name, after its first word ("Nour Baker").

        A role at the start of the name is a title ("President Assad", "Sheikh Ahmad") and stays.
        """
        if cand.label != "ROLE" or not _is_titleish(doc[cand.start]):
            return False
        return any(p.start < cand.start and cand.end <= p.end for p in persons)

    def _is_ignored(self, span: Span) -> bool:
        keyed = [x for x in _token_keys([t.text for t in span]) if x is not None]
        primary = tuple(k for _, k, _alt in keyed)
        folded = tuple(alt or k for _, k, alt in keyed)
        return primary in self.ignored or folded in self.ignored

    @staticmethod
    def _headline_word(span: Span) -> bool:
        if len(span) != 1:
            return False
        sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
        line = _line_of(span)
        words = [t for t in sent if t.is_alpha and t.lower_ not in HEADLINE_FUNCTION_WORDS and line[0] <= t.i < line[1]]
        return len(words) >= 3 and all(t.text[0].isupper() for t in words)

    @staticmethod
    def _looks_like_person(span: Span) -> bool:
        """A lone unknown name the model typed as a place/org but the context says is a person."""
        tok = span[0]
        doc = span.doc
        # "12-year-old Dilan"
        if tok.i >= 1 and doc[tok.i - 1].lower_ in ("old", "yearold"):
            return True
        if not _has_parse(doc):
            return False
        # "Dilan recalls", "Nour said"
        if tok.dep_ in ("nsubj",) and tok.head.lower_ in PERSON_VERBS:
            return True
        # "her daughter, Dilan," / "his wife Nour"
        if tok.dep_ == "appos" and tok.head.lower_ in PEOPLE_NOUNS:
            return True
        return False

    @staticmethod
    def _full_name_as_org(span: Span, rule_tokens: set[int]) -> bool:
        """A two- or three-word personal name the model typed as an ORG ("Amal Haddad has struggled").

        Only plain capitalised words with no organisation head among them, and only where the
        sentence treats the span as a person: the subject of a verb of speech, experience or
        movement, or the one spoken to ("described the scene to Amal Haddad").
        """
        doc = span.doc
        if not 2 <= len(span) <= 3 or not _has_parse(doc):
            return False
        for tok in span:
            if tok.i in rule_tokens or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
                return False
            if not tok.text.replace("-", "").replace("'", "").isalpha() or tok.is_upper:
                return False
            low = tok.lower_
            if low in INSTITUTION_HEADS or normalise_name(low) in ARABIC_ORG_HEADS or low in PUBLICATION_WORDS_LOWER:
                return False
        root = span.root
        head = root.head
        if root.dep_ in ("nsubj", "nsubjpass") and head.lower_ in PERSON_SUBJECT_LEMMAS:
            return True
        if root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ in SPEECH_LEMMAS:
            return True
        return False

    @staticmethod
    def _extend_title(doc: Doc, start: int, end: int, rule_tokens: set[int]) -> int:
        """The model often stops an ORG name one word early ("Syria Relief | Network")."""
        while end < len(doc) and end - start < 6:
            tok = doc[end]
            # a publication's name often ends in a word the model reads as a date ("... Today")
            dated = tok.ent_type_ == "DATE" and tok.text in PUBLICATION_WORDS
            if tok.i in rule_tokens or not _name_word(tok) or tok.is_sent_start or (tok.ent_type_ and not dated):
                break
            if doc[end - 1].whitespace_ == "" or "\n" in doc[end - 1].whitespace_:
                break
            end += 1
        return end


_POSSESSIVE = frozenset({"'s", "’s"})


def _split_possessive(doc: Doc, start: int, end: int, owners: set[int]) -> tuple[int, int]:
    """The model often runs a possessor into what it owns: "Al Arabiya's Rola al-Khatib",
    "Expressen's Middle Eastern [correspondent]". Keep the part that is the entity.
    """
    for k in range(start + 1, end - 1):
        if doc[k].lower_ not in _POSSESSIVE:
            continue
        if all(i in owners for i in range(start, k)) and _is_titleish(doc[k + 1]):
            return k + 1, end  # the possessor is a name we know: the entity is what follows
        if _has_parse(doc) and not (start <= doc[k - 1].head.i < end):
            return start, k  # what follows modifies a noun outside the entity
        break
    return start, end


_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{1,7}$")


def _acronyms(doc: Doc, accepted: list[_Candidate]) -> list[_Candidate]:
    """"the Syrian Democratic Forces (SDF)": an acronym in brackets after a name is that name."""
    taken = {i for c in accepted for i in range(c.start, c.end)}
    out: list[_Candidate] = []
    for c in accepted:
        k = c.end
        if c.label not in ("ORG", "PLACE") or c.length < 2 or k + 2 >= len(doc):
            continue
        if doc[k].text != "(" or doc[k + 2].text != ")" or k + 1 in taken:
            continue
        acronym = doc[k + 1].text
        if not _ACRONYM.match(acronym):
            continue
        initials = "".join(t.text[0] for t in doc[c.start : c.end] if t.text[:1].isupper())
        if acronym.replace(".", "")[0] != initials[:1]:
            continue  # "(AP)" after an unrelated name is a credit, not this name's acronym
        canonical = c.canonical or doc[c.start : c.end].text
        out.append(_Candidate(k + 1, k + 2, c.label, canonical, "rule", 0))
    return out


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].lower_ in _TRIM_LEFT or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].lower_ in _TRIM_RIGHT or doc[end - 1].is_space or doc[end - 1].is_punct and doc[end - 1].text not in (")",)):
        end -= 1
    return start, end


def _resolve_overlaps(cands: list[_Candidate]) -> list[_Candidate]:
    """Keep the best of overlapping candidates: lower priority number, then longer."""
    taken: list[_Candidate] = []
    occupied: set[int] = set()
    for cand in sorted(cands, key=lambda c: (c.priority, -c.length, c.start)):
        tokens = set(range(cand.start, cand.end))
        if tokens & occupied:
            continue
        taken.append(cand)
        occupied |= tokens
    return taken


@Language.factory(
    "testimony_mentions",
    assigns=["doc.spans"],
    requires=["doc.spans"],
)
def make_mentions(nlp: Language, name: str) -> MentionMerger:
    return MentionMerger(nlp, name)


# --- component: links -----------------------------------------------------------------------


@dataclass
class _LinkIndex:
    mentions: list[Span]
    by_token: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for idx, span in enumerate(self.mentions):
            if span.label_ == "EVENT":
                continue  # events overlap the names inside them; index the names
            for i in range(span.start, span.end):
                self.by_token[i] = idx

    def at(self, token: Token, label: str | None = None) -> int | None:
        idx = self.by_token.get(token.i)
        if idx is None:
            return None
        if label is not None and self.mentions[idx].label_ != label:
            return None
        return idx


class LinkExtractor:
    """Typed links between the mentions of one doc; writes `doc._.testimony_links`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        mentions = _span_group(doc, SPANS_MENTIONS)
        index = _LinkIndex(mentions)
        links: dict[tuple[str, int, int], tuple[int, int]] = {}

        def add(kind: str, source: int | None, target: int | None, evidence: tuple[int, int]) -> None:
            if source is None or target is None or source == target:
                return
            links.setdefault((kind, source, target), evidence)

        self._adjacency(doc, mentions, index, add)
        if _has_parse(doc):
            self._syntax(doc, mentions, index, add)
        for idx, span in enumerate(mentions):  # places named inside an event happened there
            if span.label_ == "EVENT":
                for i in range(span.start, span.end):
                    add("HAPPENED_AT", idx, index.at(doc[i], "PLACE"), (span.start_char, span.end_char))
        doc._.set(
            LINKS_ATTR,
            [
                {"type": kind, "source": s, "target": t, "start": ev[0], "end": ev[1]}
                for (kind, s, t), ev in links.items()
            ],
        )
        return doc

    @staticmethod
    def _evidence(doc: Doc, a: Span, b: Span) -> tuple[int, int]:
        if doc.has_annotation("SENT_START"):
            sent = a.sent
            return sent.start_char, sent.end_char
        return min(a.start_char, b.start_char), max(a.end_char, b.end_char)

    def _adjacency(self, doc: Doc, mentions: list[Span], index: _LinkIndex, add: Any) -> None:
        """Patterns that need no parse: "my emir, Abu Hamza", "Abu Hamza, the emir", "emir Abu Hamza",
        "Tabqa, Syria", "the Sadd prison in Tabqa", "an ISIS emir"."""
        names = [(i, m) for i, m in enumerate(mentions) if m.label_ != "EVENT"]
        # "the wali of Raqqa, Abu Muhannad": the role's complement sits between role and name
        for (ia, a), (ib, b), (ic, c) in zip(names, names[1:], names[2:]):
            if a.label_ != "ROLE" or c.label_ != "PERSON" or b.label_ not in ("PLACE", "ORG"):
                continue
            if [t.lower_ for t in doc[a.end : b.start]] in (["of"], ["of", "the"]) and [t.text for t in doc[b.end : c.start]] == [","]:
                add("HELD_ROLE", ic, ia, self._evidence(doc, a, c))
                if b.label_ == "ORG":
                    add("MEMBER_OF", ic, ib, self._evidence(doc, a, c))
        for (ia, a), (ib, b) in zip(names, names[1:]):
            gap = doc[a.end : b.start]
            gap_words = [t.lower_ for t in gap if not t.is_space]
            ev = self._evidence(doc, a, b)
            labels = (a.label_, b.label_)
            comma = gap_words in (([","], [",", "the"], [",", "a"], [",", "an"]))
            touching = not gap_words
            if labels == ("ROLE", "PERSON") and (comma or touching):
                add("HELD_ROLE", ib, ia, ev)
            elif labels == ("PERSON", "ROLE") and (comma or gap_words in (["the"], ["was", "the"], ["is", "the"], ["was", "a"], ["is", "a"], ["became", "the"], ["became", "a"], ["as"], ["as", "the"], ["as", "a"], ["as", "an"])):
                add("HELD_ROLE", ia, ib, ev)
            elif labels == ("PLACE", "PLACE") and (gap_words == [","] or gap_words in (["in"], ["in", "the"], ["near"])):
                add("LOCATED_IN", ia, ib, ev)
            elif labels == ("ORG", "ROLE") and touching:
                # "Abu Layth, an ISIS emir": he holds the role and belongs to the org
                for person in self._persons_of_role(mentions, ib, doc):
                    add("MEMBER_OF", person, ia, ev)
                    add("HELD_ROLE", person, ib, ev)
            elif labels == ("ROLE", "ORG") and gap_words in (["of"], ["of", "the"], ["in"], ["in", "the"], ["for"], ["with"]):
                for person in self._persons_of_role(mentions, ia, doc):
                    add("MEMBER_OF", person, ib, ev)
            elif labels == ("PERSON", "ORG") and gap_words in (["joined"], ["joined", "the"], ["of"], ["of", "the"]):
                add("MEMBER_OF", ia, ib, ev)

    @staticmethod
    def _persons_of_role(mentions: list[Span], role_idx: int, doc: Doc) -> list[int]:
        """PERSON mentions in apposition with the role (either side, comma or nothing between)."""
        role = mentions[role_idx]
        out = []
        for idx, m in enumerate(mentions):
            if m.label_ != "PERSON":
                continue
            between = doc[m.end : role.start] if m.end <= role.start else doc[role.end : m.start]
            words = [t.lower_ for t in between if not t.is_space]
            if len(words) <= 3 and all(w in (",", "the", "a", "an", "was", "is", "as") or w in ("isis",) for w in words):
                if abs(m.start - role.end) <= 4 or abs(role.start - m.end) <= 4:
                    out.append(idx)
        return out

    def _syntax(self, doc: Doc, mentions: list[Span], index: _LinkIndex, add: Any) -> None:
        for idx, span in enumerate(mentions):
            root = span.root
            ev = (span.sent.start_char, span.sent.end_char)
            if span.label_ == "ROLE":
                # apposition: "Abu Hamza, the emir of the camp" / "the emir, Abu Hamza"
                if root.dep_ == "appos":
                    add("HELD_ROLE", index.at(root.head, "PERSON"), idx, ev)
                for child in root.children:
                    if child.dep_ in ("appos", "compound", "nmod") or (child.dep_ == "npadvmod"):
                        add("HELD_ROLE", index.at(child, "PERSON"), idx, ev)
                # "the emir of the camp was Abu Hamza": the role is the subject, the person the attribute
                if root.dep_ in ("nsubj", "nsubjpass") and root.head.lower_ in COPULAS:
                    for attr in root.head.children:
                        if attr.dep_ in ("attr", "oprd"):
                            add("HELD_ROLE", index.at(attr, "PERSON"), idx, ev)
                # copula / "served as": "Abu Hamza was the emir", "he became the wali"
                head = root.head
                if root.dep_ == "pobj" and head.lower_ == "as":
                    head = head.head
                if root.dep_ in ("attr", "oprd", "pobj", "dobj") and head.lower_ in COPULAS | {"appointed", "named", "made"}:
                    for subj in head.children:
                        if subj.dep_ in ("nsubj", "nsubjpass"):
                            add("HELD_ROLE", index.at(subj, "PERSON"), idx, ev)
                # "the emir of ISIS" -> whoever holds it is a member
                for prep in root.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("of", "in", "for", "with"):
                        for obj in prep.children:
                            org = index.at(obj, "ORG")
                            if org is not None:
                                for person in self._role_holders(doc, mentions, index, idx):
                                    add("MEMBER_OF", person, org, ev)
            elif span.label_ == "PERSON":
                if root.dep_ not in ("nsubj", "nsubjpass"):
                    continue
                # "Abu Hamza joined ISIS and lived in Tabqa": a conjoined verb shares the subject
                for verb in (root.head, *root.head.conjuncts):
                    if verb.pos_ not in ("VERB", "AUX"):
                        continue
                    for child in verb.children:
                        if child.dep_ == "dobj" and verb.lower_ in MEMBERSHIP_VERBS:
                            add("MEMBER_OF", idx, index.at(child, "ORG"), ev)  # "joined ISIS"
                        if child.dep_ != "prep":
                            continue
                        for obj in (c for c in child.children if c.dep_ == "pobj"):
                            if child.lower_ in LOCATIVE_PREPS:
                                add("PRESENT_AT", idx, index.at(obj, "PLACE"), ev)  # "lived in Tabqa"
                            if verb.lower_ in MEMBERSHIP_VERBS | COPULAS and child.lower_ in ("with", "for", "in", "to", "of"):
                                add("MEMBER_OF", idx, index.at(obj, "ORG"), ev)  # "fought with the FSA"
            elif span.label_ == "EVENT":
                for prep in root.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "near", "on"):
                        for obj in prep.children:
                            add("HAPPENED_AT", idx, index.at(obj, "PLACE"), ev)
            elif span.label_ == "PLACE":
                # "Sadd al-Furat prison in Tabqa"
                for prep in root.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("in", "near"):
                        for obj in prep.children:
                            add("LOCATED_IN", idx, index.at(obj, "PLACE"), ev)

    @staticmethod
    def _role_holders(doc: Doc, mentions: list[Span], index: _LinkIndex, role_idx: int) -> list[int]:
        root = mentions[role_idx].root
        holders = []
        if root.dep_ == "appos":
            holder = index.at(root.head, "PERSON")
            if holder is not None:
                holders.append(holder)
        for child in root.children:
            if child.dep_ == "appos":
                holder = index.at(child, "PERSON")
                if holder is not None:
                    holders.append(holder)
        head = root.head
        if root.dep_ in ("attr", "oprd"):
            for subj in head.children:
                if subj.dep_ in ("nsubj", "nsubjpass"):
                    holder = index.at(subj, "PERSON")
                    if holder is not None:
                        holders.append(holder)
        return holders


@Language.factory(
    "testimony_links",
    assigns=[f"doc._.{LINKS_ATTR}"],
    requires=["doc.spans"],
)
def make_links(nlp: Language, name: str) -> LinkExtractor:
    return LinkExtractor(name)


# --- assembly -------------------------------------------------------------------------------

RULE_PIPES: tuple[str, ...] = (
    "testimony_gazetteer",
    "testimony_kunya",
    "testimony_patterns",
    "testimony_mentions",
    "testimony_links",
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
