"""split_turns: SourceDocument -> Interview with speaker turns, roles, times and offsets.

All transcript text in this file is FICTIONAL, written for these tests; none of it comes from
the shared corpus.
"""
from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from graph_builder.ingest.readers import read_document
from graph_builder.ingest.turns import leading_label, parse_clock, split_turns
from graph_builder.model import Interview, SourceDocument


def doc_of(text: str, metadata: dict[str, str] | None = None, path: str = "fx/My Fictional_Interview.txt",
           body_start: int = 0) -> SourceDocument:
    return SourceDocument(path=path, text=text, content_hash="0" * 64, metadata=metadata or {},
                          body_start=body_start)


def checked(interview: Interview) -> Interview:
    """Assert the offsets invariant and return the interview."""
    for i, turn in enumerate(interview.turns):
        assert turn.index == i
        assert turn.text == interview.text[turn.start : turn.end]
        assert turn.text and turn.text == turn.text.strip()
    return interview


def shape(interview: Interview) -> list[tuple[str, str, str]]:
    return [(t.speaker, t.speaker_role, t.text) for t in interview.turns]


def read(tmp_path: Path, name: str, content: str) -> Interview:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return checked(split_turns(read_document(path)))


# ---------------------------------------------------------------------------------------------
# Conventions


def test_q_and_a_colon() -> None:
    text = "Q: Where is the fictional village?\nA: In a valley.\nIt has a mill.\n\nQ: And now?\nA: Empty."
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [
        ("Q", "interviewer", "Where is the fictional village?"),
        ("A", "interviewee", "In a valley.\nIt has a mill."),
        ("Q", "interviewer", "And now?"),
        ("A", "interviewee", "Empty."),
    ]


def test_q_and_a_dotted() -> None:
    text = "Q. Did the fictional convoy stop?\n\nA. Twice, I think.\n\nQ. Where?\n\nA. At the bridge."
    iv = checked(split_turns(doc_of(text)))
    assert [(t.speaker, t.speaker_role) for t in iv.turns] == [
        ("Q", "interviewer"), ("A", "interviewee"), ("Q", "interviewer"), ("A", "interviewee"),
    ]
    assert iv.turns[1].text == "Twice, I think."


def test_dotted_a_alone_is_prose() -> None:
    text = "A fictional note.\n\nA. Smith was not there that day."
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [
        ("", "interviewee", "A fictional note."),
        ("", "interviewee", "A. Smith was not there that day."),
    ]


def test_role_words() -> None:
    text = (
        "Interviewer: What did the fictional market sell?\n"
        "Interviewee: Bread and rope.\n"
        "Translator: He says rope, for the boats.\n"
        "Interpreter: Also nets.\n"
        "Question: Anything else?\n"
        "Answer: No."
    )
    iv = checked(split_turns(doc_of(text)))
    assert [(t.speaker, t.speaker_role) for t in iv.turns] == [
        ("Interviewer", "interviewer"),
        ("Interviewee", "interviewee"),
        ("Translator", "third_party"),
        ("Interpreter", "third_party"),
        ("Question", "interviewer"),
        ("Answer", "interviewee"),
    ]


@pytest.mark.parametrize(
    "name", ["Abu Fictional", "Umm Imaginary", "SPEAKER 2", "Abu Omar al-Madeup", "B", "\u0623\u0628\u0648 \u0633\u0645\u064a\u0631"]
)
def test_names_as_labels(name: str) -> None:
    text = f"Interviewer: Who made the fictional bread?\n{name}: My cousin did.\nInterviewer: Thanks."
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [
        ("Interviewer", "interviewer", "Who made the fictional bread?"),
        (name, "interviewee", "My cousin did."),
        ("Interviewer", "interviewer", "Thanks."),
    ]


