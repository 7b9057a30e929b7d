"""Readers: path -> SourceDocument for every supported format.

All transcript text in this file is FICTIONAL, written for these tests; none of it comes from
the shared corpus. docx and pdf fixtures are generated in tmp_path by code.
"""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from graph_builder.errors import UnreadableFile
from graph_builder.ingest.readers import (
    SUPPORTED_EXTENSIONS,
    iter_transcripts,
    read_document,
    read_folder_metadata,
)
from graph_builder.ingest.turns import split_turns
from graph_builder.model import SourceDocument

DEV_DOCS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev" / "docs"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def assert_cues_point_into_text(doc: SourceDocument) -> None:
    for prev, cue in zip((None, *doc.cues), doc.cues):
        assert 0 <= cue.start < cue.end <= len(doc.text)
        if prev is not None:
            assert doc.text[prev.end : cue.start] == "\n\n"
    if doc.cues:
        assert doc.cues[0].start == 0 and doc.cues[-1].end == len(doc.text)


def assert_turn_invariant(doc: SourceDocument) -> None:
    interview = split_turns(doc)
    assert interview.turns, "every readable document yields at least one turn"
    for turn in interview.turns:
        assert turn.text == doc.text[turn.start : turn.end]
        assert turn.text == turn.text.strip() and turn.text


# ---------------------------------------------------------------------------------------------
# Minimal PDFs written by hand: a catalog, a page tree, Helvetica, one content stream per page.


def _pdf_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str] | None], title: str | None = None) -> bytes:
    """A valid PDF; each page is a list of text lines, or None for a page without text."""
    n_pages = len(pages)
    font_id = 3
    first_page_id = 4
    info_id = first_page_id + 2 * n_pages
    objects: dict[int, bytes] = {}
    kids = " ".join(f"{first_page_id + 2 * i} 0 R" for i in range(n_pages))
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode()
    objects[font_id] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    for i, lines in enumerate(pages):
        page_id = first_page_id + 2 * i
        content_id = page_id + 1
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
        ).encode()
        if lines is None:
            stream = b"0 0 1 rg 72 600 200 100 re f"  # a filled rectangle: ink but no text
        else:
            ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
            for line in lines:
                ops.append(f"({_pdf_escape(line)}) Tj T*")
            ops.append("ET")
            stream = "\n".join(ops).encode("latin-1")
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    trailer_info = ""
    if title is not None:
        objects[info_id] = f"<< /Title ({_pdf_escape(title)}) >>".encode("latin-1")
        trailer_info = f" /Info {info_id} 0 R"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}
    for obj_id in sorted(objects):
        offsets[obj_id] = out.tell()
        out.write(f"{obj_id} 0 obj\n".encode() + objects[obj_id] + b"\nendobj\n")
    xref_at = out.tell()
    size = max(objects) + 1
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for obj_id in range(1, size):
        out.write(f"{offsets[obj_id]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R{trailer_info} >>\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Dispatch, hashing, empty files


def test_supported_extensions_are_listed() -> None:
    assert set(SUPPORTED_EXTENSIONS) == {".txt", ".md", ".docx", ".pdf", ".srt", ".vtt", ".json"}


def test_unknown_extension_lists_the_supported_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.rtf", "{\\rtf1 fictional}")
    with pytest.raises(UnreadableFile) as err:
        read_document(path)
    assert "unsupported file type '.rtf'" in str(err.value)
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in err.value.reason
    assert err.value.path == str(path)


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "SHOUTY.TXT", "Fictional words."))
    assert doc.text == "Fictional words."


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no such file"):
        read_document(tmp_path / "absent.txt")


def test_content_hash_is_sha256_of_the_bytes(tmp_path: Path) -> None:
    raw = "Q: Fictional question?\r\nA: Fictional answer.\r\n".encode()
    doc = read_document(write(tmp_path, "h.txt", raw))
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("ext", [".txt", ".md", ".srt", ".vtt", ".json", ".docx", ".pdf"])
@pytest.mark.parametrize("content", [b"", b"   \n\t \r\n  "])
def test_empty_or_whitespace_files_are_refused(tmp_path: Path, ext: str, content: bytes) -> None:
    with pytest.raises(UnreadableFile, match="empty file"):
        read_document(write(tmp_path, "blank" + ext, content))


