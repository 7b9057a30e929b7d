"""Who did what to whom, where and when: the relation rules, pronouns and dates.

Every sentence here is FICTIONAL, written for these tests.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.extract.findings import read_interview
from graph_builder.extract.normalize import mention_key
from graph_builder.extract.pipeline import build_extractor, extract_interview
from graph_builder.ingest.turns import _header_speaker


@pytest.fixture(scope="module")
def nlp():
    return build_extractor()


def _named_links(nlp, sentence: str) -> set[tuple[str, str, str]]:
    from graph_builder.extract.components import LINKS_ATTR, SPANS_MENTIONS

    doc = nlp(sentence)
    spans = doc.spans[SPANS_MENTIONS]

    def end(e: object) -> str:
        if isinstance(e, int):
            return spans[e].text
        if "pronoun" in e:  # type: ignore[operator]
            return doc.text[e["start"]:e["end"]]  # type: ignore[index]
        if "name" in e:  # type: ignore[operator]
            return e["name"]  # type: ignore[index]
        return doc.text[e["date"][0]:e["date"][1]]  # type: ignore[index]

    return {(l["type"], end(l["source"]), end(l["target"])) for l in doc._.get(LINKS_ATTR)}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("ISIS took Sinjar on 3 August 2014.", {("CONTROLLED", "ISIS", "Sinjar")}),
        ("Mosul was still in the clutches of ISIS.", {("CONTROLLED", "ISIS", "Mosul")}),
        ("The Amniyat arrested my cousin Mahmoud in Tabqa.",
         {("HELD_CAPTIVE", "Amniyat", "Mahmoud"), ("RELATIVE_OF", "my", "Mahmoud")}),
        ("My brother Khalid fled to Kilis.", {("FLED_TO", "Khalid", "Kilis"), ("PRESENT_AT", "Khalid", "Kilis")}),
        ("Abu Karim, a deserter from Syria, spoke to us.", {("PRESENT_AT", "Abu Karim", "Syria")}),
        ("He was arrested by the hisbah in Raqqa, Syria.",
         {("HELD_CAPTIVE", "hisbah", "He"), ("PRESENT_AT", "He", "Raqqa"), ("PRESENT_AT", "He", "Syria")}),
        ("KILIS, Turkey – Abu Karim, a 41-year-old Syrian, waits for news.",
         {("PRESENT_AT", "Abu Karim", "KILIS"), ("PRESENT_AT", "Abu Karim", "Turkey")}),
        ("Hamid returned to Tabqa in eastern Syria.", {("LOCATED_IN", "Tabqa", "Syria")}),
        ("I joined the hisbah in 2015.", {("MEMBER_OF", "I", "hisbah")}),
        ("Along with his cousins, Abu Bakr and Abu Zaid, Abu Karim joined the FSA.",
         {("MEMBER_OF", "Abu Karim", "FSA"), ("MEMBER_OF", "Abu Bakr", "FSA"),
          ("MEMBER_OF", "Abu Zaid", "FSA")}),
        ("That night ISIS launched an attack on the city of Kobani.", {("ATTACKED", "ISIS", "Kobani")}),
        ("Abu Karim was among the few former fighters of the Islamic State who left.",
         {("MEMBER_OF", "Abu Karim", "Islamic State")}),
        ("The bus left the Syrian city of Tel Abyad at dawn.", {("LOCATED_IN", "Tel Abyad", "Syria")}),
    ],
)
def test_relations_from_the_parse(nlp, sentence: str, expected: set[tuple[str, str, str]]) -> None:
    found = _named_links(nlp, sentence)
    assert expected <= found, found


def test_no_relation_from_a_place_merely_named(nlp) -> None:
    # Nobody fled anywhere, nobody held anybody: nothing of those types may appear.
    found = _named_links(nlp, "The road from Tabqa to Raqqa is long, and the hisbah office is closed.")
    assert not {t for t, _, _ in found} & {"FLED_TO", "HELD_CAPTIVE", "CONTROLLED", "PRESENT_AT"}, found


def _interview(tmp_path: Path, header: str, body: str) -> Path:
    path = tmp_path / "iv.txt"
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def test_first_person_is_the_interviewee_in_their_own_turns_only(tmp_path: Path, nlp) -> None:
    path = _interview(tmp_path, "---\ninterview_id: t-1\ninterviewee: Abu Karim\ndate: 2016-03-14\n---\n",
                      "Interviewer: I lived in Ankara for years. Where did you work?\n\n"
                      "Abu Karim: I worked for the hisbah in Raqqa.\n")
    ex = extract_interview(read_interview(path), nlp)
    links = {(l.type, l.source_key, l.target_key) for l in ex.links}
    assert ("MEMBER_OF", "PERSON:abu karim", next(l.target_key for l in ex.links if l.type == "MEMBER_OF")) in links
    assert ("PRESENT_AT", "PERSON:abu karim", mention_key("PLACE", "Raqqa")) in links, links
    # the interviewer's "I lived in Ankara" is not the witness's
    assert not any(o == mention_key("PLACE", "Ankara") for _, _, o in links), links
    pronouns = [m for m in ex.mentions if m.method == "pronoun"]
    assert pronouns and all(m.key == "PERSON:abu karim" and m.text == "I" for m in pronouns)


def test_he_is_the_person_named_before_and_nobody_when_none_was(tmp_path: Path, nlp) -> None:
    path = _interview(tmp_path, "---\ninterview_id: t-2\ninterviewee: Umm Salma\n---\n",
                      "Umm Salma: He fled to Kilis.\n\n"
                      "Umm Salma: My neighbour was Abu Omar. He fled to Gaziantep.\n")
    ex = extract_interview(read_interview(path), nlp)
    fled = {(l.source_key, l.target_key) for l in ex.links if l.type == "FLED_TO"}
    assert fled == {("PERSON:abu omar", mention_key("PLACE", "Gaziantep"))}, fled


def test_dates_are_resolved_with_the_year_named_before_and_attached_to_events(tmp_path: Path, nlp) -> None:
    path = _interview(tmp_path, "---\ninterview_id: t-3\ninterviewee: Shireen\ndate: 2016-03-14\n---\n",
                      "Shireen: In 2014 we lived in Kocho.\n\n"
                      "Shireen: The massacre in Kocho happened on the fifteenth of August.\n")
    ex = extract_interview(read_interview(path), nlp)
    dated = [l for l in ex.links if l.type == "HAPPENED_ON"]
    assert [(l.target_key, l.date) for l in dated] == [("DATE:2014-08-15", "2014-08-15")]
    assert dated[0].source_key.startswith("EVENT:")


def test_the_header_names_the_speaker() -> None:
    assert _header_speaker({"speaker": "Abu Karim (pseudonym), 41, former fighter"}) == "Abu Karim"
    assert _header_speaker({"speaker": "unnamed nurse in Tabqa"}) is None
    assert _header_speaker({"speaker": "Hamid (29) and Yusuf, brothers"}) is None


def test_one_event_told_by_two_witnesses_meets_on_one_entity(tmp_path: Path, nlp) -> None:
    from graph_builder.extract.findings import extract_findings

    a = tmp_path / "a.txt"
    a.write_text("---\ninterview_id: w-1\ninterviewee: Abu Firas\n---\n"
                 "Abu Firas: The YPG took Tal Abyad in 2015, and we left that night.\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("---\ninterview_id: w-2\ninterviewee: Umm Yasir\n---\n"
                 "Umm Yasir: Tal Abyad fell in June 2015. My husband was still there.\n", encoding="utf-8")
    events = {(f["file"], f["canonical"]) for f in extract_findings([a, b], nlp)
              if f["kind"] == "mention" and f["type"] == "EVENT"}
    assert {c for _, c in events} == {"fall of Tal Abyad (2015)"}, events
    assert {Path(f).name for f, _ in events} == {"a.txt", "b.txt"}


def test_a_former_member_told_about_is_the_witness_but_not_one_the_witness_met(tmp_path: Path, nlp) -> None:
    path = _interview(tmp_path, "---\ninterview_id: t-9\ninterviewee: Abu Salim\n---\n",
                      "The prison was described by a former ISIS member who fled to Turkey last year.\n\n"
                      "In Kilis I met a former hisbah member who fled to Gaziantep.\n")
    ex = extract_interview(read_interview(path), nlp)
    fled = {(l.source_key, l.target_key) for l in ex.links if l.type == "FLED_TO"}
    assert ("PERSON:abu salim", mention_key("PLACE", "Turkey")) in fled, fled
    assert not any(t == mention_key("PLACE", "Gaziantep") for _, t in fled), fled