def test_sentence_with_colon_is_not_a_label() -> None:
    text = (
        "Interviewer: What did the fictional guard say?\n"
        "Abu Fictional: He told us to wait.\n"
        "He said: come back tomorrow.\n"
        "They wrote on the wall: closed.\n"
        "Interviewer: And then?"
    )
    iv = checked(split_turns(doc_of(text)))
    assert [t.speaker for t in iv.turns] == ["Interviewer", "Abu Fictional", "Interviewer"]
    assert iv.turns[1].text == "He told us to wait.\nHe said: come back tomorrow.\nThey wrote on the wall: closed."


def test_urls_and_clock_times_are_not_labels() -> None:
    text = "Q: When?\nA: At 10:30 in the morning.\nhttps://example.org/fictional was the page."
    iv = checked(split_turns(doc_of(text)))
    assert [t.speaker for t in iv.turns] == ["Q", "A"]
    assert iv.turns[1].text.endswith("was the page.")


def test_markdown_bold_labels() -> None:
    text = "**Q:** Was the fictional road open?\n\n**A**: Only at night."
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [("Q", "interviewer", "Was the fictional road open?"), ("A", "interviewee", "Only at night.")]


def test_label_on_its_own_line() -> None:
    text = "Interviewer:\nWhat was the fictional school like?\n\nAbu Fictional:\nSmall. Two rooms."
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [
        ("Interviewer", "interviewer", "What was the fictional school like?"),
        ("Abu Fictional", "interviewee", "Small. Two rooms."),
    ]


def test_label_without_words_is_dropped() -> None:
    text = "Q: Was it far?\nA:\nQ: Shall we stop?\nA: Yes."
    iv = checked(split_turns(doc_of(text)))
    assert [(t.speaker, t.text) for t in iv.turns] == [("Q", "Was it far?"), ("Q", "Shall we stop?"), ("A", "Yes.")]


def test_single_headline_with_colon_is_not_a_transcript() -> None:
    # A name-shaped "X:" that occurs once, with no role word, is a headline, not a speaker.
    text = "Fictional Town Diary: Notes From A Winter\n\nThe river froze early that year."
    iv = checked(split_turns(doc_of(text)))
    assert [t.speaker for t in iv.turns] == ["", ""]


def test_header_fields_are_not_speakers() -> None:
    text = (
        "A fictional interview\n\nPseudonym: Umm Imaginary\n\nDate: 2019-01-01\n\n"
        "Interviewer: Hello?\n\nUmm Imaginary: Hello."
    )
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [
        ("", "third_party", "A fictional interview\n\nPseudonym: Umm Imaginary\n\nDate: 2019-01-01"),
        ("Interviewer", "interviewer", "Hello?"),
        ("Umm Imaginary", "interviewee", "Hello."),
    ]


def test_title_repeated_in_body_is_not_a_speaker() -> None:
    text = "Fictional Witness: A Long Road\nInterviewer: Ready?\nAbu Fictional: Ready."
    iv = checked(split_turns(doc_of(text, {"title": "Fictional Witness: A Long Road"})))
    assert [(t.speaker, t.speaker_role) for t in iv.turns] == [
        ("", "third_party"), ("Interviewer", "interviewer"), ("Abu Fictional", "interviewee"),
    ]


def test_preamble_before_first_label_is_third_party() -> None:
    text = "Typed from a fictional recording.\n\nQ: Ready?\nA: Yes."
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv)[0] == ("", "third_party", "Typed from a fictional recording.")


def test_body_start_is_respected(tmp_path: Path) -> None:
    content = "---\ninterviewee: Abu Fictional\n---\n\nQ: Ready?\nA: Yes.\n"
    iv = read(tmp_path, "fm.md", content)
    assert shape(iv) == [("Q", "interviewer", "Ready?"), ("A", "interviewee", "Yes.")]
    assert iv.interviewee.pseudonym == "Abu Fictional"