def test_bom_only_text_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="empty file"):
        read_document(write(tmp_path, "bom.txt", b"\xef\xbb\xbf  \n"))


def test_empty_docx_document_is_refused(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("   ")
    document.save(tmp_path / "blank.docx")
    with pytest.raises(UnreadableFile, match="empty file"):
        read_document(tmp_path / "blank.docx")


# ---------------------------------------------------------------------------------------------
# .txt / .md


def test_plain_text_is_read_whole(tmp_path: Path) -> None:
    content = "A fictional account.\n\nSecond paragraph of it.\n"
    doc = read_document(write(tmp_path, "plain.txt", content))
    assert doc.text == content
    assert doc.body_start == 0
    assert doc.metadata == {}
    assert doc.cues == ()
    assert doc.path == str(tmp_path / "plain.txt")


def test_crlf_and_cr_become_lf(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "crlf.txt", b"Line one.\r\nLine two.\rLine three.\r\n"))
    assert doc.text == "Line one.\nLine two.\nLine three.\n"


def test_bom_is_dropped_and_front_matter_still_found(tmp_path: Path) -> None:
    raw = "\ufeff---\r\ninterviewee: Abu Fictional\r\n---\r\n\r\nQ: Hello?\r\n".encode()
    doc = read_document(write(tmp_path, "bom.md", raw))
    assert not doc.text.startswith("\ufeff")
    assert "\r" not in doc.text
    assert doc.metadata == {"interviewee": "Abu Fictional"}
    assert doc.text[doc.body_start :] == "Q: Hello?\n"


def test_invalid_utf8_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        read_document(write(tmp_path, "latin1.txt", "Caf\xe9 in a fictional town".encode("latin-1")))
    assert "not UTF-8" in err.value.reason and "re-save it as UTF-8" in err.value.reason


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="UTF-16.*re-save it as UTF-8"):
        read_document(write(tmp_path, "wide.txt", "Fictional".encode("utf-16")))


def test_front_matter_becomes_flat_string_metadata(tmp_path: Path) -> None:
    content = (
        "---\n"
        "interview_id: fx-01\n"
        "Interviewee: Umm Fictional\n"
        "age: 41\n"
        "date: 2016-04-02\n"
        "interviewer_names: [Q, Dr. Nobody]\n"
        "consent: true\n"
        "recording:\n"
        "  camera: none\n"
        "empty_value:\n"
        "---\n"
        "\n\n"
        "Q: A fictional question?\n"
    )
    doc = read_document(write(tmp_path, "fm.md", content))
    assert doc.metadata == {
        "interview_id": "fx-01",
        "interviewee": "Umm Fictional",  # keys are normalised to lower case
        "age": "41",
        "date": "2016-04-02",
        "interviewer_names": "Q, Dr. Nobody",
        "consent": "true",
        "recording.camera": "none",
    }
    assert doc.text == content  # the text as read is the whole file
    assert doc.text[doc.body_start :] == "Q: A fictional question?\n"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    content = "---\ntitle: fine\nplace: [unclosed\ndate: 2016\n---\nBody.\n"
    with pytest.raises(UnreadableFile) as err:
        read_document(write(tmp_path, "bad.md", content))
    assert "invalid YAML front matter at line" in err.value.reason
    line = int(err.value.reason.split("at line ")[1].split(":")[0])
    assert 3 <= line <= 5  # the bad value is on line 3; the parser notices it by line 4-5


def test_yaml_error_line_is_the_file_line(tmp_path: Path) -> None:
    content = "---\ntitle: ok\nbad: : :\n---\nBody.\n"
    with pytest.raises(UnreadableFile, match="at line 3"):
        read_document(write(tmp_path, "bad2.md", content))


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="mapping"):
        read_document(write(tmp_path, "list.md", "---\n- a\n- b\n---\nBody.\n"))


def test_unclosed_front_matter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="never closed"):
        read_document(write(tmp_path, "open.md", "---\ntitle: Fictional\n\nQ: Where?\n"))


