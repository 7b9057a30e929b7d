"""Read transcripts: path -> SourceDocument ("the text as read", its metadata and its cues).

Every offset anywhere in the system points into ``SourceDocument.text``, so each reader defines
exactly what that text is (see docs/formats.md):

* ``.txt`` / ``.md``: the whole file decoded as UTF-8 (a BOM is dropped) with CRLF/CR turned
  into LF. YAML front matter (``---`` ... ``---``) and a leading block of ``# key: value`` lines
  become metadata; ``body_start`` is the offset after them (and after following blank lines).
* ``.docx``: the non-empty paragraphs (and table rows, cells joined by a tab) joined by
  ``"\\n\\n"``; the core property *title* becomes metadata ``title``.
* ``.pdf``: the text layer of each page joined by ``"\\n\\n"``; the document title becomes
  metadata ``title``. Scans without a text layer must be OCR'd first.
* ``.srt`` / ``.vtt``: the cue texts (tags removed, a ``Speaker:`` label kept) joined by
  ``"\\n\\n"``; one Cue per subtitle block with its speaker and times.
* ``.json``: the structured form below.

The JSON form
-------------
An object with an optional ``interview`` object (metadata, same keys as front matter) and a
``turns`` list; a bare top-level list of turns is accepted too::

    {
      "interview": {"interview_id": "int-07", "interviewee": "Abu Hamza", "date": "2017-05-02",
                    "interviewer_names": "Interviewer", "third_party_names": "Interpreter"},
      "turns": [
        {"speaker": "Interviewer", "text": "Where were you in 2015?", "start": 12.5, "end": 20.0},
        {"speaker": "Abu Hamza", "text": "In Raqqa, at first.", "start": "00:00:21.0"}
      ]
    }

Each turn needs ``text`` (a string); ``speaker`` (a string) is optional; ``start``/``end`` are
optional seconds (a number or an ``hh:mm:ss[.mmm]`` string). Turns whose text is empty are
skipped. The text as read is, per turn, ``"<speaker>: <text>"`` (just ``<text>`` without a
speaker), joined by ``"\\n\\n"``; each turn becomes one Cue spanning that whole piece.

Metadata keys used downstream: interview_id, title, interviewee (the pseudonym), gender,
nationality, status, role, age, date, place, language, interviewer, medium, media_file,
interviewer_names and third_party_names (comma-separated speaker labels); the private keys
real_name, relatives, address, phone and redact, used only to redact exports. Other keys are
kept.
A ``metadata.csv`` beside the files (column ``file`` plus metadata columns) fills the keys a
file does not set itself.
"""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import html
import io
import json
import os
import stat
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from graph_builder.errors import UnreadableFile
from graph_builder.ingest.turns import leading_label, parse_clock
from graph_builder.model import Cue, SourceDocument

__all__ = [
    "METADATA_CSV",
    "METADATA_KEYS",
    "SUPPORTED_EXTENSIONS",
    "iter_transcripts",
    "read_document",
    "read_folder_metadata",
]

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".docx", ".json", ".md", ".pdf", ".srt", ".txt", ".vtt")
METADATA_CSV = "metadata.csv"
METADATA_KEYS: tuple[str, ...] = (
    "interview_id",
    "title",
    "interviewee",
    "gender",
    "nationality",
    "status",
    "role",
    "age",
    "date",
    "place",
    "language",
    "interviewer",
    "medium",
    "media_file",
    "interviewer_names",
    "third_party_names",
)

# --------------------------------------------------------------------------------------------
# Shared helpers

# What each format reader returns: (text as read, metadata, body_start, cues).
_ReadResult = tuple[str, dict[str, str], int, tuple[Cue, ...]]


