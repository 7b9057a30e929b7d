"""Generate int-04_umm-huda_khansaa.docx, the sample corpus's Word transcript.

FICTIONAL sample written for testimony-graph; not real testimony. Run with the project's venv:
    .venv/bin/python sample_corpus/make_docx.py
The metadata of this file is also in sample_corpus/metadata.csv (row int-04).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt

OUT = Path(__file__).with_name("int-04_umm-huda_khansaa.docx")

HEADER = [
    "FICTIONAL sample written for testimony-graph; not real testimony",
    "Interview ID: int-04",
    "Pseudonym: Umm Huda",
    "Date: 2017-01-18",
    "Place: Gaziantep, Turkey",
    "Interviewed by: K. Brennan (with an interpreter)",
]

I, U, T = "Interviewer", "Umm Huda", "Interpreter"
TURNS: list[tuple[str, str]] = [
    (I, "This is a fictional sample transcript for the testimony-graph demo corpus. We are in Antep, "
        "the eighteenth of January 2017. Thank you for meeting us. What should we call you?"),
    (U, "Umm Huda. Huda is my daughter, she is six now."),
    (I, "Where are you from?"),
    (U, "From Raqqah, from the old city. My family are Raqqawi for generations. I finished school "
        "and one year of university in Aleppo before the war closed everything."),
    (I, "How did you come to be in the al-Khansaa brigade?"),
    (U, "My husband joined the Dawla in 2014. He was killed in Ayn al-Arab, in Kobani, in the "
        "autumn. After that I was a widow with two children. In the Dawla a widow is a problem for "
        "them. After the idda, the waiting time, the men come to your family, they want to marry "
        "you to a fighter, maybe a foreigner. I did not want this. A woman I knew from the mosque "
        "said, if you work with the Khansaa, you have a salary and they leave you alone. So I "
        "joined in the spring of 2015. The salary was one hundred dollars, sometimes less."),
    (I, "Was there training?"),
    (U, "A sharia course for women, two weeks, in a house near the Dallah hospital. About the "
        "rules of dress, the mahram, what is haram. Then they showed us how to use a pistol. I "
        "never used it. They gave some women a Kalashnikov for the checkpoints, mostly the foreign "
        "women, they wanted it for the photos."),
    (I, "Who was in charge?"),
    (U, "The emira in Raqqah was Umm Khattab. Everybody knows this name. She was Iraqi, from "
        "Mosul I think, the wife of an Iraqi commander. Maybe forty years old. Very strict, very "
        "cold. Under her there were groups, each group had a car and a driver, the driver is a "
        "man, of course, from the hisbah."),
    (I, "What was the work of a patrol?"),
    (U, "We walked in the market, in the Dallah street, near the clock square. We checked the "
        "women: the niqab must be thick, no eyes showing, gloves, no perfume, no colours, the "
        "abaya must be wide. If a woman broke the rules we took her and her mahram to the office. "
        "The man paid a fine, sometimes the woman was punished with the stick inside the office. "
        "Not in public, the public floggings in the square were for men. I saw Umm Khattab beat a "
        "girl, fifteen years old, because her eyes were showing. I did not stop her. I could not."),
    (T, "She is using the word \"sabaya\". I asked her if she wants to continue on this topic. She "
        "says yes."),
    (I, "Did the Khansaa have anything to do with the captive women?"),
    (U, "After Shingal, when they took the Yazidis, they brought them to Raqqah in buses. People "
        "said maybe two hundred girls came to Raqqah, in the first groups. Not thousands, not to "
        "Raqqah, the rest stayed in Iraq, that is what I heard. I don't know the real number. There "
        "was a house for them, the sabaya house, near the mosque in the al-Firdaws area. Umm "
        "Khattab sent women there to teach them the prayer and check them. I went two times. The "
        "girls were very young. One of them asked me for a phone to call her mother. I said no. I "
        "still think of her face."),
    (I, "Were they sold?"),
    (U, "Yes. Men came to the house and chose. There was a price list, I saw it on the phone of "
        "a fighter, with photos, like a market for cars. The foreigners bought more, they had more "
        "money. A Tunisian from the camp near Tabqa took one girl, a Saudi took two."),
    (I, "You mentioned foreign women in the Khansaa."),
    (U, "Many. British, French, Tunisian, Moroccan, two Chechens, one German. They came to marry "
        "fighters. Some believed everything, they were harder than Umm Khattab. Some cried every "
        "night and wanted to go home but their passports were taken by the Amniyat when they "
        "arrived. A French woman told me that they promised her a house and a good life, and she "
        "lived in one room with three other widows."),
    (I, "Were you afraid of the Amniyat?"),
    (U, "Everybody was. The women's side also had Amniyat. If you talk on the phone to someone "
        "outside, they can take you. My neighbour was taken, I don't know where, people said the "
        "Point 9 prison."),
    (I, "How did you leave?"),
    (U, "In the spring of 2016 I said to the office that I am sick and I stayed home. My brother "
        "in Gaziantep found a smuggler. A woman came to my house in the morning, she said she is "
        "my aunt, and we went in a minibus to Manbij with my children. From Manbij to Jarablus, "
        "and at night we crossed the border by foot. The children did not make a sound, they were "
        "so afraid. Then Kilis, then my brother came. It cost one thousand dollars for me and the "
        "children."),
    (I, "How is your life now?"),
    (U, "I am tired. I have depression, the doctor says. I don't leave the house much. I am afraid "
        "that someone will recognise me, a woman I checked in the market, or a woman from the "
        "Khansaa. My son asks about his father, he wants to be like him. This frightens me."),
    (I, "Do you have anything from that time, documents, photos?"),
    (U, "I have my card from the Khansaa, from the diwan. I kept it. I don't know why. And one "
        "photo of the women in the office, I took it secretly. Maybe for a court one day."),
    (I, "What would you say to a woman who thinks of going to the Dawla?"),
    (U, "Do not come. They will tell you that you will be a queen, a wife of a mujahid. You "
        "will be a widow, and then they will marry you again, and again. There is no dignity "
        "for a woman there."),
]


def build(out: Path = OUT) -> Path:
    doc = Document()
    props = doc.core_properties
    props.title = "Umm Huda, former member of the al-Khansaa brigade (FICTIONAL)"
    props.author = "testimony-graph sample corpus"
    props.comments = "FICTIONAL sample written for testimony-graph; not real testimony"
    props.created = datetime(2017, 1, 18)
    doc.add_heading("Umm Huda, former member of the al-Khansaa brigade (FICTIONAL)", level=1)
    for line in HEADER:
        doc.add_paragraph(line)
    for speaker, text in TURNS:
        p = doc.add_paragraph()
        label = p.add_run(f"{speaker}: ")
        label.bold = True
        p.add_run(text)
        p.paragraph_format.space_after = Pt(6)
    doc.save(out)
    return out


if __name__ == "__main__":
    path = build()
    words = sum(len(t.split()) for _, t in TURNS)
    print(f"wrote {path} ({words} words in {len(TURNS)} turns)")