def test_leading_rule_without_keys_is_body(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "rule.md", "---\n\nA fictional paragraph.\n"))
    assert doc.metadata == {}
    assert doc.body_start == 0


def test_metadata_only_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no text"):
        read_document(write(tmp_path, "meta.md", "---\ntitle: Fictional\n---\n\n"))


def test_hash_header_block(tmp_path: Path) -> None:
    content = (
        "# source: https://example.org/fictional\n"
        "# title: A fictional article\n"
        "# speaker: a made-up witness\n"
        "\n"
        "The body of a fictional article.\n"
    )
    doc = read_document(write(tmp_path, "hdr.txt", content))
    assert doc.metadata == {
        "source": "https://example.org/fictional",
        "title": "A fictional article",
        "speaker": "a made-up witness",
    }
    assert doc.body_start == content.index("The body")


def test_markdown_heading_is_not_header_metadata(tmp_path: Path) -> None:
    content = "# Interview with a fictional farmer\n\nQ: Hello?\n"
    doc = read_document(write(tmp_path, "h.md", content))
    assert doc.metadata == {}
    assert doc.body_start == 0


def test_front_matter_then_header_lines_front_matter_wins(tmp_path: Path) -> None:
    content = "---\ntitle: From YAML\n---\n# title: From header\n# place: Nowhere\n\nBody.\n"
    doc = read_document(write(tmp_path, "both.md", content))
    assert doc.metadata == {"title": "From YAML", "place": "Nowhere"}
    assert doc.text[doc.body_start :] == "Body.\n"


# ---------------------------------------------------------------------------------------------
# .docx


def test_docx_paragraphs_tables_and_title(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Fictional interview"
    document.add_paragraph("Interviewer: A fictional question?")
    document.add_paragraph("")  # empty paragraphs are skipped
    document.add_paragraph("  Abu Fictional: A fictional answer.  ")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "00:01:00"
    table.rows[0].cells[1].text = "Interviewer: Thanks."
    document.save(tmp_path / "t.docx")
    doc = read_document(tmp_path / "t.docx")
    assert doc.text == (
        "Interviewer: A fictional question?\n\nAbu Fictional: A fictional answer.\n\n00:01:00\tInterviewer: Thanks."
    )
    assert doc.metadata == {"title": "Fictional interview"}
    assert doc.body_start == 0
    assert doc.content_hash == hashlib.sha256((tmp_path / "t.docx").read_bytes()).hexdigest()
    assert_turn_invariant(doc)


@pytest.mark.parametrize("title", ["Microsoft Word - fx-04.docx", "Untitled", "fx-04.pdf", "  "])
def test_software_generated_titles_are_ignored(tmp_path: Path, title: str) -> None:
    # Such a title would otherwise shadow the one the analyst gives in metadata.csv.
    write(tmp_path, "metadata.csv", "file,title\nt.pdf,From the CSV\nt.docx,From the CSV\n")
    write(tmp_path, "t.pdf", make_pdf([["Fictional words."]], title=title))
    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph("Fictional words.")
    document.save(tmp_path / "t.docx")
    assert read_document(tmp_path / "t.pdf").metadata == {"title": "From the CSV"}
    assert read_document(tmp_path / "t.docx").metadata == {"title": "From the CSV"}


@pytest.mark.parametrize("content", [b"PK\x03\x04 this is not really a zip", b"plain words, renamed"])
def test_corrupt_docx_is_refused(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not a readable Word .docx"):
        read_document(write(tmp_path, "broken.docx", content))


# ---------------------------------------------------------------------------------------------
# .pdf


def test_pdf_text_layer_pages_joined(tmp_path: Path) -> None:
    data = make_pdf(
        [["Interviewer: Where was the fictional farm?", "Abu Fictional: Near a river."], ["Interviewer: Thank you."]],
        title="Fictional PDF",
    )
    doc = read_document(write(tmp_path, "t.pdf", data))
    pages = doc.text.split("\n\n")
    assert len(pages) == 2
    assert "Where was the fictional farm?" in pages[0] and "Near a river." in pages[0]
    assert pages[1] == "Interviewer: Thank you."
    assert doc.metadata == {"title": "Fictional PDF"}
    assert_turn_invariant(doc)


def test_pdf_skips_pages_without_text(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "mixed.pdf", make_pdf([None, ["Only this page has words."]])))
    assert doc.text == "Only this page has words."


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as err:
        read_document(write(tmp_path, "scan.pdf", make_pdf([None, None])))
    assert "no text layer" in err.value.reason and "OCR" in err.value.reason


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    data = encrypt_pdf(make_pdf([["Secret fictional words."]]), user_password="s3cret")
    with pytest.raises(UnreadableFile, match="encrypted"):
        read_document(write(tmp_path, "locked.pdf", data))


def test_pdf_encrypted_with_empty_password_is_read(tmp_path: Path) -> None:
    data = encrypt_pdf(make_pdf([["Readable fictional words."]]), user_password="")
    assert read_document(write(tmp_path, "perm.pdf", data)).text == "Readable fictional words."


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="not a readable PDF"):
        read_document(write(tmp_path, "broken.pdf", b"%PDF-1.4\nnonsense without objects"))