def _key(raw: object) -> str:
    """Metadata keys are compared lower-case with underscores: "Media file" -> "media_file"."""
    return re.sub(r"[\s\-]+", "_", str(raw).strip().lower())


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _flatten(mapping: Mapping[Any, Any], prefix: str = "") -> dict[str, str]:
    """Metadata is str -> str: lists become comma-separated, nested mappings dotted keys."""
    out: dict[str, str] = {}
    for raw_key, value in mapping.items():
        key = prefix + _key(raw_key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            out.update(_flatten(value, key + "."))
        elif isinstance(value, (list, tuple)):
            # A list of speaker labels is how YAML users write interviewer_names.
            joined = ", ".join(_scalar(v) for v in value if v is not None and _scalar(v))
            if joined:
                out[key] = joined
        else:
            text = _scalar(value)
            if text:
                out[key] = text
    return out


def _decode(path: str, data: bytes) -> str:
    """UTF-8 (BOM accepted) with every line ending turned into LF."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(path, "is UTF-16 text, not UTF-8; re-save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            path,
            f"is not UTF-8 (invalid byte 0x{data[exc.start]:02x} at byte {exc.start}); "
            "re-save it as UTF-8",
        ) from None
    # Offsets are into this normalised text, so "\r\n" and "\n" files give the same offsets.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Titles that office software writes by itself ("Microsoft Word - int-04.docx", "Untitled")
# say nothing about the interview, and would shadow a title given in metadata.csv.
_JUNK_TITLE = re.compile(
    r"^(?:untitled(?:\s+document)?|document\d*|microsoft word\s*-.*|.*\.(?:docx?|pdf|rtf|odt|txt))$", re.IGNORECASE
)


def _title_metadata(title: object) -> dict[str, str]:
    text = " ".join(str(title or "").split())
    return {"title": text} if text and not _JUNK_TITLE.match(text) else {}


def _require_text(path: str, text: str) -> None:
    if not text.strip():
        raise UnreadableFile(path, "empty file")


# --------------------------------------------------------------------------------------------
# .txt / .md

_FM_OPEN = re.compile(r"---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_YAML_KEY_LINE = re.compile(r"\s*[A-Za-z_][\w \-]*:")
_HEADER_LINE = re.compile(r"#[ \t]*([A-Za-z][A-Za-z0-9_\-]*)[ \t]*:[ \t]*(.*?)[ \t]*")


def _skip_blank_lines(text: str, pos: int) -> int:
    while pos < len(text):
        nl = text.find("\n", pos)
        line_end = len(text) if nl == -1 else nl
        if text[pos:line_end].strip():
            return pos
        pos = line_end + 1
    return len(text)


def _front_matter(path: str, text: str) -> tuple[dict[str, str], int]:
    """YAML front matter at the very top -> (metadata, offset after the closing line)."""
    opening = _FM_OPEN.match(text)
    if opening is None:
        return {}, 0
    closing = _FM_CLOSE.search(text, opening.end())
    if closing is None:
        # A lone "---" may be a Markdown rule; but "---" followed by "key:" lines is front
        # matter whose end was forgotten, and silently indexing it as testimony would be wrong.
        if _YAML_KEY_LINE.match(text, opening.end()):
            raise UnreadableFile(
                path, "front matter opened with '---' on line 1 is never closed; add a '---' line after it"
            )
        return {}, 0
    block = text[opening.end() : closing.start()]
    try:
        loaded = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 - safe, no aliases
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        # The block starts on line 2 of the file (line 1 is the opening "---").
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise UnreadableFile(path, f"invalid YAML front matter{where}: {problem}") from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, Mapping):
        raise UnreadableFile(path, "front matter must be 'key: value' lines (a YAML mapping)")
    end = closing.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    return _flatten(loaded), end


def _header_block(text: str, pos: int) -> tuple[dict[str, str], int]:
    """Leading "# key: value" lines (the collector's header) -> (metadata, offset after them).

    Keys are single words ("source", "media_file"), so a Markdown heading such as
    "# Interview with Abu Hamza" is never mistaken for one.
    """
    meta: dict[str, str] = {}
    while pos < len(text):
        nl = text.find("\n", pos)
        line_end = len(text) if nl == -1 else nl
        m = _HEADER_LINE.fullmatch(text, pos, line_end)
        if m is None:
            break
        if m.group(2):
            meta[_key(m.group(1))] = m.group(2)  # a repeated key: the later line wins
        pos = line_end + 1 if nl != -1 else line_end
    return meta, pos


def _read_text(path: str, data: bytes) -> _ReadResult:
    text = _decode(path, data)
    _require_text(path, text)
    meta, pos = _front_matter(path, text)
    pos = _skip_blank_lines(text, pos)
    header, pos = _header_block(text, pos)
    for key, value in header.items():
        meta.setdefault(key, value)  # front matter is the more deliberate of the two
    body_start = _skip_blank_lines(text, pos)
    if not text[body_start:].strip():
        raise UnreadableFile(path, "has metadata but no text after it")
    return text, meta, body_start, ()


# --------------------------------------------------------------------------------------------
# .docx


def _read_docx(path: str, data: bytes) -> _ReadResult:
    import docx  # python-docx; imported here so plain-text users never pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, KeyError, XML errors: all mean "not a usable .docx"
        raise UnreadableFile(
            path, f"is not a readable Word .docx file (corrupt, or another format renamed): {exc}"
        ) from None

    blocks: list[str] = []
    # Body order, tables included: transcripts are often laid out as a table of turns.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is reported once per column
                        continue
                    seen.add(id(cell._tc))
                    if cell.text.strip():
                        cells.append(cell.text.strip())
                blocks.append("\t".join(cells))
    paragraphs = [b.replace("\r\n", "\n").replace("\r", "\n").strip() for b in blocks]
    text = "\n\n".join(p for p in paragraphs if p)
    _require_text(path, text)
    return text, _title_metadata(document.core_properties.title), 0, ()


# --------------------------------------------------------------------------------------------
# .pdf


def _read_pdf(path: str, data: bytes) -> _ReadResult:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:  # pypdf raises several types for damaged files
        raise UnreadableFile(path, f"is not a readable PDF (corrupt or truncated?): {exc}") from None
    if reader.is_encrypted:
        # Many PDFs are "encrypted" with an empty user password (permissions only): try that.
        try:
            opened = bool(reader.decrypt(""))
        except Exception:
            opened = False
        if not opened:
            raise UnreadableFile(
                path, "is encrypted (password-protected); save an unprotected copy and read that"
            )
    pages: list[str] = []
    try:
        for page in reader.pages:
            page_text = (page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n").strip()
            if page_text:
                pages.append(page_text)
    except Exception as exc:
        raise UnreadableFile(path, f"PDF text could not be extracted: {exc}") from None
    if not pages:
        raise UnreadableFile(
            path,
            "has no text layer (a scanned image?); run OCR on it first (e.g. ocrmypdf) and read the OCR'd copy",
        )
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:
        title = None  # a broken info dictionary should not lose an otherwise readable PDF
    return "\n\n".join(pages), _title_metadata(title), 0, ()


# --------------------------------------------------------------------------------------------
# .srt / .vtt

_TIMING = re.compile(
    r"^\s*(?P<a>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*-->\s*"
    r"(?P<b>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)(?:[ \t]+.*)?$"
)
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>]+)>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[^>]*>")  # <i>, <font ...>, <c.red>, <00:01:02.000>
_ASS_TAG = re.compile(r"\{\\[^}]*\}")  # {\an8} positioning codes some SRT files carry


def _blocks(text: str) -> list[list[str]]:
    return [b.strip("\n").split("\n") for b in _BLOCK_BREAK.split(text) if b.strip()]


_Piece = tuple[str, str | None, float | None, float | None]  # text, speaker, start, end (seconds)


def _join_cues(pieces: list[_Piece]) -> tuple[str, tuple[Cue, ...]]:
    """Join cue texts with blank lines, recording each one's offsets in the joined text."""
    parts: list[str] = []
    cues: list[Cue] = []
    pos = 0
    for cue_text, speaker, t0, t1 in pieces:
        if parts:
            pos += 2  # the "\n\n" separator
        cues.append(Cue(pos, pos + len(cue_text), speaker, t0, t1))
        parts.append(cue_text)
        pos += len(cue_text)
    return "\n\n".join(parts), tuple(cues)


def _cue_payload(lines: list[str], *, vtt: bool) -> tuple[str, str | None]:
    raw = "\n".join(lines)
    speaker: str | None = None
    if vtt:
        voice = _VOICE.search(raw)
        if voice:
            speaker = voice.group(1).strip() or None
    cleaned = _ASS_TAG.sub("", _TAG.sub("", raw))
    if vtt:
        cleaned = html.unescape(cleaned)  # VTT escapes &amp; &lt; &gt; &nbsp;
    cue_text = "\n".join(line.strip() for line in cleaned.split("\n") if line.strip())
    if speaker is None and cue_text:
        found = leading_label(cue_text)
        if found is not None:
            speaker = found.label  # the label stays in the text; split_turns leaves it out of the words
    return cue_text, speaker


def _timed_blocks(text: str, *, vtt: bool) -> list[_Piece]:
    pieces: list[_Piece] = []
    for i, lines in enumerate(_blocks(text)):
        first = lines[0].strip()
        if vtt and (
            (i == 0 and first.startswith("WEBVTT"))
            or re.match(r"(?:NOTE|STYLE|REGION)(?:\s|$)", first)
        ):
            continue
        # The timing line is the first line, or the second after a cue number / identifier.
        timing_at = next((j for j in range(min(2, len(lines))) if "-->" in lines[j]), None)
        if timing_at is None:
            # No timing: the second paragraph of the cue before (a blank line inside a cue),
            # or a cue whose timing line is lost. Kept either way, with the cue before:
            # nothing said is dropped (a lone cue number is not words).
            if len(lines) > 1 and lines[0].strip().isdigit():
                lines = lines[1:]
            cue_text, speaker = _cue_payload(lines, vtt=vtt)
            if cue_text and pieces:
                text0, speaker0, t0, t1 = pieces[-1]
                pieces[-1] = (f"{text0}\n{cue_text}", speaker0, t0, t1)
            elif cue_text:
                pieces.append((cue_text, speaker, None, None))
            continue
        timing = _TIMING.match(lines[timing_at])
        start = end = None
        if timing is not None:
            try:
                start, end = parse_clock(timing.group("a")), parse_clock(timing.group("b"))
            except ValueError:
                start = end = None  # "99:99:99,999": the words stay, without a time
        cue_text, speaker = _cue_payload(lines[timing_at + 1 :], vtt=vtt)
        if cue_text:
            pieces.append((cue_text, speaker, start, end))
    return pieces


def _read_subtitles(path: str, data: bytes, *, vtt: bool) -> _ReadResult:
    source = _decode(path, data)
    _require_text(path, source)
    pieces = _timed_blocks(source, vtt=vtt)
    if not any(start is not None for _, _, start, _ in pieces):
        raise UnreadableFile(
            path, "no subtitle cue could be parsed (expected blocks with a '00:00:01,000 --> 00:00:04,000' line)"
        )
    text, cues = _join_cues(pieces)
    return text, {}, 0, cues


def _read_srt(path: str, data: bytes) -> _ReadResult:
    return _read_subtitles(path, data, vtt=False)


def _read_vtt(path: str, data: bytes) -> _ReadResult:
    return _read_subtitles(path, data, vtt=True)


# --------------------------------------------------------------------------------------------
# .json


def _seconds(path: str, value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value) if re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", value) else parse_clock(value)
        except ValueError:
            pass
    raise UnreadableFile(path, f"{where}: expected seconds (a number or 'hh:mm:ss.mmm'), got {value!r}")


def _read_json(path: str, data: bytes) -> _ReadResult:
    source = _decode(path, data)
    _require_text(path, source)
    try:
        loaded = json.loads(source)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise UnreadableFile(path, "JSON nested too deeply (a transcript is an object with a list "
                             "of turns)") from None
    expected = 'expected {"interview": {...}, "turns": [{"speaker": ..., "text": ...}]} or a list of turns'
    meta: dict[str, str] = {}
    if isinstance(loaded, list):
        raw_turns: object = loaded
    elif isinstance(loaded, dict) and "turns" in loaded:
        raw_turns = loaded["turns"]
        interview = loaded.get("interview")
        if interview is not None:
            if not isinstance(interview, dict):
                raise UnreadableFile(path, f'"interview" must be an object; {expected}')
            meta = _flatten(interview)
    else:
        raise UnreadableFile(path, expected)
    if not isinstance(raw_turns, list):
        raise UnreadableFile(path, f'"turns" must be a list; {expected}')

    pieces: list[_Piece] = []
    for n, turn in enumerate(raw_turns, start=1):
        where = f"turn {n}"
        if not isinstance(turn, dict):
            raise UnreadableFile(path, f"{where} is not an object; {expected}")
        words = turn.get("text")
        if not isinstance(words, str):
            raise UnreadableFile(path, f'{where} has no "text" string')
        speaker = turn.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise UnreadableFile(path, f'{where}: "speaker" must be a string')
        speaker = (speaker or "").strip() or None
        words = words.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not words:
            continue
        piece = f"{speaker}: {words}" if speaker else words
        start = _seconds(path, turn.get("start"), f"{where} start")
        end = _seconds(path, turn.get("end"), f"{where} end")
        pieces.append((piece, speaker, start, end))
    if not pieces:
        raise UnreadableFile(path, "empty file (no turn has any text)")
    text, cues = _join_cues(pieces)
    return text, meta, 0, cues


# --------------------------------------------------------------------------------------------
# metadata.csv and folders


@lru_cache(maxsize=64)
def _cached_folder_metadata(csv_path: str, _mtime_ns: int, _size: int) -> dict[str, dict[str, str]]:
    # Keyed on mtime and size too, so an edited metadata.csv is read again.
    data = Path(csv_path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(csv_path, "is not UTF-8; re-save it as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise UnreadableFile(csv_path, f"line {reader.line_num}: {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return {}
    header = [_key(h) for h in rows[0]]
    if "file" not in header:
        raise UnreadableFile(csv_path, "has no 'file' column (the first row must name the columns)")
    file_col = header.index("file")
    out: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        cells = row + [""] * (len(header) - len(row))
        name = cells[file_col].strip()
        if not name:
            continue
        # Empty cells set nothing, so they never blank out a value the file carries.
        values = {k: v.strip() for k, v in zip(header, cells) if k and k != "file" and v.strip()}
        out.setdefault(name, {}).update(values)
    return out


def read_folder_metadata(folder: str | Path) -> dict[str, dict[str, str]]:
    """``folder/metadata.csv`` as {file name: {key: value}}; {} when there is none.

    The ``file`` column names the transcript (its file name); every other column is a metadata
    key (normalised: lower case, spaces to underscores); empty cells are left out.
    """
    csv_path = Path(folder) / METADATA_CSV
    try:
        st = csv_path.stat()
    except OSError:
        return {}
    cached = _cached_folder_metadata(str(csv_path), st.st_mtime_ns, st.st_size)
    return {name: dict(values) for name, values in cached.items()}


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: front matter is "key: value" lines, and an alias
    ("*a") can expand a few hundred bytes into gigabytes (a "billion laughs")."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front matter",
                self.peek_event().start_mark)
        return super().compose_node(parent, index)


# How big a transcript may be (TESTIMONY_MAX_FILE_MB overrides): bigger is a mistake (a video
# saved as .txt, a database dump) that would otherwise fill memory before anything is said.
MAX_FILE_MB = 100


def _max_file_bytes() -> int:
    try:
        return int(float(os.environ.get("TESTIMONY_MAX_FILE_MB", MAX_FILE_MB)) * 1024 * 1024)
    except ValueError:
        return MAX_FILE_MB * 1024 * 1024


def _not_readable_reason(path: Path, root: Path | None) -> str | None:
    """Why a path found in a folder is not read: not a regular file (a pipe would hang the
    read), or a symlink to outside the folder (a corpus cannot pull in /etc/hostname)."""
    try:
        st = os.stat(path)  # follows the link
    except OSError as exc:
        return f"cannot be opened: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a pipe, device or socket): skipped"
    if root is not None and path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return f"a symlink to a file outside the folder ({target}): not read"
    return None


def iter_transcripts(folder_or_files: str | Path | Iterable[str | Path],
                     skipped: list[tuple[str, str]] | None = None) -> list[Path]:
    """The transcripts to read, sorted and without duplicates.

    A folder is searched recursively for files with a supported extension, skipping
    metadata.csv, README files, hidden files and folders (".name") and Office lock files
    ("~$name.docx").
    A file named explicitly is kept whatever its extension, so read_document can say why it
    cannot be read instead of it vanishing silently. Paths that do not exist, files that are
    not regular files (pipes, devices) and symlinks out of their folder are not read: each is
    appended to `skipped` as (path, reason) and the rest go on; without `skipped` the first
    raises UnreadableFile.
    """
    def skip(where: Path, reason: str) -> None:
        if skipped is None:
            raise UnreadableFile(str(where), reason)
        skipped.append((str(where), reason))

    if isinstance(folder_or_files, (str, Path)):
        items: list[str | Path] = [folder_or_files]
    else:
        items = list(folder_or_files)
    found: set[Path] = set()
    for item in items:
        path = Path(item)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    # A folder's README describes the collection; it is not an interview.
                    if name.startswith((".", "~$")) or name == METADATA_CSV or name.lower().startswith("readme."):
                        continue
                    if Path(name).suffix.lower() in SUPPORTED_EXTENSIONS:
                        candidate = Path(root) / name
                        reason = _not_readable_reason(candidate, path)
                        if reason is None:
                            found.add(candidate)
                        else:
                            skip(candidate, reason)
        elif path.exists():
            reason = _not_readable_reason(path, None)
            if reason is None:
                found.add(path)
            else:
                skip(path, reason)
        else:
            skip(path, "no such file or folder")
    return sorted(found, key=lambda p: str(p))


# --------------------------------------------------------------------------------------------
# Entry point

_Reader = Callable[[str, bytes], _ReadResult]
_READERS: dict[str, _Reader] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".srt": _read_srt,
    ".vtt": _read_vtt,
    ".json": _read_json,
}
assert tuple(sorted(_READERS)) == SUPPORTED_EXTENSIONS


def read_document(
    path: str | Path, *, folder_metadata: Mapping[str, Mapping[str, str]] | None = None
) -> SourceDocument:
    """Read one transcript. Raises UnreadableFile with a message that says what to do.

    ``folder_metadata`` is the {file name: metadata} of the file's folder; by default the
    ``metadata.csv`` beside the file is read (pass ``{}`` to ignore it). Its values fill the
    keys the file does not set itself.
    """
    p = Path(path)
    name = str(path)
    suffix = p.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise UnreadableFile(
            name,
            f"unsupported file type '{p.suffix or '(none)'}'; supported: {', '.join(SUPPORTED_EXTENSIONS)}",
        )
    try:
        st = p.stat()
        if stat.S_ISREG(st.st_mode) and st.st_size > _max_file_bytes():
            raise UnreadableFile(name, f"{st.st_size / 1024 / 1024:.0f} MB is more than a transcript "
                                 f"({_max_file_bytes() // 1024 // 1024} MB at most; set "
                                 "TESTIMONY_MAX_FILE_MB to allow bigger files)")
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
            raise UnreadableFile(name, "not a regular file (a pipe, device or socket)")
        data = p.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(name, "no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(name, "is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableFile(name, f"cannot be opened: {exc.strerror or exc}") from None
    if not data.strip():
        raise UnreadableFile(name, "empty file")

    text, metadata, body_start, cues = reader(name, data)

    if folder_metadata is None:
        folder_metadata = read_folder_metadata(p.parent)
    for key, value in folder_metadata.get(p.name, {}).items():
        metadata.setdefault(_key(key), value)

    return SourceDocument(
        path=name,
        text=text,
        content_hash=hashlib.sha256(data).hexdigest(),
        metadata=metadata,
        body_start=body_start,
        cues=cues,
    )