def test_crlf_file_offsets(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Q: One?\r\nA: Two.\r\n\r\nQ: Three?\r\nA: Four.\r\n")
    iv = checked(split_turns(read_document(path)))
    assert [t.text for t in iv.turns] == ["One?", "Two.", "Three?", "Four."]


# ---------------------------------------------------------------------------------------------
# Timestamps


def test_parse_clock() -> None:
    assert parse_clock("00:12:05") == 725
    assert parse_clock("12:05") == 725
    assert parse_clock("1:02:03,5") == 3723.5
    with pytest.raises(ValueError):
        parse_clock("12")


def test_timestamps_before_labels() -> None:
    text = (
        "[00:12:05] Q: Where was the fictional depot?\n"
        "(12:20) Abu Fictional: North of the lake.\n"
        "00:12:41 Interviewer: How far?\n"
        "[00:13:00.5] - Abu Fictional: A day's walk.\n"
        "Interviewer: Thank you."
    )
    iv = checked(split_turns(doc_of(text)))
    assert [(t.speaker, t.text, t.time_start, t.time_end) for t in iv.turns] == [
        ("Q", "Where was the fictional depot?", 725.0, 740.0),
        ("Abu Fictional", "North of the lake.", 740.0, 761.0),
        ("Interviewer", "How far?", 761.0, 780.5),
        ("Abu Fictional", "A day's walk.", 780.5, None),  # the next turn has no time
        ("Interviewer", "Thank you.", None, None),
    ]


def test_timestamp_without_label_in_paragraph_fallback() -> None:
    text = "[00:00:10] The fictional story begins.\n\n[00:00:30] It ends.\n\n9:30 in the morning we left."
    iv = checked(split_turns(doc_of(text)))
    assert [(t.text, t.time_start, t.time_end) for t in iv.turns] == [
        ("The fictional story begins.", 10.0, 30.0),
        ("It ends.", 30.0, None),
        ("9:30 in the morning we left.", None, None),  # a clock time in prose is not a stamp
    ]


# ---------------------------------------------------------------------------------------------
# Paragraph fallback


def test_paragraph_fallback() -> None:
    text = "  The fictional harvest failed.\nWe left in spring.  \n\n \n\nWe came back in autumn.\n"
    iv = checked(split_turns(doc_of(text)))
    assert shape(iv) == [
        ("", "interviewee", "The fictional harvest failed.\nWe left in spring."),
        ("", "interviewee", "We came back in autumn."),
    ]
    assert iv.turns[0].start == 2


# ---------------------------------------------------------------------------------------------
# Roles


def test_metadata_label_lists() -> None:
    text = "Dr. Nobody: What happened?\nAbu Fictional: A flood.\nLawyer: My client means in March.\nDr. Nobody: I see."
    md = {"interviewer_names": "Dr. Nobody", "third_party_names": "Lawyer, Interpreter"}
    iv = checked(split_turns(doc_of(text, md)))
    assert [(t.speaker, t.speaker_role) for t in iv.turns] == [
        ("Dr. Nobody", "interviewer"), ("Abu Fictional", "interviewee"), ("Lawyer", "third_party"), ("Dr. Nobody", "interviewer"),
    ]
    assert iv.interviewee.pseudonym == "Abu Fictional"


def test_interviewer_name_matches_a_shortened_label() -> None:
    text = "Dr. Imaginary: Where were you?\nAbu Fictional: At home.\nImaginary: Alone?\nAbu Fictional: Yes."
    iv = checked(split_turns(doc_of(text, {"interviewer": "Jane Imaginary & Sam Example"})))
    assert [t.speaker_role for t in iv.turns] == ["interviewer", "interviewee", "interviewer", "interviewee"]


def test_several_names_most_frequent_is_interviewee() -> None:
    text = (
        "Interviewer: Tell me about the fictional mill.\n"
        "Abu Fictional: It was my father's.\n"
        "Umm Example: It was his uncle's, really.\n"
        "Abu Fictional: Both, then.\n"
        "Interviewer: Who ran it?\n"
        "Abu Fictional: I did."
    )
    iv = checked(split_turns(doc_of(text)))
    assert {t.speaker: t.speaker_role for t in iv.turns} == {
        "Interviewer": "interviewer", "Abu Fictional": "interviewee", "Umm Example": "third_party",
    }
    assert iv.interviewee.pseudonym == "Abu Fictional"


def test_metadata_interviewee_beats_frequency() -> None:
    text = "Interviewer: Hello?\nUmm Example: Hello, hello.\nUmm Example: He is shy.\nAbu Fictional: Hello."
    iv = checked(split_turns(doc_of(text, {"interviewee": "Abu Fictional"})))
    assert {t.speaker: t.speaker_role for t in iv.turns} == {
        "Interviewer": "interviewer", "Umm Example": "third_party", "Abu Fictional": "interviewee",
    }


def test_answer_label_makes_other_names_third_parties() -> None:
    text = "Q: Ready?\nA: Yes.\nAbu Example: I am his brother.\nQ: Go on.\nA: We left."
    iv = checked(split_turns(doc_of(text)))
    assert {t.speaker: t.speaker_role for t in iv.turns} == {
        "Q": "interviewer", "A": "interviewee", "Abu Example": "third_party",
    }
    # "A" names no one: a generic label must never become a pseudonym.
    assert iv.interviewee.pseudonym == "Unknown interviewee (my-fictional_interview)"


def test_speaker_numbers_question_asker_is_interviewer() -> None:
    text = (
        "SPEAKER 1: Where did the fictional train go?\n"
        "SPEAKER 2: East, to the coast.\n"
        "SPEAKER 1: Did you take it?\n"
        "SPEAKER 2: Once. It was slow.\n"
        "SPEAKER 1: Why?\n"
        "SPEAKER 2: The tracks were old. Nobody fixed them. We waited hours."
    )
    iv = checked(split_turns(doc_of(text)))
    assert {t.speaker: t.speaker_role for t in iv.turns} == {"SPEAKER 1": "interviewer", "SPEAKER 2": "interviewee"}
    assert iv.interviewee.pseudonym.startswith("Unknown interviewee")  # "SPEAKER 2" is not a person


# ---------------------------------------------------------------------------------------------
# Interview fields


def test_interview_fields_from_metadata() -> None:
    md = {
        "interview_id": "fx-9", "title": "A fictional title", "interviewee": "Umm Imaginary",
        "gender": "female", "nationality": "Nowherian", "status": "witness", "role": "baker", "age": "44",
        "date": "2018-02-03", "place": "Fictional Town", "language": "English", "interviewer": "J. Example",
        "medium": "audio", "media_file": "fx-9.mp3",
    }
    iv = checked(split_turns(doc_of("Q: Hi?\nA: Hi.", md)))
    assert (iv.id, iv.title, iv.date, iv.place, iv.language, iv.interviewer, iv.medium, iv.media_file) == (
        "fx-9", "A fictional title", "2018-02-03", "Fictional Town", "English", "J. Example", "audio", "fx-9.mp3",
    )
    ie = iv.interviewee
    assert (ie.pseudonym, ie.gender, ie.nationality, ie.status, ie.role, ie.age) == (
        "Umm Imaginary", "female", "Nowherian", "witness", "baker", "44",
    )
    assert iv.source_path == "fx/My Fictional_Interview.txt" and iv.content_hash == "0" * 64
    assert iv.text == "Q: Hi?\nA: Hi."


def test_interview_defaults_from_the_file_name() -> None:
    iv = split_turns(doc_of("A fictional paragraph.", path="in/Ümm Example – notes.txt"))
    assert iv.id == "umm-example-notes"
    assert iv.title == "Ümm Example – notes"
    assert iv.interviewee.pseudonym == "Unknown interviewee (umm-example-notes)"
    assert iv.date is None and iv.interviewee.gender is None


def test_explicit_interview_id_wins() -> None:
    iv = split_turns(doc_of("Words.", {"interview_id": "from-meta"}), interview_id="given")
    assert iv.id == "given"
    assert iv.turns[0].id(iv.id) == "given#0"


# ---------------------------------------------------------------------------------------------
# Cue formats: one turn per cue, label out of the words


def test_srt_one_turn_per_cue_with_label_excluded(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,000\nInterviewer: Was the fictional ferry late?\n\n"
        "2\n00:00:03,500 --> 00:00:06,000\nUmm Imaginary: Always.\n\n"
        "3\n00:00:06,000 --> 00:00:08,000\nEvery single day.\n\n"
        "4\n00:00:08,500 --> 00:00:09,000\nUmm Imaginary: Even Sundays.\n"
    )
    iv = read(tmp_path, "f.srt", srt)
    assert [(t.speaker, t.speaker_role, t.text, t.time_start, t.time_end) for t in iv.turns] == [
        ("Interviewer", "interviewer", "Was the fictional ferry late?", 1.0, 3.0),
        ("Umm Imaginary", "interviewee", "Always.", 3.5, 6.0),
        ("Umm Imaginary", "interviewee", "Every single day.", 6.0, 8.0),  # continues, not merged
        ("Umm Imaginary", "interviewee", "Even Sundays.", 8.5, 9.0),
    ]
    assert iv.interviewee.pseudonym == "Umm Imaginary"


def test_srt_without_labels_is_interviewee(tmp_path: Path) -> None:
    iv = read(tmp_path, "n.srt", "1\n00:00:01,000 --> 00:00:02,000\nA fictional line.\n")
    assert shape(iv) == [("", "interviewee", "A fictional line.")]


def test_vtt_voice_tags(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Interviewer>And the fictional orchard?\n\n"
        "00:02.500 --> 00:04.000\n<v Abu Fictional>Gone.\n\n"
        "00:04.500 --> 00:05.000\n<v Interpreter>He means it burned.\n"
    )
    iv = read(tmp_path, "f.vtt", vtt)
    assert [(t.speaker, t.speaker_role, t.text, t.time_start) for t in iv.turns] == [
        ("Interviewer", "interviewer", "And the fictional orchard?", 1.0),
        ("Abu Fictional", "interviewee", "Gone.", 2.5),
        ("Interpreter", "third_party", "He means it burned.", 4.5),
    ]


def test_json_prefix_excluded_even_for_long_names(tmp_path: Path) -> None:
    data = {
        "interview": {"interviewer_names": "Interviewer"},
        "turns": [
            {"speaker": "Interviewer", "text": "Your name, for the fictional record?", "start": 0},
            {"speaker": "Abu Example, the former fictional clerk", "text": "Call me: Abu Example.", "start": 4.5},
            {"text": "[both laugh]", "start": 9, "end": 10},
        ],
    }
    iv = read(tmp_path, "j.json", json.dumps(data))
    assert [(t.speaker, t.speaker_role, t.text, t.time_start, t.time_end) for t in iv.turns] == [
        ("Interviewer", "interviewer", "Your name, for the fictional record?", 0.0, 4.5),
        ("Abu Example, the former fictional clerk", "interviewee", "Call me: Abu Example.", 4.5, 9.0),
        # A speaker-less turn continues the previous speaker, as a subtitle would.
        ("Abu Example, the former fictional clerk", "interviewee", "[both laugh]", 9.0, 10.0),
    ]


def test_docx_transcript(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["A fictional interview", "Q: Where was the fictional well?", "A: Behind the house.", "Q: Deep?", "A: Very."]:
        document.add_paragraph(line)
    document.save(tmp_path / "w.docx")
    iv = checked(split_turns(read_document(tmp_path / "w.docx")))
    assert shape(iv) == [
        ("", "third_party", "A fictional interview"),
        ("Q", "interviewer", "Where was the fictional well?"),
        ("A", "interviewee", "Behind the house."),
        ("Q", "interviewer", "Deep?"),
        ("A", "interviewee", "Very."),
    ]


def test_leading_label() -> None:
    found = leading_label("Umm Imaginary: It rained.")
    assert found is not None and found.label == "Umm Imaginary"
    assert "Umm Imaginary: It rained."[found.words_offset :].strip() == "It rained."
    assert leading_label("He said: it rained.") is None
    assert leading_label("Q. A dotted label is too ambiguous in a lone cue") is None