# ---------------------------------------------------------------------------------------------
# .srt / .vtt

SRT = (
    "1\r\n"
    "00:00:01,000 --> 00:00:04,500\r\n"
    "Interviewer: Where did the fictional\r\n"
    "bus stop?\r\n"
    "\r\n"
    "2\r\n"
    "00:00:05,000 --> 00:00:09,250\r\n"
    "<i>At the market.</i> {\\an8}\r\n"
    "\r\n"
    "3\r\n"
    "this block has no timing line\r\n"
    "\r\n"
    "4\r\n"
    "01:00:10,000 --> 01:00:12,000\r\n"
    "Abu Fictional: Then we walked.\r\n"
)


def test_srt_cues(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "s.srt", SRT))
    # The block without a timing line keeps its words, with the cue before (issue 10).
    assert doc.text == (
        "Interviewer: Where did the fictional\nbus stop?\n\nAt the market.\nthis block has no timing line"
        "\n\nAbu Fictional: Then we walked."
    )
    assert [(c.speaker, c.time_start, c.time_end) for c in doc.cues] == [
        ("Interviewer", 1.0, 4.5),
        (None, 5.0, 9.25),
        ("Abu Fictional", 3610.0, 3612.0),
    ]
    assert [doc.text[c.start : c.end] for c in doc.cues] == [
        "Interviewer: Where did the fictional\nbus stop?",
        "At the market.\nthis block has no timing line",
        "Abu Fictional: Then we walked.",
    ]
    assert_cues_point_into_text(doc)
    assert_turn_invariant(doc)


def test_srt_dot_separator_is_accepted(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "dot.srt", "1\n00:00:02.5 --> 00:00:03.75\nFictional.\n"))
    assert [(c.time_start, c.time_end) for c in doc.cues] == [(2.5, 3.75)]


def test_srt_without_any_cue_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no subtitle cue"):
        read_document(write(tmp_path, "junk.srt", "1\nnot a time\nwords\n\n2\n00:00 -> 00:01\nmore\n"))


VTT = """WEBVTT - a fictional test file
Kind: captions

NOTE this comment block
spans two lines

STYLE
::cue { color: yellow }

intro
00:01.000 --> 00:04.000 align:start position:10%
<v Interviewer>Was the fictional well dry?</v>

00:00:05.000 --> 00:00:08.500
<v.loud Umm Fictional>Yes &amp; the <i>pump</i> too.

3
00:00:09.000 --> 00:00:10.000
Interpreter: She means the old pump.

00:00:11.000 --> 00:00:12.000
And the new one.
"""


def test_vtt_cues(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "v.vtt", VTT))
    assert doc.text == (
        "Was the fictional well dry?\n\nYes & the pump too.\n\n"
        "Interpreter: She means the old pump.\n\nAnd the new one."
    )
    assert [(c.speaker, c.time_start, c.time_end) for c in doc.cues] == [
        ("Interviewer", 1.0, 4.0),
        ("Umm Fictional", 5.0, 8.5),
        ("Interpreter", 9.0, 10.0),
        (None, 11.0, 12.0),
    ]
    assert_cues_point_into_text(doc)
    assert_turn_invariant(doc)


