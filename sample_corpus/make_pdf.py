"""Generate int-09_abu-ammar_point9.pdf, the sample corpus's PDF transcript.

FICTIONAL sample written for testimony-graph; not real testimony. Run with the project's venv:
    .venv/bin/python sample_corpus/make_pdf.py
The PDF is written by hand (PDF 1.4, one Helvetica font, one text object per page) so that it
needs no PDF library and has a real text layer; the script checks that pypdf extracts it.
The metadata of this file is also in sample_corpus/metadata.csv (row int-09).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

OUT = Path(__file__).with_name("int-09_abu-ammar_point9.pdf")
TITLE = "Abu Ammar, former detainee of the Point 9 prison in Raqqa (FICTIONAL)"
NOTE = "FICTIONAL sample written for testimony-graph; not real testimony"

HEADER = [
    NOTE,
    "Interview ID: int-09",
    "Pseudonym: Abu Ammar",
    "Date: 2016-02-08",
    "Place: Sanliurfa, Turkey",
    "Interviewed by: M. Aydin (with an interpreter). Video; timestamps from the recording.",
]

I, A, T = "Interviewer", "Abu Ammar", "Interpreter"
TURNS: list[tuple[str, str, str]] = [
    ("00:00:05", I, "This is a fictional sample transcript for the testimony-graph demo corpus. "
     "Sanliurfa, eighth of February 2016. Please introduce yourself as you wish."),
    ("00:00:14", A, "Call me Abu Ammar. I am thirty-eight, from a village near Tal Abyad. Before "
     "the revolution I drove a truck. In 2012 I joined a battalion of the Free Army, the FSA, "
     "near Raqqa."),
    ("00:00:40", I, "What happened when the Islamic State took the area?"),
    ("00:00:46", A, "In 2014 the Dawla took everything. Some of the FSA went to Turkey, some "
     "joined the Dawla, some like me made tawba, repentance. You go to the sharia court, you "
     "give your weapon, you sign a paper, you say you were an apostate and now you repent. Then "
     "they leave you, they say. I went back to driving, I carried vegetables from the villages "
     "to Raqqa."),
    ("00:01:25", I, "When were you arrested?"),
    ("00:01:29", A, "In January 2015. The Amniyat came to my house at night, four men with "
     "masks. They said someone told them I talk on the phone with my old commander in Turkey. "
     "It was true, he was my cousin. They put a bag on my head and took me to Point 9."),
    ("00:01:55", I, "What is Point 9? Where is it?"),
    ("00:02:00", A, "It is a prison of the Amniyat in Raqqa. People say it is the stadium, "
     "but the stadium is a different prison, I was never inside it, I am not sure what they "
     "call it. Point 9 is under a government building, the old one, near the stadium, in the basement. "
     "Everybody confuses them. I know because when they took me out the last time I saw the "
     "street."),
    ("00:02:35", I, "Who interrogated you?"),
    ("00:02:39", A, "The first days, young men, Syrians. They beat me with a cable, a green "
     "cable, on the back and the feet. Then after one week a man came, the others called him "
     "sheikh, Abu Yusuf. Abu Yusuf al-Shami. He had an accent from Damascus. He was calm, he "
     "drank tea while they hung me from the ceiling by my hands. He wanted the names of the FSA "
     "men who made tawba and still talked to Turkey. I gave him names of people who were "
     "already dead. God forgive me, maybe I gave one name of a living man. I don't remember, "
     "I was not a human being any more."),
    ("00:03:30", T, "He is showing the scars on his wrists and his back to the camera."),
    ("00:03:38", I, "How many people were held with you?"),
    ("00:03:42", A, "In my room, maybe forty men, in a room for ten. Syrians mostly, some "
     "Kurds, one Iraqi, two boys maybe fifteen years old. One toilet. Food once a day, bread "
     "and a potato. The guards were foreigners and Syrians. The foreign guards were worse, a "
     "Tunisian and an Uzbek. Every few days they called names. The men who were called did not "
     "come back. The guards told us, they went to the al-Naim roundabout, to be an example. "
     "Later, after I escaped, I saw on a phone the photo of one of them, a boy from my room, "
     "at the roundabout."),
    ("00:04:40", I, "Did you see any senior figures in the prison?"),
    ("00:04:45", A, "One time the wali came, the wali of Raqqa, Abu Mu'az al-Furati. The guards "
     "were nervous, they cleaned everything. He did not come into our room, he looked through "
     "the door. I heard his voice, he asked how many are for the court. I think that is him, "
     "the guards said his name. I did not see his face well."),
    ("00:05:20", I, "How did you get out?"),
    ("00:05:24", A, "In April 2015 there was an airstrike at night on the building beside "
     "ours. Everything shook, the lights went out, the dust. A part of the wall of the corridor "
     "fell, and the door of our room was broken. The guards ran to the shelter. Six or seven of "
     "us went out through the hole, into the street. I do not know what happened to the others. "
     "I ran to the house of my wife's cousin in the al-Rumaila neighbourhood, with no shoes."),
    ("00:06:10", I, "And from Raqqa to Turkey?"),
    ("00:06:15", A, "My wife's cousin knew a man who works for a smuggler. The smuggler is Abu "
     "Omar, he lives here in Urfa. His man in Raqqa hid me for two days, shaved my beard, gave "
     "me a card of a dead man. Then a car to the border at Tal Abyad. A man from the border took "
     "me over, through the fields at night, to Akcakale. I had no money, nothing. My brother "
     "paid Abu Omar in Urfa later, one thousand five hundred dollars."),
    ("00:07:00", I, "Were you stopped on the way?"),
    ("00:07:04", A, "One checkpoint of the Dawla before Tal Abyad. The smuggler's driver gave "
     "them money and cigarettes. I sat in the back with my eyes on the floor. Corruption saved "
     "my life."),
    ("00:07:25", I, "How are you now?"),
    ("00:07:28", A, "My body is better. My head is not. I don't sleep in a closed room, I sleep "
     "with the door open. When I hear a key I am afraid. I am angry, very angry. My wife says I "
     "am a different man. My children are afraid of me sometimes. There is an organisation "
     "here, a psychologist, I went two times."),
    ("00:08:02", I, "Do you have any documents or photos from that time?"),
    ("00:08:06", A, "I have the paper of my tawba, with the stamp of the sharia court. I hid it "
     "in my shoe when they arrested me, they did not find it. And the photos of my back that a "
     "doctor in Akcakale took. You can have copies, for the investigation."),
    ("00:08:30", I, "Would you testify?"),
    ("00:08:33", A, "Against Abu Yusuf, yes, in any court. I want to see him in a cage like we "
     "were in a cage."),
    ("00:08:45", I, "Is there something you want to say to young people?"),
    ("00:08:49", A, "Do not believe the tawba, do not believe their promises. And do not join "
     "them. They eat their own people. I was a Muslim among Muslims and they hung me from the "
     "ceiling."),
]

PAGE_W, PAGE_H, MARGIN, SIZE, LEADING, WRAP = 595, 842, 56, 10, 14, 92


def _lines() -> list[tuple[str, str]]:
    """(font, text) lines: F2 bold for the title, F1 for the rest."""
    out: list[tuple[str, str]] = [("F2", TITLE), ("F1", "")]
    out += [("F1", line) for line in HEADER] + [("F1", "")]
    for stamp, speaker, text in TURNS:
        wrapped = textwrap.wrap(f"[{stamp}] {speaker}: {text}", WRAP, subsequent_indent="    ")
        out += [("F1", w) for w in wrapped] + [("F1", "")]
    return out


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_streams() -> list[bytes]:
    per_page = (PAGE_H - 2 * MARGIN) // LEADING
    lines = _lines()
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    streams = []
    for page in pages:
        ops = ["BT", f"{LEADING} TL", f"{MARGIN} {PAGE_H - MARGIN} Td"]
        for font, text in page:
            size = 13 if font == "F2" else SIZE
            ops += [f"/{font} {size} Tf", f"({_esc(text)}) Tj", "T*"]
        ops.append("ET")
        streams.append("\n".join(ops).encode("latin-1"))
    return streams


def build(out: Path = OUT) -> Path:
    streams = _page_streams()
    n = len(streams)
    # Object numbers: 1 catalog, 2 pages, 3 font F1, 4 font F2, 5 info, then (page, content) pairs.
    page_ids = [6 + 2 * i for i in range(n)]
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: ("<< /Type /Pages /Kids [" + " ".join(f"{p} 0 R" for p in page_ids)
            + f"] /Count {n} >>").encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        5: (f"<< /Title ({_esc(TITLE)}) /Subject ({_esc(NOTE)}) "
            "/Author (testimony-graph sample corpus) /CreationDate (D:20160208120000) >>").encode(),
    }
    for i, stream in enumerate(streams):
        pid = page_ids[i]
        objs[pid] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                     f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                     f"/Contents {pid + 1} 0 R >>").encode()
        objs[pid + 1] = (f"<< /Length {len(stream)} >>\nstream\n".encode() + stream
                         + b"\nendstream")
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(body)
        body += f"{num} 0 obj\n".encode() + objs[num] + b"\nendobj\n"
    xref = len(body)
    size = max(objs) + 1
    body += f"xref\n0 {size}\n".encode() + b"0000000000 65535 f \n"
    for num in range(1, size):
        body += f"{offsets[num]:010d} 00000 n \n".encode()
    body += (f"trailer\n<< /Size {size} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n"
             ).encode()
    out.write_bytes(bytes(body))
    return out


def check(path: Path = OUT) -> str:
    """Extract the text layer with pypdf and make sure the transcript is in it."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for needle in (NOTE, "Abu Yusuf al-Shami", "Point 9", "Akcakale", "[00:08:49] Abu Ammar:"):
        assert needle in text, f"{needle!r} not in the extracted text"
    return text


if __name__ == "__main__":
    path = build()
    text = check(path)
    words = sum(len(t.split()) for _, _, t in TURNS)
    print(f"wrote {path}: {words} words in {len(TURNS)} turns; pypdf extracts {len(text)} chars")