def test_vtt_without_any_cue_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no subtitle cue"):
        read_document(write(tmp_path, "header-only.vtt", "WEBVTT\n\nNOTE nothing else here\n"))


# ---------------------------------------------------------------------------------------------
# .json


def test_json_object_form(tmp_path: Path) -> None:
    data = {
        "interview": {"interview_id": "fx-json", "interviewee": "Abu Fictional", "age": 30, "tags": ["a", "b"]},
        "turns": [
            {"speaker": "Interviewer", "text": "Where was the fictional bakery?", "start": 1.5, "end": 4},
            {"speaker": "Abu Fictional", "text": "  Behind the school.\r\nNear the gate. ", "start": "00:00:05.25"},
            {"speaker": "", "text": "[inaudible]"},
            {"speaker": "Interviewer", "text": "   "},
        ],
    }
    doc = read_document(write(tmp_path, "j.json", json.dumps(data)))
    assert doc.metadata == {"interview_id": "fx-json", "interviewee": "Abu Fictional", "age": "30", "tags": "a, b"}
    assert doc.text == (
        "Interviewer: Where was the fictional bakery?\n\n"
        "Abu Fictional: Behind the school.\nNear the gate.\n\n"
        "[inaudible]"
    )
    assert [(c.speaker, c.time_start, c.time_end) for c in doc.cues] == [
        ("Interviewer", 1.5, 4.0),
        ("Abu Fictional", 5.25, None),
        (None, None, None),
    ]
    assert_cues_point_into_text(doc)
    assert_turn_invariant(doc)


def test_json_list_form(tmp_path: Path) -> None:
    turns = [{"speaker": "Q", "text": "Fictional?"}, {"speaker": "A", "text": "Fictional."}]
    doc = read_document(write(tmp_path, "l.json", json.dumps(turns)))
    assert doc.text == "Q: Fictional?\n\nA: Fictional."
    assert doc.metadata == {}
    assert len(doc.cues) == 2


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"invalid JSON at line 3, column \d+"):
        read_document(write(tmp_path, "bad.json", '{\n  "turns": [\n    {"text": "x",}\n  ]\n}'))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"speaker": "Q"}, "expected"),
        ({"turns": "not a list"}, '"turns" must be a list'),
        ({"turns": [{"speaker": "Q"}]}, 'turn 1 has no "text"'),
        ({"turns": ["just a string"]}, "turn 1 is not an object"),
        ({"turns": [{"text": "x", "start": "soon"}]}, "turn 1 start"),
        ({"turns": [{"text": "x", "speaker": 7}]}, '"speaker" must be a string'),
        ({"interview": [], "turns": []}, '"interview" must be an object'),
        ({"turns": [{"text": " "}]}, "empty file"),
    ],
)
def test_json_wrong_shapes_are_refused(tmp_path: Path, payload: object, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        read_document(write(tmp_path, "shape.json", json.dumps(payload)))


# ---------------------------------------------------------------------------------------------
# metadata.csv and folders


def test_read_folder_metadata(tmp_path: Path) -> None:
    write(
        tmp_path,
        "metadata.csv",
        "\ufefffile,Interviewee,Media File,age\r\na.txt,Abu Fictional,a.mp4,\r\nb.srt,Umm Fictional,,50\r\n",
    )
    assert read_folder_metadata(tmp_path) == {
        "a.txt": {"interviewee": "Abu Fictional", "media_file": "a.mp4"},
        "b.srt": {"interviewee": "Umm Fictional", "age": "50"},
    }


def test_folder_without_csv_has_no_metadata(tmp_path: Path) -> None:
    assert read_folder_metadata(tmp_path) == {}


def test_csv_without_file_column_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "metadata.csv", "name,age\na.txt,3\n")
    with pytest.raises(UnreadableFile, match="no 'file' column"):
        read_folder_metadata(tmp_path)


def test_csv_fills_only_keys_the_file_does_not_set(tmp_path: Path) -> None:
    write(tmp_path, "metadata.csv", "file,interviewee,place\nfm.md,From CSV,Fictional Town\n")
    write(tmp_path, "fm.md", "---\ninterviewee: From File\n---\nQ: Hello?\n")
    doc = read_document(tmp_path / "fm.md")
    assert doc.metadata == {"interviewee": "From File", "place": "Fictional Town"}
    # Passing {} ignores the folder's csv.
    assert read_document(tmp_path / "fm.md", folder_metadata={}).metadata == {"interviewee": "From File"}


def test_csv_gives_subtitles_their_metadata(tmp_path: Path) -> None:
    write(tmp_path, "metadata.csv", "file,interview_id,interviewee\ns.srt,fx-srt,Abu Fictional\n")
    write(tmp_path, "s.srt", SRT)
    doc = read_document(tmp_path / "s.srt")
    assert doc.metadata == {"interview_id": "fx-srt", "interviewee": "Abu Fictional"}


def test_edited_csv_is_read_again(tmp_path: Path) -> None:
    write(tmp_path, "metadata.csv", "file,place\nx.txt,Old\n")
    assert read_folder_metadata(tmp_path)["x.txt"] == {"place": "Old"}
    write(tmp_path, "metadata.csv", "file,place\nx.txt,Newer place\n")
    assert read_folder_metadata(tmp_path)["x.txt"] == {"place": "Newer place"}


def test_iter_transcripts(tmp_path: Path) -> None:
    for name in ["b.txt", "a.MD", "sub/c.vtt", "sub/deeper/d.json", "notes.rtf", "metadata.csv",
                 ".hidden.txt", ".git/e.txt", "~$lock.docx", "f.pdf", "README.md", "sub/readme.txt"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("fictional")
    found = iter_transcripts(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.MD", "b.txt", "f.pdf", "sub/c.vtt", "sub/deeper/d.json",
    ]
    # Explicit files are kept as given (read_document then explains an unsupported one).
    explicit = iter_transcripts([tmp_path / "notes.rtf", str(tmp_path / "b.txt"), tmp_path / "b.txt"])
    assert explicit == [tmp_path / "b.txt", tmp_path / "notes.rtf"]
    with pytest.raises(UnreadableFile, match="no such file or folder"):
        iter_transcripts(tmp_path / "missing")


# ---------------------------------------------------------------------------------------------
# The shared development corpus, read at run time (never copied into the project).


def dev_docs() -> list[Path]:
    return sorted(DEV_DOCS.glob("*.txt")) if DEV_DOCS.is_dir() else []


@pytest.mark.skipif(not DEV_DOCS.is_dir(), reason=f"shared dev corpus not found at {DEV_DOCS}")
@pytest.mark.parametrize("path", dev_docs(), ids=lambda p: p.stem)
def test_dev_corpus_headers_and_offsets(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    doc = read_document(path)
    assert iter_transcripts(path) == [path]
    # Header lines are metadata: source, title and speaker, as the collector wrote them.
    header = {}
    for line in raw.split("\n\n", 1)[0].splitlines():
        key, _, value = line[1:].partition(":")
        header[key.strip()] = value.strip()
    assert set(header) == {"source", "title", "speaker"}
    for key, value in header.items():
        assert doc.metadata[key] == value
    # The body is the text after the first blank line, as the corpus README defines it.
    assert doc.text[doc.body_start :] == raw.split("\n\n", 1)[1].lstrip("\n")
    interview = split_turns(doc)
    assert interview.title == header["title"]
    assert interview.turns
    for turn in interview.turns:
        assert turn.text == doc.text[turn.start : turn.end]
        assert turn.start >= doc.body_start  # header words never end up in a turn
    # These are articles, not labelled transcripts: no headline or dateline with a colon
    # ("BAGHDAD, Iraq: ...", "Part Three: ...") may be taken for a speaker, so the body falls
    # back to paragraphs and every word of it is in some turn.
    assert {t.speaker for t in interview.turns} == {""}
    covered = "".join(t.text for t in interview.turns)
    assert "".join(doc.text[doc.body_start :].split()) == "".join(covered.split())
