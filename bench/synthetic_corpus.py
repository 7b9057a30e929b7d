"""A synthetic, FICTIONAL interview collection for benchmarking testimony-graph at scale.

Users hold collections of about a thousand interviews; the sample corpus has twelve. This module
writes as many Markdown interviews (YAML front matter, ``Q:``/``A:`` turns) as a benchmark
needs, built like a real collection so that extraction, resolution and corroboration do real
work:

* shared places, units, roles, groups and events, each under several spellings (Raqqa / Raqqah
  / ar-Raqqa), drawn with a Zipf-like popularity: a few are named in most interviews, a long
  tail in few;
* a pool of about 300 recurring fictional people (kunyas with nisbas and spelling variants,
  some bare kunyas such as "Abu Omar" shared by different men in different roles), also Zipf;
* people found in one interview only (relatives, neighbours, local emirs), so the number of
  distinct names grows with the collection as it does in real work;
* first-hand, hearsay and hedged versions of the same claims, with numbers and dates that
  disagree between interviews.

EVERYTHING WRITTEN IS FICTION. Every person, kunya and pseudonym is invented, the events told
at real places are invented, and each file says so in its ``note`` and in its first line. Names
of real, well-known people of the conflict are kept out of the generated pool.

Output is a pure function of (n, seed, words): one ``random.Random`` per purpose, seeded from
the arguments, and only lists and dicts (never set or hash order) decide what comes next. The
first k interviews of a collection do not depend on n.

    .venv/bin/python bench/synthetic_corpus.py OUT_DIR [--n 1000] [--seed 20261203] [--words 2000]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_SEED", "generate", "main"]

DEFAULT_SEED = 20261203
FICTION_NOTE = "FICTIONAL synthetic interview generated for the testimony-graph benchmark; not real testimony"

# ============================================================================================
# Small helpers


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    """Weights 1/rank^s for ranks 1..n: the popularity curve of every shared pool."""
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = (
    "_ first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "twenty-first twenty-second twenty-third twenty-fourth twenty-fifth twenty-sixth "
    "twenty-seventh twenty-eighth"
).split()
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def number_words(n: int) -> str:
    """English words for 0 <= n < 1,000,000 ("one thousand five hundred"), as people say them."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{number_words(thousands)} thousand" + (f" {number_words(rest)}" if rest else "")


def round_nicely(n: int) -> int:
    """Witnesses give round numbers: exact below 20, then to 5, 50 and 500."""
    for limit, step in ((20, 1), (100, 5), (1000, 50)):
        if n < limit:
            return max(step, round(n / step) * step)
    return max(500, round(n / 500) * 500)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def word_count(text: str) -> int:
    return len(text.split())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def article(word: str) -> str:
    """'a Tunisian' / 'an Iraqi'."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


# ============================================================================================
# Spelled things: places, units, sites. `variants[0]` is the canonical spelling.


@dataclass(frozen=True)
class Spelled:
    key: str
    variants: tuple[str, ...]


def _spelled(rows: Sequence[tuple[str, ...]]) -> list[Spelled]:
    return [Spelled(row[0], tuple(row)) for row in rows]


# Syrian and Iraqi towns in popularity order (Zipf rank = list position).
TOWNS = _spelled(
    [
        ("Raqqa", "Raqqah", "ar-Raqqa", "al-Raqqa"),
        ("Deir ez-Zor", "Deir al-Zour", "Dayr az-Zawr", "Deir Ezzor"),
        ("Mosul", "al-Mawsil", "Mossul"),
        ("Tabqa", "Tabqah", "al-Tabqa"),
        ("Manbij", "Menbij"),
        ("al-Bab", "Al Bab"),
        ("Jarablus", "Jerablus"),
        ("Tal Abyad", "Tel Abyad", "Tel Abiad"),
        ("Shaddadi", "al-Shadadi", "Ash Shaddadah"),
        ("Mayadin", "al-Mayadin", "Mayadeen"),
        ("Aleppo", "Halab"),
        ("Kobani", "Kobane", "Ayn al-Arab"),
        ("Tal Afar", "Tel Afar"),
        ("Sinjar", "Shingal", "Shengal"),
        ("Palmyra", "Tadmur"),
        ("Hasakah", "al-Hasakah", "Hasaka"),
        ("Abu Kamal", "al-Bukamal"),
        ("Dabiq",),
        ("Azaz", "Aazaz"),
        ("Idlib", "Idleb"),
        ("Homs",),
        ("Fallujah", "Falluja"),
        ("Ramadi", "ar-Ramadi"),
        ("Tikrit",),
        ("Hajin",),
        ("Baghuz", "Baghouz"),
        ("Qayyarah", "Qayara"),
        ("Hawija", "al-Hawija"),
        ("Ain Issa", "Ayn Issa"),
        ("Suluk",),
        ("Marea",),
        ("Baaj", "al-Baaj"),
        ("Zumar",),
        ("Hama",),
        ("Damascus",),
    ]
)
# Named in templates but not drawn as "some town": the mountain and the Yazidi camps.
OTHER_PLACES = _spelled(
    [
        ("Mount Sinjar", "Sinjar Mountain", "Mount Shingal"),
        ("Kocho", "Kojo"),
        ("Dohuk", "Duhok"),
        ("Erbil", "Arbil"),
        ("Istanbul",),
        ("Euphrates",),
    ]
)
# Turkish towns on and near the border, in popularity order.
TURKISH_TOWNS = _spelled(
    [
        ("Sanliurfa", "Urfa", "Shanliurfa"),
        ("Gaziantep", "Antep"),
        ("Kilis",),
        ("Akcakale",),
        ("Reyhanli",),
        ("Suruc",),
        ("Antakya",),
        ("Ceylanpinar",),
    ]
)
# Crossing points: (Syrian side, Turkish side). One per interview, Zipf.
CROSSINGS = [
    ("Tal Abyad", "Akcakale"),
    ("Jarablus", "Kilis"),
    ("Azaz", "Kilis"),
    ("al-Bab", "Kilis"),
    ("Idlib", "Reyhanli"),
    ("Kobani", "Suruc"),
]
# Units and institutions, written as the noun phrase a witness uses (article included).
UNITS = {
    "dawla": ("the Dawla", "Daesh", "ISIS", "the Islamic State"),
    "hisbah": ("the hisbah", "the hisba", "the Diwan al-Hisbah"),
    "amniyat": ("the Amniyat", "the Amni", "the Emni"),
    "khansaa": ("the al-Khansaa brigade", "the Khansaa", "the Khansaa brigade"),
    "cubs": ("the Cubs of the Caliphate", "the Ashbal al-Khilafa", "the Ashbal"),
    "zakat": ("the Diwan al-Zakat", "the zakat office"),
    "rikaz": ("the Diwan al-Rikaz",),
    "court": ("the sharia court", "the court"),
    "nusra": ("Jabhat al-Nusra", "al-Nusra", "the Nusra Front"),
    "fsa": ("the Free Syrian Army", "the FSA", "the Free Army"),
    "sdf": ("the SDF", "the Syrian Democratic Forces"),
    "ypg": ("the YPG",),
    "peshmerga": ("the Peshmerga",),
    "coalition": ("the coalition", "the international coalition"),
    "regime": ("the regime", "the Syrian army"),
    "iraqi_army": ("the Iraqi army",),
}
# Fictional sites (the events told there are invented even where the name is real). One of each
# kind per interview, Zipf, so the first of each list is shared by most interviews. Names were
# checked against the extractor: "the al-Furqan camp" would be read as the al-Furqan media
# outlet, "the stadium prison" or a lower-case "clock square" as no place at all.
SITES = {
    "camp": _spelled(
        [
            ("the al-Rashid camp", "the al-Rasheed camp", "the Rashid camp"),
            ("the al-Qadisiya camp", "the Qadisiya camp"),
            ("the al-Kawthar camp", "the Kawthar camp"),
            ("the al-Ansar camp", "the Ansar camp"),
            ("the Ibn Taymiyya camp",),
            ("the al-Shuhada camp", "the Shuhada camp"),
            ("the Sheikh Issa camp",),
            ("the al-Sadiq camp",),
        ]
    ),
    "prison": _spelled(
        [
            ("Point 11", "Nuqta 11", "Point Eleven"),
            ("Point 9",),
            ("Point 4",),
            ("the Tabqa prison",),
            ("the al-Mahkama prison", "the Mahkama prison"),
            ("the Sinaa prison",),
            ("the Maskana prison",),
        ]
    ),
    "square": _spelled(
        [
            ("the Clock Square", "the Clock Tower Square"),
            ("the al-Ittihad square", "the Ittihad square"),
            ("the Paradise square",),
            ("the al-Jamaa square", "the Jamaa square"),
        ]
    ),
    "roundabout": _spelled(
        [
            ("the al-Naim roundabout", "Dawar al-Naim", "the Naeem roundabout"),
            ("the al-Jisr roundabout", "Dawar al-Jisr"),
            ("the Saa roundabout", "the al-Saa roundabout"),
            ("the al-Sinaa roundabout",),
        ]
    ),
    "quarter": _spelled(
        [
            ("the al-Bustan quarter", "Hay al-Bustan", "the Bustan district"),
            ("the al-Thakana quarter", "Hay al-Thakana"),
            ("the al-Ferdous quarter", "Hay al-Ferdous"),
            ("the al-Mansour quarter", "Hay al-Mansour"),
            ("the al-Sinaa quarter",),
            ("the al-Rumaila quarter", "Hay al-Rumaila"),
        ]
    ),
}
# The town each site is in ("the airstrike on Tabqa" is an event the extractor can place).
SITE_TOWNS = {
    "the al-Rashid camp": "Tabqa", "the al-Qadisiya camp": "Raqqa", "the al-Kawthar camp": "Deir ez-Zor",
    "the al-Ansar camp": "Manbij", "the Ibn Taymiyya camp": "Mayadin", "the al-Shuhada camp": "al-Bab",
    "the Sheikh Issa camp": "Tal Afar", "the al-Sadiq camp": "Shaddadi",
    "Point 11": "Raqqa", "Point 9": "Raqqa", "Point 4": "Raqqa", "the Tabqa prison": "Tabqa",
    "the al-Mahkama prison": "Mosul", "the Sinaa prison": "Manbij", "the Maskana prison": "al-Bab",
    "the Clock Square": "Raqqa", "the al-Ittihad square": "Manbij", "the Paradise square": "Raqqa",
    "the al-Jamaa square": "al-Bab",
    "the al-Naim roundabout": "Raqqa", "the al-Jisr roundabout": "Deir ez-Zor", "the Saa roundabout": "Raqqa",
    "the al-Sinaa roundabout": "Tabqa",
    "the al-Bustan quarter": "Raqqa", "the al-Thakana quarter": "Raqqa", "the al-Ferdous quarter": "Raqqa",
    "the al-Mansour quarter": "Raqqa", "the al-Sinaa quarter": "Raqqa", "the al-Rumaila quarter": "Raqqa",
}
# Foreign contingents named as groups, in popularity order.
GROUPS = [
    "Tunisians", "Chechens", "Saudis", "Moroccans", "Egyptians", "Turks", "Uzbeks", "Belgians",
    "Germans", "French", "Libyans", "Jordanians", "Russians", "Azerbaijanis", "Dagestanis",
    "Indonesians", "Tajiks", "Kuwaitis",
]

# ============================================================================================
# Name parts for the recurring pool and for the people of one interview. All fictional.

# Male names used in kunyas, with transliteration variants. The first twelve are the common
# ones: bare kunyas are drawn from them, so "Abu Omar" really is shared by several men.
KUNYA_NAMES: list[tuple[str, ...]] = [
    ("Omar", "Umar"), ("Hamza", "Hamzah"), ("Yusuf", "Yousef", "Yusef"), ("Mohammed", "Muhammad", "Mohamed"),
    ("Ahmad", "Ahmed"), ("Khalid", "Khaled"), ("Ali",), ("Abdullah", "Abdallah"), ("Ibrahim", "Ebrahim"),
    ("Hassan", "Hasan"), ("Anas", "Enes"), ("Muadh", "Mu'az", "Muaz"),
    ("Hussein", "Husayn"), ("Saad", "Sa'ad"), ("Talha", "Talhah"), ("Zubair", "Zubayr"),
    ("Obaida", "Ubaida", "Ubaydah"), ("Huthaifa", "Hudhayfa", "Huzaifa"), ("Muthanna", "Muthana"),
    ("Qasim", "Kasim"), ("Abdulrahman", "Abd al-Rahman"), ("Ismail", "Isma'il"), ("Yahya", "Yehya"),
    ("Zakaria", "Zakariya"), ("Suhaib", "Suhayb", "Sohaib"), ("Salman", "Selman"), ("Usama", "Osama"),
    ("Musab", "Mus'ab"), ("Walid", "Waleed"), ("Tariq", "Tarek"), ("Jarrah", "Jarah"), ("Bara", "Baraa"),
    ("Dujana", "Dujanah"), ("Mansour", "Mansur"), ("Haitham", "Haytham"), ("Younis", "Yunus"),
    ("Jaber", "Jabir"), ("Ammar", "Amar"), ("Asim", "Assem"), ("Sufyan", "Sofian"), ("Rami",),
    ("Firas",), ("Jassim", "Jasim"), ("Mahmoud", "Mahmud"), ("Mustafa", "Mostafa"), ("Saif", "Sayf"),
    ("Issa", "Isa"), ("Harun", "Haroun"), ("Yaqub", "Yakub"), ("Bakr",), ("Hafs",), ("Khattab",),
    ("Qatada", "Katada"), ("Luay", "Louay"), ("Shuaib", "Shu'ayb"), ("Nuaim", "Naeem"), ("Safwan",),
    ("Thabit", "Thabet"), ("Uthman", "Othman"), ("Idris", "Idriss"), ("Hareth", "Harith"),
]
# Names for Umm-kunyas (a woman is "mother of" a son or, less often, a daughter).
UMM_NAMES: list[tuple[str, ...]] = [
    ("Khattab",), ("Hamza", "Hamzah"), ("Suhaib", "Suhayb"), ("Maryam", "Mariam"), ("Aisha", "Aysha"),
    ("Layth", "Laith"), ("Adam",), ("Abdullah", "Abdallah"), ("Safiya", "Safiyya"), ("Muhammad", "Mohammed"),
    ("Usama", "Osama"), ("Sumaya", "Sumayya"), ("Bara", "Baraa"), ("Yusuf", "Yousef"), ("Khadija",),
    ("Talha",), ("Zaid", "Zayd"), ("Hafsa", "Hafsah"), ("Ruqaya", "Ruqayya"), ("Ibrahim",),
]


@dataclass(frozen=True)
class Nisba:
    """An origin name ("al-Tunisi") with its spellings, what it tells, and the feminine form."""

    variants: tuple[str, ...]
    origin: str  # adjective for descriptions: "Tunisian"
    group: str  # plural group: "Tunisians"
    feminine: str  # "al-Tunisiya"


def _nisbas(rows: Sequence[tuple[tuple[str, ...], str, str]]) -> list[Nisba]:
    out = []
    for variants, origin, group in rows:
        base = variants[0]
        fem = base[:-1] + "iya" if base.endswith("i") else base + "iya"
        out.append(Nisba(variants, origin, group, fem))
    return out


FOREIGN_NISBAS = _nisbas(
    [
        (("al-Tunisi", "al-Tounsi", "at-Tunisi"), "Tunisian", "Tunisians"),
        (("al-Shishani", "ash-Shishani"), "Chechen", "Chechens"),
        (("al-Masri", "al-Misri"), "Egyptian", "Egyptians"),
        (("al-Libi", "al-Leebi"), "Libyan", "Libyans"),
        (("al-Maghribi", "al-Maghrebi"), "Moroccan", "Moroccans"),
        (("al-Jazrawi", "al-Jazarawi"), "Saudi", "Saudis"),
        (("al-Urduni", "al-Ordoni"), "Jordanian", "Jordanians"),
        (("al-Britani", "al-Baritani"), "British", "British"),
        (("al-Faransi", "al-Fransi"), "French", "French"),
        (("al-Almani", "al-Almaani"), "German", "Germans"),
        (("al-Belgiki", "al-Beljiki"), "Belgian", "Belgians"),
        (("al-Hollandi", "al-Holandi"), "Dutch", "Dutch"),
        (("al-Turki", "at-Turki"), "Turkish", "Turks"),
        (("al-Uzbeki", "al-Uzbaki"), "Uzbek", "Uzbeks"),
        (("al-Azeri", "al-Azari"), "Azerbaijani", "Azerbaijanis"),
        (("al-Dagestani", "ad-Daghestani"), "Dagestani", "Dagestanis"),
        (("al-Kuwaiti",), "Kuwaiti", "Kuwaitis"),
        (("al-Sudani", "as-Sudani"), "Sudanese", "Sudanese"),
        (("al-Yemeni", "al-Yamani"), "Yemeni", "Yemenis"),
        (("al-Sweidi", "al-Swedi"), "Swedish", "Swedes"),
        (("al-Amriki", "al-Amreeki"), "American", "Americans"),
        (("al-Australi",), "Australian", "Australians"),
        (("al-Kosovi",), "Kosovar", "Kosovars"),
        (("al-Tajiki",), "Tajik", "Tajiks"),
        (("al-Jazairi", "al-Jaza'iri"), "Algerian", "Algerians"),
    ]
)
REGIONAL_NISBAS = _nisbas(
    [
        (("al-Shami", "ash-Shami"), "Syrian", "Syrians"),
        (("al-Iraqi", "al-Eraqi"), "Iraqi", "Iraqis"),
        (("al-Halabi",), "Syrian", "Syrians"),
        (("al-Homsi", "al-Hemsi"), "Syrian", "Syrians"),
        (("al-Hamawi", "al-Hamwi"), "Syrian", "Syrians"),
        (("al-Raqqawi", "ar-Raqqawi"), "Syrian", "Syrians"),
        (("al-Furati",), "Syrian", "Syrians"),
        (("al-Deiri", "al-Dayri"), "Syrian", "Syrians"),
        (("al-Mosuli", "al-Mawsili", "al-Moslawi"), "Iraqi", "Iraqis"),
        (("al-Talafari", "al-Tal'afari"), "Iraqi", "Iraqis"),
        (("al-Anbari",), "Iraqi", "Iraqis"),
        (("al-Jubouri", "al-Jabouri"), "Iraqi", "Iraqis"),
        (("al-Dulaimi", "ad-Dulaymi"), "Iraqi", "Iraqis"),
        (("al-Shammari",), "Syrian", "Syrians"),
        (("al-Uqaydi", "al-Agaidi"), "Syrian", "Syrians"),
        (("al-Bukamali",), "Syrian", "Syrians"),
        (("al-Idlibi",), "Syrian", "Syrians"),
        (("al-Kurdi",), "Kurdish", "Kurds"),
        (("al-Ansari", "al-Ansary"), "Syrian", "Syrians"),
        (("al-Tabqawi",), "Syrian", "Syrians"),
        (("al-Manbiji",), "Syrian", "Syrians"),
        (("al-Hasakawi",), "Syrian", "Syrians"),
    ]
)
# Names of real, well-known people of the conflict: never generated, so no invented deed is put
# on a real person. Compared after folding (see `_fold`).
REAL_NAMES = [
    "Abu Bakr al-Baghdadi", "Abu Omar al-Baghdadi", "Abu Omar al-Shishani", "Abu Muhammad al-Adnani",
    "Abu Musab al-Zarqawi", "Abu Ibrahim al-Hashimi", "Abu Mohammed al-Julani", "Abu Hamza al-Masri",
    "Abu Ayyub al-Masri", "Abu Anas al-Libi", "Abu Yahya al-Libi", "Abu Ali al-Anbari",
    "Abu Muslim al-Turkmani", "Abu Waheeb", "Abu Sayyaf", "Umm Sayyaf", "Abu Luqman", "Abu Qatada",
    "Abu Khalid al-Suri", "Abu Musab al-Suri", "Abu Talha al-Almani", "Abu Rumaysah al-Britani",
    "Abu Hassan al-Muhajir", "Abu Abdullah al-Shami", "Abu Maria al-Qahtani", "Abu Qatada al-Filistini",
    "Abu Omar al-Kuwaiti", "Abu Hamza al-Muhajir", "Abu Ubaidah al-Jarrah", "Abu Usama al-Gharib",
    "Abu Mohammed al-Maqdisi", "Abu Suleiman al-Naser", "Abu Ibrahim al-Qurashi", "Abu Hafs al-Masri",
    "Abu Talha al-Ansari", "Abu Ubaida", "Abu Qatada al-Tunisi", "Abu Iyad al-Tunisi",
]
# Locals (one interview each): kunya names, tribe and place nisbas, first and family names.
LOCAL_KUNYA_NAMES = [
    "Jaafar", "Samir", "Nidal", "Fadi", "Rafiq", "Marwan", "Hazem", "Ghassan", "Nasser", "Wael",
    "Raed", "Ziad", "Shadi", "Adel", "Kamal", "Majed", "Bassam", "Fawzi", "Hisham", "Munir",
    "Nabil", "Qays", "Rabie", "Sami", "Tamer", "Yaser", "Zuhair", "Adnan", "Bashir", "Diyab",
    "Fahd", "Ghazi", "Hadi", "Jamil", "Karim", "Labib", "Mazen", "Naji", "Osman", "Qusai",
    "Radwan", "Sabri", "Taha", "Wissam", "Yamen", "Zaher", "Abbas", "Badr", "Daher", "Ezzat",
    "Fares", "Hilal", "Ihab", "Jalal", "Kassab", "Lutfi", "Mahdi", "Nawaf", "Riyad", "Shukri",
    "Tawfiq", "Wajdi", "Yazan", "Ayham", "Bilal", "Dawud", "Emad", "Fuad", "Hamdi", "Jihad",
    "Khidr", "Mutaz", "Nour", "Obeid", "Rashad", "Suleiman", "Thamer", "Wahid", "Zaki", "Akram",
]
TRIBE_NISBAS = [
    "al-Sabkhawi", "al-Bakkari", "al-Afadli", "al-Baggari", "al-Waldi", "al-Buraiji", "al-Maskani",
    "al-Sukhnawi", "al-Hajini", "al-Kasrawi", "al-Shuhayli", "al-Muhasani", "al-Busayri",
    "al-Subayhi", "al-Ajeeli", "al-Kharabi", "al-Thawrawi", "al-Karamawi", "al-Hamadi", "al-Salhabi",
    "al-Jurniyawi", "al-Mansurawi", "al-Ghanimi", "al-Khafsawi", "al-Dibsi", "al-Ma'adani",
    "al-Ruqaiti", "al-Zurwi", "al-Tibni", "al-Jazrawi al-Saghir", "al-Mashlabi", "al-Rumailawi",
    "al-Hamrawi", "al-Sirrini", "al-Qatani", "al-Sharqawi", "al-Gharbawi", "al-Shamali", "al-Janubi",
    "al-Naimi", "al-Ukaidi", "al-Bu Saraya", "al-Shuwaiti", "al-Kubaisi", "al-Hiti", "al-Rawi",
    "al-Anaee", "al-Qaimi", "al-Hadithi", "al-Falahi", "al-Samarrai", "al-Baijiwi", "al-Sharqati",
    "al-Hamdani", "al-Zumari", "al-Rabiawi", "al-Ba'aji", "al-Tuwaimi", "al-Khatuni", "al-Hajjari",
    "al-Marrawi", "al-Suluki", "al-Issawi", "al-Ayyashi", "al-Kanaani", "al-Sayyadi", "al-Bulaili",
    "al-Qusayri", "al-Dahhami", "al-Mahmoudi",
]
MALE_FIRST = [
    "Ahmad", "Mahmoud", "Khaled", "Mustafa", "Hussein", "Ali", "Abdelkarim", "Saleh", "Yasser",
    "Fadi", "Rami", "Samer", "Walid", "Imad", "Nizar", "Jamal", "Munir", "Ziad", "Raed", "Tareq",
    "Hani", "Anwar", "Fawaz", "Adnan", "Majid", "Nabil", "Qusay", "Sami", "Shadi", "Yahya",
    "Abdulrahman", "Abdelaziz", "Obeid", "Mohannad", "Firas", "Ghassan", "Hazem", "Basel", "Wael",
    "Marwan", "Omar", "Hamoudi", "Jihad", "Kinan", "Louai", "Maher", "Nawras", "Qais", "Rabih",
    "Saddam", "Tamim", "Wissam", "Yaman", "Zaher", "Abdo", "Bakri", "Dirar", "Elias", "Fouad",
    "Ghaith", "Hamid", "Iyad", "Jawad", "Karam", "Luqman", "Mazen", "Nour", "Osman", "Rashid",
    "Sufian", "Taha", "Usama", "Wajih", "Yazan", "Zuhair", "Ayham", "Bashir", "Dawood", "Haidar",
]
FEMALE_FIRST = [
    "Fatima", "Amal", "Huda", "Maryam", "Zainab", "Aisha", "Khadija", "Noor", "Rania", "Samira",
    "Salma", "Hanan", "Rasha", "Dalal", "Ghada", "Najwa", "Reem", "Sawsan", "Widad", "Amina",
    "Basma", "Hiba", "Iman", "Lina", "Mona", "Nisreen", "Rawan", "Suha", "Yasmin", "Jihan",
    "Vian", "Nazdar", "Gulistan", "Hadiya", "Khalida", "Bushra", "Adiba", "Zeri", "Perwin", "Delal",
    "Evin", "Berivan", "Sozan", "Asma", "Duaa", "Fadwa", "Halima", "Inas", "Jamila", "Kawthar",
]
FAMILY_NAMES = [
    "Hamdan", "Darwish", "Khalil", "Saleh", "Othman", "Mansour", "Nasser", "Hamadi", "Abboud",
    "Jasim", "Shaaban", "Qassab", "Hallaq", "Najjar", "Khatib", "Aswad", "Zaidan", "Suleiman",
    "Yassin", "Barakat", "Sabbagh", "Tahan", "Shehadeh", "Haj Ali", "Mousa", "Ibrahim", "Hammoud",
    "Kanaan", "Obeidi", "Jaber", "Rahhal", "Saeed", "Farhan", "Ghanem", "Hilali", "Jumaa", "Khodr",
    "Mashhour", "Nabhan", "Qaddour", "Rifai", "Sawwan", "Tlass", "Zeino", "Akkad", "Bitar", "Dabbagh",
    "Fakhouri", "Haddad", "Jundi", "Kayyali", "Masri", "Nahhas", "Qudsi", "Shami", "Tawil", "Yunes",
    "Zoubi", "Alloush", "Bakkour", "Dandashi", "Hariri", "Issa", "Jazzar", "Kurdi", "Laham",
    "Mardini", "Nuaimi", "Rayes", "Sharaa", "Turk", "Wardeh", "Yazji", "Zayat", "Aboud", "Bakr",
]
# Pseudonyms the interviewees chose. Kept apart from every kunya name above so that no
# interviewee is confused with a person the interviews name.
PSEUDONYM_KUNYA_NAMES = [
    "Layla", "Maryam", "Aisha", "Nour", "Sara", "Jana", "Rahaf", "Lujain", "Hala", "Tala", "Yara",
    "Jude", "Karam", "Majd", "Rayan", "Salah", "Ward", "Fajr", "Sham", "Bayan", "Diya", "Ghayth",
    "Hadi", "Iyas", "Kinan", "Malik", "Nizar", "Qusay", "Ruwaid", "Shams", "Tamim", "Wadah", "Zain",
    "Adil", "Baha", "Daoud", "Ezz", "Fadel", "Hikmat", "Imran", "Jalil", "Kamil", "Luai", "Munzir",
    "Nasr", "Rabih", "Said", "Tayseer", "Wahb", "Yazid", "Zuhdi", "Amjad", "Bahaa", "Hamid",
]
WESTERN_FIRST_MALE = ["Jonas", "Lucas", "Kevin", "Thomas", "Julien", "Dominic", "Florian", "Mehdi", "Yassin", "Ilias", "Soufiane", "Anouar", "Tarik", "Reda", "Nabil", "Hamid", "Samy", "Adam"]
WESTERN_FIRST_FEMALE = ["Sarah", "Laura", "Emma", "Lisa", "Ines", "Amira", "Nadia", "Sofia", "Leila", "Jasmin", "Hafsa", "Chaima", "Yasmina", "Clara", "Julia", "Salma"]
INTERVIEWERS = [
    "M. Aydin", "K. Brennan", "L. Haddad", "S. Okafor", "R. Lindqvist", "A. Demir", "J. Moreau",
    "T. Nakamura", "H. Rahimi", "E. Kowalski", "D. Varga", "N. Petrov", "C. Oyelaran", "P. Marchetti",
]

# ============================================================================================
# The recurring pool


@dataclass(frozen=True)
class Figure:
    """A recurring fictional person: one man or woman, several spellings of the name."""

    role: str  # pool role: "smuggler", "camp_emir", ...
    spellings: tuple[str, ...]  # full name variants, canonical first
    short: str  # the bare kunya ("Abu Omar")
    origin: str  # "Tunisian"
    group: str  # "Tunisians"
    base: str  # canonical key of the place where he or she is active

    @property
    def name(self) -> str:
        return self.spellings[0]


# Pool roles: (count, nisba pool, share of bare kunyas, where they are based).
_POOL_ROLES: dict[str, tuple[int, str, float, str]] = {
    "camp_emir": (18, "foreign", 0.05, "town"),
    "sharia_trainer": (20, "mixed", 0.3, "town"),
    "mil_trainer": (15, "foreign", 0.15, "town"),
    "amni": (25, "regional", 0.1, "town"),
    "hisbah_emir": (22, "regional", 0.25, "town"),
    "qadi": (14, "mixed", 0.05, "town"),
    "wali": (10, "regional", 0.0, "town"),
    "khansaa": (20, "mixed", 0.35, "town"),
    "smuggler": (34, "regional", 0.45, "turkey"),
    "foreign": (51, "foreign", 0.0, "town"),
    "sniper": (12, "mixed", 0.1, "town"),
    "buyer": (20, "mixed", 0.1, "town"),
    "oil_emir": (12, "mixed", 0.1, "town"),
    "recruiter": (15, "foreign", 0.0, "town"),
    "guard": (12, "regional", 0.2, "town"),
}
# Fixed anchors at the top of their roles, as in the sample corpus: the Tunisian camp emir, the
# two different Abu Omars (a trainer and a smuggler), Umm Khattab, Abu Yusuf of the Amniyat.
_ANCHORS: list[tuple[str, tuple[str, ...], str, str, str]] = [
    ("camp_emir", ("Abu Hamza al-Tunisi", "Abu Hamzah al-Tounsi", "Abu Hamza al-Tounsi"), "Tunisian", "Tunisians", "Tabqa"),
    ("sharia_trainer", ("Abu Omar",), "Egyptian", "Egyptians", "Tabqa"),
    ("smuggler", ("Abu Omar",), "Syrian", "Syrians", "Sanliurfa"),
    ("khansaa", ("Umm Khattab",), "Iraqi", "Iraqis", "Raqqa"),
    ("amni", ("Abu Yusuf al-Shami", "Abu Yousef al-Shami", "Abu Yusuf ash-Shami"), "Syrian", "Syrians", "Raqqa"),
    ("wali", ("Abu Muadh al-Furati", "Abu Mu'az al-Furati"), "Syrian", "Syrians", "Raqqa"),
]


def _fold(name: str) -> str:
    """Loose comparison key for real-name screening and uniqueness: case, articles, -h, quotes."""
    name = name.casefold().replace("'", "").replace("-", " ")
    words = [w for w in name.split() if w not in {"al", "el", "as", "ash", "at", "ad", "ar"}]
    out = []
    for w in words:
        w = {"umar": "omar", "muhammad": "mohammed", "mohamed": "mohammed", "ahmed": "ahmad"}.get(w, w)
        w = re.sub(r"(.)\1+", r"\1", w.replace("ou", "u").replace("ee", "i"))
        out.append(w[:-1] if len(w) > 3 and w.endswith("h") else w)
    return " ".join(out)


_REAL = {_fold(n) for n in REAL_NAMES}


def _spellings(head: str, name: tuple[str, ...], nisba: tuple[str, ...] | None, rng: random.Random) -> tuple[str, ...]:
    """Canonical full name first, then up to three other spellings of it."""
    combos = [f"{head} {n}" + (f" {s}" if nisba else "") for n in name for s in (nisba or ("",))]
    canonical, others = combos[0], combos[1:]
    rng.shuffle(others)
    return (canonical, *others[:3])


def build_pool(seed: int) -> dict[str, list[Figure]]:
    """The recurring people, per role, in popularity order (index 0 is the most named)."""
    rng = random.Random(seed * 7919 + 1)
    taken_full: set[str] = {_fold(n) for n in REAL_NAMES}
    pool: dict[str, list[Figure]] = {role: [] for role in _POOL_ROLES}
    bare_taken: dict[str, set[str]] = {role: set() for role in _POOL_ROLES}
    for role, spellings, origin, group, base in _ANCHORS:
        pool[role].append(Figure(role, spellings, " ".join(spellings[0].split()[:2]), origin, group, base))
        taken_full.add(_fold(spellings[0]))
        bare_taken[role].add(_fold(" ".join(spellings[0].split()[:2])))
    for role, (count, nisba_pool, bare_share, base_kind) in _POOL_ROLES.items():
        nisbas = {"foreign": FOREIGN_NISBAS, "regional": REGIONAL_NISBAS}.get(nisba_pool, FOREIGN_NISBAS + REGIONAL_NISBAS)
        female = role == "khansaa"
        names = UMM_NAMES if female else KUNYA_NAMES
        head = "Umm" if female else "Abu"
        while len(pool[role]) < count:
            bare = rng.random() < bare_share
            # Bare kunyas come from the common names, so the same "Abu Omar" turns up in
            # several roles: different men an analyst must keep apart.
            name = rng.choice(names[:12] if bare else names)
            nisba = None if bare else rng.choice(nisbas)
            short = f"{head} {name[0]}"
            if bare:
                if _fold(short) in bare_taken[role] or _fold(short) in _REAL:
                    continue
                bare_taken[role].add(_fold(short))
                spellings = _spellings(head, name, None, rng)
            else:
                assert nisba is not None
                nv = (nisba.feminine,) if female else nisba.variants
                spellings = _spellings(head, name, nv, rng)
                if _fold(spellings[0]) in taken_full or _fold(short) in _REAL:
                    continue
                taken_full.add(_fold(spellings[0]))
            if base_kind == "turkey":
                base = TURKISH_TOWNS[_zipf_index(rng, len(TURKISH_TOWNS))].key
            else:
                base = TOWNS[_zipf_index(rng, 16)].key
            origin = nisba.origin if nisba else rng.choice(["Syrian", "Iraqi", "Syrian", "Egyptian", "Saudi"])
            group = nisba.group if nisba else origin + "s"
            pool[role].append(Figure(role, spellings, short, origin, group, base))
    return pool


def _zipf_index(rng: random.Random, n: int, s: float = 1.1) -> int:
    return rng.choices(range(n), weights=zipf_weights(n, s))[0]


# ============================================================================================
# Templates
#
# A template is "TAGS|text" or "text". TAGS restrict it: lower-case letters are perspectives
# (m = local member, r = foreign member/returnee, y = Yazidi captive, p = former prisoner,
# c = civilian witness, f = family member), F/M the interviewee's gender. A text starting with
# "~" is a claim: it is wrapped in a first-hand, hearsay or hedged frame ("People said that ...",
# "I think ..."), which gives corroboration the same fact told three ways.
#
# Slots: {pl:KEY} a named place in this interview's spelling; {town} a Zipf-drawn Syrian/Iraqi
# town; {tr} a Turkish town ({tr2}: not the crossing point); {u:KEY} a unit; {site:KIND} this
# interview's camp, prison, square, roundabout or quarter ({site:KIND:town}: the town it is in); {p:ROLE} / {p:ROLE:origin|a_origin|group|base} a recurring person;
# {rel} / {rel:RELATION} a relative of the interviewee; {lemir} a local emir; {neighbour};
# {n:LO-HI} a round number; {usd:LO-HI} a sum; {month} {year} {season} {grp} {nat}
# {sinjar_date} {home} {self_town} {cross_sy} {cross_tr} {he} {his} {him} {lang}.

THEMES: dict[str, dict[str, list[str]]] = {
    "background": {
        "q": [
            "Where are you from, and how old are you?",
            "Can you tell me about your life before the war?",
            "mcpf|What did you do before {u:dawla} came to your area?",
            "Tell me about your family.",
            "Where did you grow up?",
        ],
        "s": [
            "mcpf|I am from {self_town}, I grew up there. My father had a small shop for vegetables near the market.",
            "mcpf|I was born in {self_town}, in a big family, seven brothers and sisters.",
            "mp|Before the war I was a student in {pl:Aleppo}, I studied two years of engineering.",
            "mcp|When the revolution started in 2011 I was in {self_town}, and I went to the demonstrations like everybody.",
            "y|I am from a village near {pl:Sinjar}, south of the mountain. We were farmers, we had sheep and some land.",
            "y|In our village there were maybe {n:200-900} families, all Ezidis. The Arab villages were near us and we were friends with them.",
            "y|We are Yazidis. We went to the weddings of our Arab neighbours and they came to ours.",
            "f|I have {n:3-7} children. {rel:son} was the oldest, he was the clever one in school.",
            "mM|I worked with my uncle in a shop for mobile phones in {pl:Raqqa}.",
            "r|I grew up in {home}, in a normal family. My father worked in a factory and my mother stayed at home.",
            "r|At school I was not religious at all. I played football and I went out with my friends.",
            "rM|I had problems with the police when I was young, small things, and I did not finish school.",
            "rF|I married very young. My husband was from {home} too, and he was the one who talked about Syria first.",
            "p|I was a teacher in {self_town} before the Dawla came. I taught Arabic in a primary school.",
            "c|I worked as a driver, I had a taxi, and I knew every road between {self_town} and {town}.",
            "cF|I was a nurse in the national hospital in {self_town} for eleven years.",
            "mcp|Our area was mixed, Arabs and some Kurds, and before the war nobody asked who is what.",
            "m|The Sunnis in our area were angry at the regime and at the army, and many young men had nothing to do.",
            "fF|My husband died before the war, so I raised the children alone, with the help of my brother.",
            "c|I had a small farm near {town}, wheat and cotton, and a few cows.",
        ],
    },
    "recruitment": {
        "q": [
            "mr|How did you come to join?",
            "How did they recruit people in your area?",
            "Why did young men join, in your opinion?",
            "mr|When did you give bay'ah?",
            "mr|Who recruited you?",
            "f|How did your son come to join them?",
            "cp|Did they try to recruit you?",
        ],
        "s": [
            "m|The young men of {u:dawla} came to our shop every day to charge their phones, and one of them talked to me for weeks.",
            "m|I gave bay'ah in a mosque in {pl:Raqqa} in {month} {year}, and {lemir} took the bay'ah from us.",
            "m|They promised a salary of {usd:50-200} a month and a house when I marry. For me it was also the money, I will be honest.",
            "m|{rel:cousin} joined before me, and he said {u:dawla} was the only ones who fight for the Sunnis.",
            "r|I found them on the internet. First it was videos, then a brother talked to me every night on Telegram.",
            "r|The recruiter was {p:recruiter}, he spoke {lang} very well and he said he was in {pl:Raqqa}.",
            "r|He sent me money for the ticket to {pl:Istanbul} and the number of a man in {tr}.",
            "r|{p:recruiter} told me that in the Caliphate I would have a house and a wife, and that my sins would be forgiven.",
            "~the recruiters of {u:dawla} were paying {usd:100-500} for every young man they brought from {town}",
            "~{p:recruiter} was recruiting young men from Europe on the internet, he was the one who brought the {p:recruiter:group}",
            "~{u:cubs} took boys of twelve and thirteen from the schools of {town}",
            "f|{rel:son} started going to a mosque where a sheikh from {u:dawla} gave lessons every evening.",
            "f|One day {rel:son} did not come home. Later a man called us and said he is in {site:camp}.",
            "f|I went to the emir of the area, {lemir}, and I begged him to give me back my son. He said your son is a man now.",
            "c|They opened a dawa tent in the square of {self_town}, with films and sweets for the children.",
            "~many young men joined because there was no work and {u:dawla} had money",
            "mc|At first {u:nusra} and {u:fsa} were in {town}, everybody together, and then in {year} {u:dawla} pushed everybody out.",
            "m|I joined before the fall of {pl:Mosul}, in the spring of 2014, with men from my tribe. It was revenge, and it was belief, both.",
            "m|Everybody was joining. If you did not join, you were suspected, and your family had problems.",
            "p|They wanted me to join, they came three times to my house. I said I am a teacher, I am not a fighter.",
            "~the sheikh in the mosque of {site:quarter} was recruiting boys for {u:dawla}, and he was paid for each one",
            "rM|My friends from the mosque went first. When the first one was killed, they called him a martyr and I was jealous.",
        ],
    },
    "travel": {
        "q": [
            "r|How did you travel to Syria?",
            "r|Which way did you go in?",
            "Who helped you cross the border?",
        ],
        "s": [
            "r|I flew to {pl:Istanbul} with a return ticket, so it looked like a holiday.",
            "r|From {pl:Istanbul} I took a bus to {tr}, and a man waited for me at the bus station.",
            "r|We stayed two nights in a flat in {tr} with other foreigners, {grp} and two from {home}.",
            "r|Then a car took us close to the border, and we walked across the fields to {pl:Tal Abyad}.",
            "~in 2014 the Turkish soldiers did not stop anybody, the border near {pl:Akcakale} was open",
            "r|On the other side {u:amniyat} took our passports and our phones, and they asked many questions.",
            "r|We went to a madafa in {pl:Raqqa}, a guest house, and waited for weeks for the course.",
            "~the muhajirin came through {tr} and {pl:Tal Abyad}, every week a new group of {grp}",
            "r|{p:smuggler} arranged the crossing, people said he had men on both sides.",
        ],
    },
    "training": {
        "q": [
            "What was the training like?",
            "mr|Which camp were you sent to?",
            "Who ran the camp?",
            "Who were the trainers?",
            "What did they teach in the sharia course?",
            "mr|What happened after the course?",
        ],
        "s": [
            "mrM|They sent us in a bus to {site:camp}, near {pl:Tabqa}, in the old farms.",
            "~the emir of {site:camp} was {p:camp_emir}, {p:camp_emir:a_origin} man with a big beard",
            "mrM|First there was the sharia course, three weeks, no weapons, only lessons with {p:sharia_trainer}.",
            "~{p:sharia_trainer} was the sharia trainer, he taught that {u:fsa} are apostates and that the Yazidis are devil worshippers",
            "mrM|Then the military course: Kalashnikov, PK, how to move in a town, how to throw a grenade. The trainer was {p:mil_trainer}.",
            "mrM|In my course there were maybe {n:60-300} men, many of them {grp}.",
            "~{p:mil_trainer} hit the trainees with a stick when they were slow",
            "mrM|We ran every morning before the fajr prayer, and the food was bad, rice and lentils.",
            "~the boys of {u:cubs} had their own part of {site:camp}, and {p:mil_trainer} trained them",
            "mrM|After the course they asked who wants to be inghimasi. Some of the foreigners raised their hands.",
            "mrM|I was chosen for the sniper course because I was good at shooting, and {p:sniper} trained us for two weeks.",
            "cfp|{rel:nephew} was in {u:cubs}. He told me they made the boys watch videos of executions every day.",
            "~the trainers were mostly {grp}, and one was {nat_a} who did not speak Arabic",
            "mrM|{p:camp_emir} did not talk much to us, he talked to the trainers. When he came, everybody stood up.",
            "~{p:sharia_trainer} was Egyptian, or maybe Saudi, he had that accent",
            "mrM|After the training they sent me to the front near {pl:Kobani} against {u:ypg}, in the autumn of 2014.",
            "~the battle of {pl:Kobani} killed hundreds of the foreigners, they were sent in waves",
            "mrM|I was a guard at the back, I did not go to the front line. The inghimasi went and did not come back.",
        ],
    },
    "life_inside": {
        "q": [
            "What was daily life like under their rule?",
            "How did they run the city?",
            "How were the locals treated compared with the foreigners?",
            "mrc|What did you do every day?",
            "Who governed the area?",
        ],
        "s": [
            "~in {pl:Raqqa} {u:dawla} controlled everything, the bread, the fuel, the schools",
            "cfpy|The prices went up every month, and the electricity came only two hours a day.",
            "mr|The muhajirin got more money than us and better houses. We, the ansar, were like servants.",
            "~the foreigners lived in the villas of {site:quarter}, the houses of people who fled",
            "cf|The schools were closed, then they opened them again with their own books, and I kept my children at home.",
            "cfp|We could not leave {self_town} without a paper from {u:dawla}, a permission with a stamp.",
            "~{u:zakat} took a part of the harvest and of the sheep from every farmer in {town}",
            "mM|I was at a checkpoint on the road between {town} and {town}. We checked phones, cigarettes, the clothes of the women.",
            "cfp|At night we listened to the radio in secret, with the volume very low.",
            "~the wali of {p:wali:base}, {p:wali}, moved between the houses with a convoy of black cars",
            "~{u:court} was in the old building of the governorate, and the qadi there was {p:qadi}",
            "cf|There was no medicine. My mother was sick, and in the hospital of {town} the doctors were gone.",
            "r|The house we got in {pl:Raqqa} was the house of a Christian family who left. Nobody asked us.",
            "~{p:wali} was the wali of {p:wali:base}, and the emirs were afraid of him",
            "mr|Every week there was a new rule. No smoking, no music, no shaving, then no satellite dishes.",
            "~{p:qadi} was the qadi of {u:court} in {town}, he was {p:qadi:origin} and very young",
            "cfp|{neighbour} had a satellite dish on the roof, and they took him for a week.",
            "~the emirs had the cars and the women, and the fighters died at the front",
            "cF|I worked as a nurse in the hospital in {pl:Raqqa}. The foreign doctors had their own rooms and their own food.",
            "c|I sold fuel on the road to {town}, in plastic bottles, that was the only work.",
            "mr|The Dabiq magazine said the final battle would be at {pl:Dabiq}, and many of the brothers believed it.",
            "~after the fall of {pl:Mosul} in June 2014, {u:dawla} brought Humvees and weapons to {pl:Raqqa}",
        ],
    },
    "hisbah": {
        "q": [
            "What did the hisbah do?",
            "cfp|Did you have problems with the religious police?",
            "Who was in charge of the hisbah in your area?",
            "What were the punishments for small things, like smoking?",
        ],
        "s": [
            "~{u:hisbah} patrolled the market every day and checked the shops at prayer time",
            "~{p:hisbah_emir} was the emir of {u:hisbah} office in {site:quarter}",
            "cfpM|They caught {rel:brother} with cigarettes and took him to {u:hisbah}. They gave him {n:20-40} lashes and a fine.",
            "~{u:hisbah} closed a shop for three days if the owner did not go to the mosque",
            "~the men of {u:hisbah} took money from the shop owners, and {p:hisbah_emir} more than anybody",
            "cf|A man from {u:hisbah} stopped my sister because her eyes were visible. They fined my father {usd:20-100}.",
            "~the women of {u:khansaa} checked the women in the market, and {p:khansaa} was their emira",
            "mM|I worked for {u:hisbah} for {n:2-9} months. I did patrols in the market and I wrote the fines.",
            "~{u:hisbah} burned boxes of cigarettes in {site:square} every Friday",
            "~the wali printed a list of fines, {usd:20-50} for smoking and more for music",
            "cfp|The hisbah men were young, seventeen, eighteen, and they had power over old men.",
            "~{p:hisbah_emir} was {p:hisbah_emir:origin}, and before the war he was a thief",
            "p|The first time, {u:hisbah} arrested me because my trousers were too long. That was the beginning.",
            "cM|They shaved my head in the street because I had a western haircut, in front of my children.",
        ],
    },
    "women": {
        "q": [
            "What was life like for women?",
            "What did the al-Khansaa brigade do?",
            "Were there foreign women in the city?",
            "F|How were widows treated?",
        ],
        "s": [
            "~{u:khansaa} was the women's police in {pl:Raqqa}, and the emira was {p:khansaa}",
            "~{p:khansaa} was {p:khansaa:origin}, the wife of a commander from {p:khansaa:base}",
            "cfM|My wife could not go to the market alone, she needed a mahram, me or her brother.",
            "rF|When my husband was killed near {town}, they put me in the madafa for widows. After three months they said I must marry again.",
            "F|The niqab was black and thick, with gloves, and you could not see the road when you walked.",
            "~the foreign women in {pl:Raqqa} were the most strict, they reported other women to {u:khansaa}",
            "F|I heard of a woman who was bitten with an iron tool by the women of {u:khansaa} because she breastfed in the street.",
            "~women who came from Europe were married after a few weeks, some of them to men they never saw",
            "mr|The emirs had two, three wives. {p:camp_emir} had a wife from {home_or_town}, people said.",
            "F|In the madafa there were women from everywhere, {grp}, and many children.",
            "fF|My daughter married {nat_a} fighter. I did not agree, but my son said it is an order.",
            "c|The women of {u:khansaa} came with guns, and they hit my sister with a stick because her abaya was thin.",
            "rF|My husband was {p:foreign}'s friend, they were in the same battalion.",
            "~{p:khansaa} trained the women of {u:khansaa} to use weapons in {site:quarter}",
        ],
    },
    "slavery": {
        "q": [
            "y|What happened when they came to your village?",
            "y|Where did they take you?",
            "What happened to the women they captured?",
            "mrcfp|Did you see the Yazidi women?",
            "How did the system for the captives work?",
            "How many people were taken, in your estimate?",
        ],
        "s": [
            "y|On the {sinjar_date} {u:dawla} came to our village. We ran towards {pl:Mount Sinjar}, but they stopped us on the road.",
            "y|They separated the men from the women. They took the men behind the school, and we heard the shooting.",
            "y|They took us first to {pl:Tal Afar}, then to {pl:Mosul}, to a big hall full of women and children.",
            "y|There were maybe {n:200-5000} women and girls in that place, I heard the guards say the number.",
            "y|{p:buyer}, {p:buyer:a_origin} man, bought me and took me to {pl:Raqqa}.",
            "y|He sold me after two months to another man in {town}, for {usd:1000-8000}.",
            "y|In the house there was a list on the wall with the names of the girls and the prices.",
            "y|My family paid a smuggler, {p:smuggler}, and his men took me out through {town} and {tr}.",
            "~{u:dawla} took {n:1000-7000} Yazidi women and children from {pl:Sinjar}",
            "~the sabaya market was in a house near {site:square}, and the prices were written on a paper",
            "~{p:qadi} gave a lesson in the mosque that it is halal to take sabaya",
            "mrM|I saw the Yazidi girls in a house in {pl:Raqqa}, the brothers came to choose. I did not take one, I swear.",
            "cf|In our street there was a house of {nat_a} fighter who kept two Yazidi girls. We heard them crying at night.",
            "~the taking of {pl:Sinjar} was on the {sinjar_date}",
            "y|We are Ezidis, we are not devil worshippers like they said.",
            "y|They made us learn the Quran and pray. If we made a mistake, {p:buyer} beat us.",
            "y|They took my little brother to {u:cubs}. I do not know where he is now.",
            "m|At the taking of {pl:Sinjar} I was at the trucks, I put women and children in the trucks. That is my sin.",
            "~{p:buyer} kept {n:2-5} Yazidi girls in his house in {p:buyer:base}",
            "y|I was in the camp near {pl:Dohuk} for two years after that, in a tent, with my mother.",
            "~the Ezidi women were sold in {pl:Mosul}, {pl:Raqqa} and {pl:Manbij}, and the foreigners paid more",
        ],
    },
    "foreign_fighters": {
        "q": [
            "Were there many foreign fighters?",
            "Where did the foreigners come from?",
            "mrc|Did you know any of the foreign fighters?",
            "mr|What happened to the foreign fighters you knew?",
        ],
        "s": [
            "~most of the foreign fighters in {pl:Raqqa} were {grp}, and they had their own battalions",
            "~{p:foreign} led a group of {p:foreign:group} near {p:foreign:base}",
            "mr|The foreigners went as inghimasi, they went to the front and did not come back.",
            "~the Chechens were the best fighters, everybody was afraid of them",
            "r|In my group there were {n:4-20} {grp}, and a few from {home}.",
            "~{p:foreign} was killed near {town} in {year}",
            "~{p:foreign} went back to his country with a new name",
            "~{p:sniper} was the best sniper on the front at {town}, and he was {p:sniper:origin}",
            "cfp|The foreigners did not speak Arabic. They shouted at us in the market and we did not understand.",
            "mr|{p:foreign} was with me in the course. He was {p:foreign:origin}, very young, maybe nineteen.",
            "~the muhajirin were treated like princes, they got cars and the best houses",
            "~{p:foreign} filmed the videos for the media office, he was the one with the camera",
            "cf|The Tunisians in our street were the worst, they took the house of {neighbour}.",
        ],
    },
    "financing": {
        "q": [
            "How did they make money?",
            "What do you know about the oil?",
            "Did they take taxes?",
            "Where did the oil go?",
        ],
        "s": [
            "~the oil from the fields near {pl:Deir ez-Zor} went in trucks to the traders, hundreds of trucks every day",
            "~{u:rikaz} ran the oil, and {p:oil_emir} was the emir of the field",
            "cM|I drove a truck of diesel from {pl:Shaddadi} to {town}, and at every checkpoint {u:dawla} took {usd:20-100}.",
            "~{u:zakat} took money from the shops in {town} every month",
            "~the smugglers took the diesel across to Turkey near {pl:Jarablus}, and they paid {u:dawla} for each barrel",
            "~the antiquities from {pl:Palmyra} were sold through {tr}",
            "mrM|My salary was {usd:50-200}, and more for each wife and child.",
            "~the houses and the cars of the people who fled were taken by {u:dawla}, they called it property of the apostates",
            "c|The trader paid at the field and {u:dawla} gave him a receipt with a stamp.",
            "~{p:oil_emir} was {p:oil_emir:origin}, very young, and he knew nothing about oil",
            "mM|At the checkpoint on the road to {pl:Shaddadi} the emir took money from each driver, and we did not see any of that money.",
            "~money went missing from the oil of {pl:Mayadin}, and {p:amni} came from {pl:Raqqa} to investigate",
            "c|A barrel was maybe twenty, thirty dollars at the field. In {tr} it was three times more.",
            "~the ransoms for the Yazidi women were a business, {usd:5000-10000} for one woman",
        ],
    },
    "brutality": {
        "q": [
            "Did you see punishments in public?",
            "Did you witness an execution?",
            "What happened at the roundabout?",
            "Tell me about the flogging you mentioned.",
            "How did people react to the executions?",
        ],
        "s": [
            "cfmp|I saw a flogging in {site:square:town}, in {site:square}, after the Friday prayer. A man selling cigarettes, {n:40-80} lashes with a cable.",
            "~they executed {n:2-6} men at {site:roundabout}, and the bodies stayed there for three days",
            "~there was an execution in {site:roundabout:town} at {site:roundabout}, {n:2-6} men, and the bodies stayed there for three days",
            "~they did a beheading in {town}, a soldier of the regime, and they filmed it",
            "cfp|There was a stoning in {town}. {u:court} said the woman was an adulteress, and they made the people watch.",
            "~the heads were put on the railings of {site:roundabout}",
            "mr|They made us watch an execution in {town}, to make us strong, they said.",
            "~{p:amni} read the judgement of {u:court} before the execution at {site:roundabout}",
            "cf|My children saw the bodies on the way to school. After that my son did not speak for a week.",
            "~they threw a man from a building in {town}, they said he was gay",
            "~they stoned a woman in {town}, and {u:court} said she was an adulteress",
            "~a boy from {self_town} was executed because they found a SIM card from Turkey on him, they said he was a spy",
            "cfp|{rel:brother} counted the lashes, he said {n:40-80}, and the man fell down after thirty.",
            "~the flogging in {site:square:town} was on a Thursday, after the noon prayer, in {site:square}",
            "~two men were flogged in {site:square} after the asr prayer, for alcohol and not praying, maybe {n:30-80} lashes each",
            "mr|I saw the picture of the body at {site:roundabout} on the phone of one of the brothers. After that I could not sleep.",
            "~after the fall of {pl:Palmyra} they executed soldiers of the regime in the old theatre",
            "cfp|People stood and watched, nobody said anything. If you turn your face away, the hisbah asks why.",
            "~the executioner at {site:roundabout} was {p:guard}, he wore a mask but everybody knew his voice",
        ],
    },
    "prisons": {
        "q": [
            "p|Were you ever arrested?",
            "Tell me about the prison.",
            "Where was the prison?",
            "How were the prisoners treated?",
            "p|Who interrogated you?",
        ],
        "s": [
            "p|{u:amniyat} arrested me at a checkpoint in {town} and took me to {site:prison}.",
            "p|{site:prison} was under a government building near the stadium, many rooms under the ground.",
            "p|The interrogator was {p:amni}, he wanted the names of the people in {u:fsa}.",
            "p|They hung me from my hands for hours and beat me with a cable. I still have the marks.",
            "p|In my cell there were {n:20-60} men, Kurds, FSA fighters, men who smoked, a doctor.",
            "~{site:prison} was in the stadium, everybody knew that",
            "~{site:prison} was not in the stadium, it was near it, people confuse the two",
            "~the guards of {site:prison} took prisoners at night to {site:roundabout}, and they did not come back",
            "~prisoners escaped from {site:prison} in {site:prison:town} when an airstrike broke the wall in {month} {year}",
            "cf|They held {rel} for {n:2-40} days in {site:prison}. When he came back he had no fingernails.",
            "mr|Everyone was afraid of {u:amniyat}. If they know you are thinking of leaving, you are dead.",
            "p|{p:guard} was the guard of our corridor. He took the food for himself and gave us bread and water.",
            "~{p:amni} of {u:amniyat} ran {site:prison}, he had an accent from Damascus",
            "p|The wali {p:wali} came once to the prison, I think that was him, the guards stood very straight.",
            "p|They said I was a spy for the regime because I had the number of {rel:cousin} in Turkey on my phone.",
            "~{p:amni} told the prisoners, we send the liars to {site:prison}",
        ],
    },
    "airstrikes": {
        "q": [
            "Were there airstrikes where you were?",
            "mr|What happened in the airstrike on the camp?",
            "Who was killed in the airstrike?",
            "How did people live with the bombing?",
        ],
        "s": [
            "mrcfp|~the airstrike on {site:camp:town} hit {site:camp} in {month} {year}, at night, and about {n:10-60} people were killed",
            "mrM|I was sleeping in the big hall when the plane hit the building of the trainers. I carried the bodies in the morning.",
            "mrcfp|~{p:camp_emir} was not in {site:camp} on the night of the airstrike, somebody told him before",
            "mrcfp|~{p:camp_emir} was wounded in the airstrike on {site:camp}",
            "cfpy|The planes came every night over {town}. We did not know if they were Russian, American or the regime.",
            "cfp|There was an airstrike on {town} that hit the market, {n:5-40} civilians died, and {neighbour} was among them.",
            "~{u:coalition} hit the oil trucks near {pl:Deir ez-Zor}, the drivers burned in their cabins",
            "cfp|During the battle of {pl:Raqqa} in 2017 we stayed in the basement for weeks.",
            "mrcfp|~the airstrike killed {n:10-40} boys of {u:cubs} in {site:camp}",
            "y|When the planes came, the man who held me ran to the basement and left us upstairs.",
            "mr|After the airstrike they moved the camp into houses in {pl:Tabqa}, and we never slept in one place twice.",
            "mrcfp|~the airstrike on {site:camp:town} was in the winter, it was raining, and {n:10-30} were killed in {site:camp}",
        ],
    },
    "defection": {
        "q": [
            "mr|When did you decide to leave?",
            "How did you leave?",
            "How did you get out?",
            "Did you have any problem crossing?",
            "ypc|Who helped you to escape?",
            "How much did you pay?",
        ],
        "s": [
            "mM|I told my emir that my mother was sick in {town}, and I went there and did not come back.",
            "~the smuggler {p:smuggler} lives in {p:smuggler:base}, and he has men on the Syrian side",
            "We crossed at night through the fields near {cross_sy} and walked to {cross_tr}.",
            "I paid {usd:300-2000} to the smuggler, and {rel} sent the money to his man in {tr}.",
            "The Turkish soldiers were shooting in the air, we lay on the ground for an hour and then we ran.",
            "~{u:sdf} took {pl:Tal Abyad} in 2015, and after that the smugglers used the road through {pl:Jarablus}",
            "r|I surrendered to {u:sdf} near {town}, and they held me in a camp for months before I was sent back.",
            "~{u:amniyat} executed {n:2-10} men who tried to escape to {tr}",
            "My brother paid {p:smuggler} later, when I was already in {tr}.",
            "cfp|We left {self_town} in a car with false papers. At the checkpoint of {u:dawla} I said we go to the hospital in {town}.",
            "p|I escaped from {site:prison} when an airstrike broke the wall. I ran to the house of {rel}.",
            "y|My uncle found {p:smuggler} through a man in {tr}, and the family paid {usd:5000-10000}.",
            "mr|When they executed a boy from my village I started to think, what are we doing? We are killing Muslims.",
            "In {cross_tr} a car took us to {tr2}. That was in {month} {year}.",
            "~{p:smuggler} took the people across for {usd:300-1000}, and more for a whole family",
            "mM|If {u:amniyat} find videos on your phone at a checkpoint, they ask why. I deleted everything before I crossed.",
        ],
    },
    "mental_health": {
        "q": [
            "How is your life now?",
            "How do you sleep?",
            "Do you get any help?",
            "How do you feel when you think about that time?",
        ],
        "s": [
            "I have nightmares, almost every night. I wake up and I do not know where I am.",
            "I am afraid all the time. There are people from {u:dawla} here in {tr}, they know faces.",
            "I moved apartment {n:2-5} times since I came.",
            "I do not sleep without pills. The doctor in {tr} said it is trauma.",
            "y|I still do not know where my brothers are. My mother cries every day.",
            "f|I think about my son every day. Sometimes I think I should have locked the door.",
            "mrM|I feel guilty. I did not shoot anyone, but I was there, and that is my sin.",
            "Sometimes I think I should not talk to anybody. But I want people to know.",
            "I do not work. I sit at home and I think about what happened.",
            "cfp|My children are afraid when they hear a plane, even here.",
            "y|There is an organisation in {pl:Dohuk} that helps us, they talk to us every week.",
            "r|I am waiting for my trial. My lawyer says I will go to prison, and maybe I deserve it.",
        ],
    },
    "closing": {
        "q": [
            "mrf|What would you say to a young man who is thinking of joining?",
            "Is there anything else you want to say?",
            "What do you want people to know?",
        ],
        "s": [
            "mr|My message is: don't join. They will tell you about jihad, but inside it is about money and power.",
            "y|I want the world to know what happened to the Ezidis. Bring back the women who are still missing.",
            "f|To the mothers I say: watch your sons, watch who they talk to in the mosque and on the phone.",
            "cp|I want a trial for {p:amni} and for the men of {u:amniyat}. They must answer for what they did.",
            "Thank you for listening to me. This is what I saw, and what I heard I have told you as hearsay.",
            "mrf|Do not go. Stay with your mother.",
            "yp|I hope one day I can go back to {self_town}, but not while these people are free.",
            "c|I want the children to go back to school. A whole generation did not learn anything.",
        ],
    },
}
# Sentences that fit any theme, for variety.
FILLERS = [
    "It is difficult to talk about this.",
    "I will tell you what I saw, not what I heard.",
    "I swear, this is the truth.",
    "I don't remember the exact day.",
    "You have to understand how it was at that time.",
    "Everybody was afraid, nobody trusted anybody.",
    "I am sorry, give me a moment.",
    "Some things I have forgotten, and some I cannot forget.",
    "This is what I remember.",
    "I can only speak for myself.",
]
# Follow-up questions that fit any theme.
FOLLOW_UPS = [
    "Did you see this yourself, or did somebody tell you?",
    "What happened after that?",
    "Can you tell me more about that?",
    "When was this, do you remember?",
    "How many people were there?",
    "How do you know that?",
    "Who else was there?",
    "Are you sure about the name?",
]
# Frames for claims, per mode. "{c}" is the claim as a clause, "{C}" capitalised.
FRAMES = {
    "first": [
        "{C}.",
        "{C}.",
        "{C}.",
        "{C}. I saw it myself.",
        "I know that {c}.",
        "With my own eyes I saw that {c}.",
        "mrcp|{C}, I was there.",
    ],
    "hearsay": [
        "People said that {c}.",
        "{rel} told me that {c}.",
        "mr|I heard from the brothers that {c}.",
        "Everybody in {self_town} was saying that {c}.",
        "I did not see it, but I heard that {c}.",
        "They told us that {c}.",
        "{neighbour} told me that {c}.",
    ],
    "hedged": [
        "I think {c}.",
        "Maybe {c}, I am not sure.",
        "{C}, I think.",
        "I am not sure, but I believe {c}.",
        "If I remember well, {c}.",
        "{C}, but maybe I am wrong.",
    ],
}
# First-hand / hearsay / hedged shares per perspective.
MODE_WEIGHTS = {
    "m": (0.55, 0.25, 0.2), "r": (0.5, 0.3, 0.2), "y": (0.5, 0.3, 0.2),
    "p": (0.45, 0.35, 0.2), "c": (0.4, 0.35, 0.25), "f": (0.2, 0.55, 0.25),
}
# Which middle themes each perspective talks about, with weights; "must" themes always come.
THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "m": {"recruitment": 3, "training": 3, "life_inside": 2, "hisbah": 1.5, "foreign_fighters": 2, "financing": 1.2,
          "brutality": 2, "prisons": 1, "airstrikes": 2, "women": 0.8, "slavery": 1.2},
    "r": {"recruitment": 3, "travel": 3, "training": 2.5, "life_inside": 2, "foreign_fighters": 3, "women": 2,
          "airstrikes": 1.5, "brutality": 1.5, "slavery": 1, "hisbah": 1},
    "y": {"slavery": 5, "women": 2, "brutality": 1.5, "airstrikes": 1, "life_inside": 1, "foreign_fighters": 1},
    "p": {"prisons": 5, "brutality": 2, "life_inside": 1.5, "hisbah": 1.5, "airstrikes": 1.5, "recruitment": 0.5,
          "financing": 0.5},
    "c": {"life_inside": 3, "hisbah": 2.5, "brutality": 2, "financing": 2, "airstrikes": 2, "women": 1.5,
          "foreign_fighters": 1.5, "slavery": 1, "prisons": 1},
    "f": {"recruitment": 3, "life_inside": 2, "hisbah": 1.5, "women": 2, "brutality": 1.5, "foreign_fighters": 1,
          "airstrikes": 1, "slavery": 0.8},
}
MUST_THEMES = {"y": ["slavery"], "p": ["prisons"], "r": ["recruitment", "travel"], "f": ["recruitment"]}
# Narrative order of the middle themes (what comes first in a life story).
THEME_ORDER = ["recruitment", "travel", "training", "life_inside", "hisbah", "women", "slavery", "foreign_fighters",
               "financing", "brutality", "prisons", "airstrikes"]
# A captive's story starts with the capture, a prisoner's with the arrest.
THEME_ORDER_FIRST = {"y": ["slavery", "women"], "p": ["hisbah", "prisons"]}
INTERPRETER_LINES = [
    'The word {he} uses is "dawra", the course.',
    "{He} asks for a short break. We are pausing.",
    "{He} means the other {p:smuggler}, not the one from before.",
    '{He} says "the brothers", {he} means the fighters.',
    "{He} is not sure of the spelling of the name; {he} says it like {p:camp_emir}.",
    "{He} asks whether {his} voice will be changed in the recording. I told {him} yes.",
    '{He} used the word "ghanima", spoils of war.',
    "{He} says the place is in {site:quarter}, near the old bakery.",
    "{He} is crying. We stopped for some minutes.",
    "{He} says {he} does not want to say the name of {his} village.",
]


@dataclass(frozen=True)
class Template:
    tags: str  # perspective letters and F/M, "" = any
    text: str
    claim: bool

    def fits(self, perspective: str, gender: str) -> bool:
        persp = [t for t in self.tags if t.islower()]
        if persp and perspective not in persp:
            return False
        if "F" in self.tags and gender != "female":
            return False
        if "M" in self.tags and gender != "male":
            return False
        return True


def _parse(raw: str) -> Template:
    tags, sep, text = raw.partition("|")
    if not sep:
        tags, text = "", raw
    claim = text.startswith("~")
    return Template(tags, text[1:] if claim else text, claim)


FRAMES_PARSED = {mode: [_parse(f) for f in frames] for mode, frames in FRAMES.items()}
PARSED = {
    theme: {"q": [_parse(q) for q in parts["q"]], "s": [_parse(s) for s in parts["s"]]}
    for theme, parts in THEMES.items()
}

# ============================================================================================
# Interviewees


@dataclass
class Profile:
    """Who is speaking: drives the themes, the templates that fit and the front matter."""

    iid: str
    pseudonym: str
    gender: str
    nationality: str
    status: str
    perspective: str  # m r y p c f, see the template notes
    role: str
    age: int
    date: tuple[int, int, int]
    place: str  # "Gaziantep, Turkey"
    place_town: str  # canonical key of the town, for the spoken intro
    language: str
    interviewer: str
    medium: str
    interpreter: bool
    timestamps: str  # "", "all", "some"
    home: str  # home city of a foreigner, else ""
    self_town: str  # canonical key of the interviewee's home town


_FOREIGN = {
    # nationality: (home cities, language, nisba origin used for recruiters)
    "Belgian": (("Brussels", "Antwerp", "Molenbeek", "Vilvoorde"), "French", "Belgian"),
    "French": (("Paris", "Lyon", "Toulouse", "Nice", "Lunel"), "French", "French"),
    "British": (("London", "Birmingham", "Manchester", "Portsmouth"), "English", "British"),
    "German": (("Berlin", "Hamburg", "Dinslaken", "Bonn"), "German", "German"),
    "Dutch": (("Amsterdam", "The Hague", "Delft"), "Dutch", "Dutch"),
    "Swedish": (("Gothenburg", "Malmo", "Stockholm"), "Swedish", "Swedish"),
    "Tunisian": (("Tunis", "Ben Gardane", "Bizerte", "Sousse"), "Arabic", "Tunisian"),
    "Moroccan": (("Casablanca", "Tangier", "Fes", "Tetouan"), "Arabic", "Moroccan"),
    "Turkish": (("Istanbul", "Ankara", "Adiyaman", "Konya"), "Turkish", "Turkish"),
}
_INTERVIEW_PLACES_TR = [("Sanliurfa", "Turkey"), ("Gaziantep", "Turkey"), ("Kilis", "Turkey"), ("Istanbul", "Turkey"),
                        ("Reyhanli", "Turkey"), ("Akcakale", "Turkey"), ("Antakya", "Turkey"), ("Suruc", "Turkey")]
_INTERVIEW_PLACES_IQ = [("Erbil", "Iraq"), ("Dohuk", "Iraq"), ("Sulaymaniyah", "Iraq"), ("Zakho", "Iraq")]
_ROLES = {
    "m": {"male": ["fighter at a checkpoint near {town}", "guard at a training camp near Tabqa", "hisbah member in {town}",
                   "driver for the Diwan al-Zakat", "sniper on the {town} front", "medic in a field hospital in {town}",
                   "fighter in a battalion from the Tal Afar area"],
          "female": ["member of the al-Khansaa brigade in {town}", "nurse in a hospital in {town}", "teacher in a school for girls in {town}"]},
    "r": {"male": ["foreign fighter", "foreign fighter and media worker", "foreign fighter, later a guard in {town}"],
          "female": ["wife of a foreign fighter", "nurse, wife of a foreign fighter", "widow of a foreign fighter"]},
    "y": {"female": ["Yazidi survivor of captivity in {town} and Raqqa", "Yazidi survivor, held in Mosul and {town}"]},
    "p": {"male": ["former prisoner held by the Amniyat", "teacher, former prisoner of the Amniyat",
                   "former FSA fighter held in an IS prison"]},
    "c": {"male": ["shopkeeper in {town}", "oil-field technician near {town}", "taxi driver from {town}", "farmer near {town}",
                   "smuggler on the Turkish border", "doctor in {town}"],
          "female": ["nurse in {town}", "teacher in {town}", "seamstress in {town}"]},
    "f": {"male": ["father of a fighter", "brother of a fighter killed near {town}"],
          "female": ["mother of a fighter", "mother of a boy taken into the Cubs of the Caliphate", "sister of a fighter"]},
}


class _Names:
    """Collection-wide registry so pseudonyms and one-interview names stay unique."""

    def __init__(self, pool: dict[str, list[Figure]]) -> None:
        self.used: set[str] = set()
        for figures in pool.values():
            for f in figures:
                self.used.add(_fold(f.short))
                self.used.update(_fold(s) for s in f.spellings)

    def claim(self, name: str) -> bool:
        key = _fold(name)
        if key in self.used or key in _REAL:
            return False
        self.used.add(key)
        return True


def _pseudonym(rng: random.Random, names: _Names, gender: str, nationality: str) -> str:
    """A pseudonym never used before in this collection, in one of the styles interviewees choose."""
    female = gender == "female"
    firsts = FEMALE_FIRST if female else MALE_FIRST
    european = nationality not in ("Syrian", "Iraqi", "Tunisian", "Moroccan", "Turkish")
    if european:
        firsts = WESTERN_FIRST_FEMALE if female else WESTERN_FIRST_MALE
    for attempt in range(10_000):
        style = rng.random()
        if attempt > 200:  # the short styles are used up: name plus initial has room for all
            style = 0.9
        if style < 0.45 and not european:
            name = f"{'Umm' if female else 'Abu'} {rng.choice(PSEUDONYM_KUNYA_NAMES)}"
        elif style < 0.75:
            name = rng.choice(firsts)
        else:
            name = f"{rng.choice(firsts)} {rng.choice('ABDFGHJKLMNRSTZ')}."
        if names.claim(name):
            return name
    raise RuntimeError("no pseudonym left")


def _profile(index: int, rng: random.Random, names: _Names) -> Profile:
    status = rng.choices(["defector", "returnee", "survivor", "witness", "family member"], [35, 15, 20, 20, 10])[0]
    home, interpreter_p = "", 0.55
    if status == "defector":
        nationality = rng.choices(["Syrian", "Iraqi", "Tunisian", "Turkish", "Moroccan"], [55, 30, 6, 5, 4])[0]
        perspective = "m" if nationality in ("Syrian", "Iraqi") else "r"
        gender = "male" if rng.random() < 0.85 else "female"
    elif status == "returnee":
        nationality = rng.choice(["Belgian", "French", "British", "German", "Dutch", "Swedish", "Tunisian", "Moroccan", "Turkish"])
        perspective, gender = "r", ("male" if rng.random() < 0.6 else "female")
    elif status == "survivor":
        if rng.random() < 0.65:
            nationality, perspective, gender = "Iraqi", "y", "female"
        else:
            nationality, perspective, gender = "Syrian", "p", "male"
    elif status == "witness":
        nationality = rng.choices(["Syrian", "Iraqi"], [75, 25])[0]
        perspective, gender = "c", ("male" if rng.random() < 0.7 else "female")
    else:
        nationality = rng.choices(["Syrian", "Iraqi"], [80, 20])[0]
        perspective, gender = "f", ("female" if rng.random() < 0.7 else "male")
    if perspective == "r" and nationality in _FOREIGN:
        home = rng.choice(_FOREIGN[nationality][0])
    language = {
        "Syrian": "Arabic, translated into English", "Iraqi": "Arabic (Iraqi dialect), translated into English",
        "Tunisian": "Arabic, translated into English", "Moroccan": "Arabic and French, translated into English",
        "Belgian": "French, translated into English", "French": "French, translated into English",
        "British": "English", "German": "German, translated into English", "Dutch": "Dutch, translated into English",
        "Swedish": "English", "Turkish": "Turkish, translated into English",
    }[nationality]
    if perspective == "y":
        language = "Kurmanji, translated into English"
    if language == "English":
        interpreter_p = 0.0
    ages = {"m": (18, 45), "r": (19, 40), "y": (14, 50), "p": (20, 60), "c": (20, 65), "f": (40, 70)}[perspective]
    places = _INTERVIEW_PLACES_IQ if perspective == "y" or (nationality == "Iraqi" and rng.random() < 0.6) else _INTERVIEW_PLACES_TR
    if perspective == "r" and rng.random() < 0.3:
        places = _INTERVIEW_PLACES_IQ
    town, country = places[_zipf_index(rng, len(places), 0.8)]
    self_town = (rng.choice(["Sinjar", "Tal Afar", "Mosul", "Baaj", "Zumar"]) if nationality == "Iraqi"
                 else TOWNS[_zipf_index(rng, 20, 0.9)].key)
    if perspective == "y":
        self_town = "Sinjar"
    elif perspective == "r":  # a foreigner's "town" is where he or she lived inside
        self_town = rng.choice(["Raqqa", "Raqqa", "Tabqa", "Mosul", "Deir ez-Zor", "Manbij", "al-Bab"])
    role_choices = _ROLES[perspective].get(gender) or next(iter(_ROLES[perspective].values()))
    role = rng.choice(role_choices).replace("{town}", TOWNS[_zipf_index(rng, 16)].key)
    year = rng.randint(2015, 2020)
    stamps = rng.choices(["", "all", "some"], [50, 35, 15])[0]
    return Profile(
        iid=f"syn-{index + 1:04d}",
        pseudonym=_pseudonym(rng, names, gender, nationality),
        gender=gender,
        nationality=nationality,
        status=status,
        perspective=perspective,
        role=role,
        age=rng.randint(*ages),
        date=(year, rng.randint(1, 12), rng.randint(1, 28)),
        place=f"{town}, {country}",
        place_town=town,
        language=language,
        interviewer=rng.choice(INTERVIEWERS),
        medium=rng.choice(["video", "audio", "audio", "video"]),
        interpreter=rng.random() < interpreter_p,
        timestamps=stamps,
        home=home,
        self_town=self_town,
    )


# ============================================================================================
# One interview


# A lower-case letter opening a sentence inside a template ("... school. my son ...").
_SENTENCE_START = re.compile(r"(?<=[.!?] )[a-z]")
_SLOT = re.compile(r"\{(\w+)(?::([^}:]+))?(?::(\w+))?\}")
_ALL_PLACES: dict[str, Spelled] = {p.key: p for p in (*TOWNS, *OTHER_PLACES, *TURKISH_TOWNS)}
_RELATIONS_MALE = ["brother", "cousin", "uncle", "nephew", "brother-in-law", "friend"]
_RELATIONS_FEMALE = ["sister", "aunt"]
_FEMALE_RELATIONS = {"sister", "aunt", "wife", "mother", "daughter"}


@dataclass
class _Local:
    first_mention: str
    later: str
    used: int = 0


@dataclass
class _Writer:
    """Renders the templates of one interview, keeping its spellings and cast consistent."""

    profile: Profile
    rng: random.Random
    pool: dict[str, list[Figure]]
    names: _Names
    spelling: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    figure_seen: set[str] = field(default_factory=set)
    sites: dict[str, Spelled] = field(default_factory=dict)
    locals_by_kind: dict[str, list[_Local]] = field(default_factory=dict)
    n_locals: int = 0
    local_target: int = 10
    crossing: tuple[str, str] = ("Tal Abyad", "Akcakale")

    # -- spellings ---------------------------------------------------------------------------

    def spell(self, thing: Spelled) -> str:
        """One transcriber per interview: a preferred spelling, with some inconsistency."""
        if len(thing.variants) == 1:
            return thing.variants[0]
        chosen = self.spelling.get(thing.key)
        if chosen is None:
            chosen = thing.variants[0] if self.rng.random() < 0.5 else self.rng.choice(thing.variants[1:])
            self.spelling[thing.key] = chosen
        if self.rng.random() < 0.12:
            return self.rng.choice(thing.variants)
        return chosen

    def place(self, key: str) -> str:
        return self.spell(_ALL_PLACES[key])

    def unit(self, key: str) -> str:
        return self.spell(Spelled(f"unit:{key}", UNITS[key]))

    def site(self, kind: str) -> str:
        if kind not in self.sites:
            options = SITES[kind]
            self.sites[kind] = options[_zipf_index(self.rng, len(options), 1.3)]
        return self.spell(self.sites[kind])

    # -- people ------------------------------------------------------------------------------

    def figure(self, role: str) -> Figure:
        fig = self.figures.get(role)
        # Foreign fighters are many: an interview may name several.
        if fig is None or (role == "foreign" and self.rng.random() < 0.3):
            candidates = self.pool[role]
            if role == "recruiter" and self.profile.perspective == "r":
                wanted = _FOREIGN.get(self.profile.nationality, ((), "", ""))[2]
                matching = [f for f in candidates if f.origin == wanted]
                candidates = matching or candidates
            fig = candidates[_zipf_index(self.rng, len(candidates), 1.15)]
            self.figures[role] = fig
        return fig

    def figure_name(self, fig: Figure) -> str:
        key = f"fig:{fig.role}:{fig.name}"
        full = self.spell(Spelled(key, fig.spellings))
        if key in self.figure_seen and fig.short != fig.name and self.rng.random() < 0.35:
            return fig.short  # later mentions often drop the nisba
        self.figure_seen.add(key)
        if fig.role == "qadi" and self.rng.random() < 0.3:
            return f"Sheikh {full}"
        return full

    def _new_local(self, kind: str, relation: str) -> _Local:
        rng = self.rng
        for _ in range(200):
            if kind == "emir":
                name = f"Abu {rng.choice(LOCAL_KUNYA_NAMES)} {rng.choice(TRIBE_NISBAS)}"
                if self.names.claim(name):
                    return _Local(name, name.rsplit(" ", 1)[0] if rng.random() < 0.3 else name)
            elif kind == "neighbour":
                if rng.random() < 0.5:
                    name = f"Abu {rng.choice(LOCAL_KUNYA_NAMES)}"  # bare: may recur, as real ones do
                    return _Local(f"our neighbour {name}", name)
                name = f"{rng.choice(MALE_FIRST)} {rng.choice(FAMILY_NAMES)}"
                if self.names.claim(name):
                    return _Local(f"our neighbour {name}", name)
            else:
                firsts = FEMALE_FIRST if relation in _FEMALE_RELATIONS else MALE_FIRST
                first = rng.choice(firsts)
                if rng.random() < 0.35:
                    return _Local(f"my {relation} {first}", f"my {relation} {first}")
                name = f"{first} {rng.choice(FAMILY_NAMES)}"
                if self.names.claim(name):
                    return _Local(f"my {relation} {name}", f"my {relation} {first}")
        first = rng.choice(MALE_FIRST)
        return _Local(f"my {relation} {first}", f"my {relation} {first}")

    def local(self, kind: str, relation: str = "") -> str:
        """A person of this interview only; new ones until the interview's cast is full."""
        bucket_key = f"{kind}:{relation}"
        bucket = self.locals_by_kind.setdefault(bucket_key, [])
        create = not bucket or (self.n_locals < self.local_target and self.rng.random() < 0.6)
        if relation == "son" and bucket:
            create = False  # one son per story
        if create:
            person = self._new_local(kind, relation)
            bucket.append(person)
            self.n_locals += 1
        else:
            person = self.rng.choice(bucket)
        person.used += 1
        return person.first_mention if person.used == 1 else person.later

    def relative(self, relation: str | None) -> str:
        if relation is None:
            relations = _RELATIONS_MALE + _RELATIONS_FEMALE
            relation = relations[_zipf_index(self.rng, len(relations), 0.7)]
        return self.local("relative", relation)

    # -- slots -------------------------------------------------------------------------------

    def number(self, spec: str) -> str:
        lo, hi = (int(x) for x in spec.split("-"))
        value = round_nicely(self.rng.randint(lo, hi))
        return str(value) if self.rng.random() < 0.15 and value >= 20 else number_words(value)

    def money(self, spec: str) -> str:
        lo, hi = (int(x) for x in spec.split("-"))
        value = round_nicely(self.rng.randint(lo, hi))
        style = self.rng.random()
        if style < 0.4:
            return f"${value:,}"
        if style < 0.7:
            return f"{value:,} dollars"
        return f"{number_words(value)} dollars"

    def year(self) -> int:
        return self.rng.randint(2014, max(2014, min(2017, self.profile.date[0] - 1)))

    def fill(self, m: re.Match[str]) -> str:
        kind, arg, attr = m.group(1), m.group(2), m.group(3)
        rng, prof = self.rng, self.profile
        if kind == "pl":
            return self.place(arg)
        if kind == "town":
            return self.spell(TOWNS[_zipf_index(rng, len(TOWNS), 1.0)])
        if kind == "self_town":
            return self.place(prof.self_town)
        if kind == "tr":
            return self.spell(TURKISH_TOWNS[_zipf_index(rng, len(TURKISH_TOWNS), 1.0)])
        if kind == "tr2":  # a Turkish town that is not the crossing point
            options = [t for t in TURKISH_TOWNS if t.key != self.crossing[1]]
            return self.spell(options[_zipf_index(rng, len(options), 1.0)])
        if kind == "cross_sy":
            return self.place(self.crossing[0])
        if kind == "cross_tr":
            return self.place(self.crossing[1])
        if kind == "u":
            return self.unit(arg)
        if kind == "site":
            name = self.site(arg)
            return self.place(SITE_TOWNS[self.sites[arg].key]) if attr == "town" else name
        if kind == "p":
            fig = self.figure(arg)
            if attr == "origin":
                return fig.origin
            if attr == "a_origin":
                return article(fig.origin)
            if attr == "group":
                return fig.group
            if attr == "base":
                return self.place(fig.base)
            return self.figure_name(fig)
        if kind == "rel":
            return self.relative(arg)
        if kind == "lemir":
            return self.local("emir")
        if kind == "neighbour":
            return self.local("neighbour")
        if kind == "n":
            return self.number(arg)
        if kind == "usd":
            return self.money(arg)
        if kind == "month":
            return rng.choice(MONTHS)
        if kind == "year":
            return str(self.year())
        if kind == "season":
            return f"the {rng.choice(['winter', 'spring', 'summer', 'autumn'])} of {self.year()}"
        if kind == "grp":
            return GROUPS[_zipf_index(rng, len(GROUPS), 1.0)]
        if kind in ("nat", "nat_a"):
            nat = rng.choice(["Tunisian", "Chechen", "Saudi", "Moroccan", "Egyptian", "Belgian", "German", "French", "Uzbek"])
            return article(nat) if kind == "nat_a" else nat
        if kind == "sinjar_date":
            day = "third" if rng.random() < 0.7 else "fourth"
            return f"{day} of August" + (", 2014" if rng.random() < 0.5 else "")
        if kind == "home":
            return prof.home or rng.choice(["Brussels", "Paris", "London", "Berlin"])
        if kind == "home_or_town":
            return prof.home or self.place(rng.choice(["Mosul", "Raqqa", "Aleppo", "Tal Afar"]))
        if kind == "lang":
            return _FOREIGN.get(prof.nationality, ((), "Arabic", ""))[1]
        if kind in ("he", "He", "his", "him"):
            female = prof.gender == "female"
            word = {"he": "she" if female else "he", "his": "her" if female else "his", "him": "her" if female else "him"}
            out = word[kind.lower()]
            return capitalise(out) if kind[0].isupper() else out
        raise KeyError(f"unknown slot {m.group(0)}")

    def render(self, text: str) -> str:
        return _SLOT.sub(self.fill, text)

    def sentence(self, tpl: Template) -> str:
        return _SENTENCE_START.sub(lambda m: m.group(0).upper(), self._sentence(tpl))

    def _sentence(self, tpl: Template) -> str:
        if not tpl.claim:
            return capitalise(self.render(tpl.text))
        mode = self.rng.choices(["first", "hearsay", "hedged"], MODE_WEIGHTS[self.profile.perspective])[0]
        # The frame's own slots (who told me) are filled first, then the claim goes in.
        frames = [f for f in FRAMES_PARSED[mode] if f.fits(self.profile.perspective, self.profile.gender)]
        frame = _SLOT.sub(lambda m: m.group(0) if m.group(1) in ("c", "C") else self.fill(m), self.rng.choice(frames).text)
        clause = self.render(tpl.text)
        return capitalise(frame.replace("{C}", capitalise(clause)).replace("{c}", clause))


class _Picker:
    """Templates of a theme in a shuffled order: `fresh` until all are used, then `any`."""

    def __init__(self, items: list[Template], rng: random.Random) -> None:
        self.items = items
        self.rng = rng
        self.queue = list(items)
        rng.shuffle(self.queue)

    def fresh(self) -> Template | None:
        return self.queue.pop() if self.queue else None

    def any(self) -> Template | None:
        return self.rng.choice(self.items) if self.items else None

    def next(self) -> Template | None:
        return self.fresh() or self.any()


def _plan(profile: Profile, rng: random.Random, n_pairs: int) -> list[str]:
    """The theme of every question/answer pair, in the order of a life story."""
    weights = THEME_WEIGHTS[profile.perspective]
    must = [t for t in MUST_THEMES.get(profile.perspective, []) if t in weights]
    optional = [t for t in weights if t not in must]
    if profile.gender == "female" and "training" in optional:
        optional.remove("training")  # the camps in these stories train men and boys
    # A theme carries three or four pairs before its sentences run out, so longer interviews
    # cover more themes rather than repeating themselves.
    wanted = max(2, round((n_pairs - 9) / 3.5 * rng.uniform(0.85, 1.15)))
    k = min(len(optional), max(0, wanted - len(must)))
    chosen: list[str] = list(must)
    while len(chosen) < len(must) + k:
        pick = rng.choices(optional, [weights[t] for t in optional])[0]
        optional.remove(pick)
        chosen.append(pick)
    order = THEME_ORDER_FIRST.get(profile.perspective, []) + THEME_ORDER
    middle = [t for t in dict.fromkeys(order) if t in chosen]
    themes = ["background", *middle, "defection", "mental_health", "closing"]
    slots = n_pairs - 1  # the first pair is the introduction
    if slots < len(themes):  # very short interviews: keep the start and the end of the story
        themes = themes[: max(0, slots - 1)] + ["closing"]
    counts = {t: 1 for t in themes}
    caps = {t: 5 for t in middle} | {"background": 3, "defection": 4, "mental_health": 3, "closing": 1}
    weight = {t: 3.0 for t in middle} | {"background": 1.0, "defection": 1.8, "mental_health": 0.8, "closing": 0.0}
    for _ in range(max(0, slots - len(themes))):
        open_ = [t for t in themes if counts[t] < caps[t] and weight[t] > 0]
        if not open_:  # everything is full: the middle themes take more
            for t in middle or themes:
                caps[t] += 1
            open_ = middle or themes
        counts[rng.choices(open_, [weight[t] or 1.0 for t in open_])[0]] += 1
    return [t for t in themes for _ in range(counts[t])]


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"[{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}]"


def _front_matter(profile: Profile, title: str) -> str:
    year, month, day = profile.date
    fields: list[tuple[str, object]] = [
        ("interview_id", profile.iid),
        ("title", title),
        ("interviewee", profile.pseudonym),
        ("gender", profile.gender),
        ("nationality", profile.nationality),
        ("status", profile.status),
        ("role", profile.role),
        ("age", profile.age),
        ("date", f"{year:04d}-{month:02d}-{day:02d}"),
        ("place", profile.place),
        ("language", profile.language),
        ("interviewer", profile.interviewer),
        ("medium", profile.medium),
        ("interviewer_names", "Q"),
        ("third_party_names", "Interpreter" if profile.interpreter else ""),
        ("note", FICTION_NOTE),
    ]
    lines = ["---"]
    for key, value in fields:
        if isinstance(value, int) or key in ("interview_id", "date"):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value)}")  # a JSON string is a valid YAML scalar
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def write_interview(profile: Profile, rng: random.Random, pool: dict[str, list[Figure]], names: _Names,
                    words: int) -> str:
    """The whole Markdown file of one interview."""
    w = _Writer(profile, rng, pool, names)
    w.local_target = rng.randint(5, 15)
    w.crossing = CROSSINGS[_zipf_index(rng, len(CROSSINGS), 1.0)]
    target = round(words * rng.uniform(0.9, 1.04))  # answers overshoot their budgets a little
    n_pairs = max(3, round(rng.randint(30, 45) * words / 2000))
    plan = _plan(profile, rng, n_pairs)
    fits = {t: [x for x in PARSED[t]["s"] if x.fits(profile.perspective, profile.gender)] for t in PARSED}
    pickers = {t: _Picker(fits[t], rng) for t in PARSED}
    qpickers = {t: _Picker([x for x in PARSED[t]["q"] if x.fits(profile.perspective, profile.gender)], rng) for t in PARSED}
    fillers = _Picker([_parse(f) for f in FILLERS], rng)
    interp_lines = _Picker([_parse(x) for x in INTERPRETER_LINES], rng)

    middle = [t for t in dict.fromkeys(plan) if t not in ("background", "defection", "mental_health", "closing")]

    in_answer: set[str] = set()  # membership only, never iterated

    def pick(theme: str) -> Template:
        """An unused sentence of the theme; once they run out, a filler or an unused sentence
        of another theme of this story, and only then a repeat (real answers wander too)."""
        tpl = None
        if not in_answer.isdisjoint(FILLERS) or rng.random() > 0.08:  # one filler an answer at most
            tpl = pickers[theme].fresh()
        elif (filler := fillers.fresh()) is not None:
            tpl = filler
        for other in middle:
            tpl = tpl or pickers[other].fresh()
        if in_answer.isdisjoint(FILLERS):
            tpl = tpl or fillers.fresh()
        for _ in range(5):  # a repeat, but not one already in this answer
            if tpl is not None and tpl.text not in in_answer:
                break
            tpl = pickers[theme].any() or fillers.any()
        assert tpl is not None
        in_answer.add(tpl.text)
        return tpl

    year, month, day = profile.date
    spoken_date = f"the {_ORDINALS[day]} of {MONTHS[month - 1]} {year}"
    place_spoken = profile.place_town if profile.place_town not in _ALL_PLACES else w.place(profile.place_town)
    turns: list[tuple[str, str]] = [
        ("Q", f"This is a FICTIONAL interview from the synthetic benchmark corpus of testimony-graph; it is not "
              f"real testimony. It is {spoken_date}, we are in {place_spoken}. You asked to be called "
              f"{profile.pseudonym}. Is that right?"),
        ("A", f"Yes, {profile.pseudonym}. It is not my real name, I prefer it like this."),
    ]
    used = sum(word_count(t) for _, t in turns)
    pairs = len(plan)
    interpreter_turns = 0
    previous_theme = ""
    for i, theme in enumerate(plan):
        follow_up_ok = theme not in ("background", "mental_health", "closing")
        q_tpl = None
        if not (follow_up_ok and theme == previous_theme and rng.random() < 0.45):
            q_tpl = qpickers[theme].fresh()
            if q_tpl is None and not follow_up_ok:
                q_tpl = qpickers[theme].any()
        question = capitalise(w.render(q_tpl.text)) if q_tpl is not None else rng.choice(FOLLOW_UPS)
        previous_theme = theme
        left = pairs - i
        q_words = word_count(question)
        budget = (target - used - q_words - 10 * (left - 1)) / left
        if left > 1:
            budget *= rng.uniform(0.6, 1.4)
        sentences: list[str] = []
        in_answer.clear()
        a_words = 0
        while not sentences or a_words < budget - 6:
            tpl = pick(theme)
            s = w.sentence(tpl)
            sentences.append(s)
            a_words += word_count(s)
        turns.append(("Q", question))
        turns.append(("A", " ".join(sentences)))
        used += q_words + a_words
        if profile.interpreter and interpreter_turns < 5 and rng.random() < 0.12 and left > 1:
            tpl = interp_lines.next()
            assert tpl is not None
            line = capitalise(w.render(tpl.text))
            turns.append(("Interpreter", line))
            used += word_count(line)
            interpreter_turns += 1

    # Speech runs at about 2.3 words a second, plus pauses between turns.
    title_role = profile.role.split(",")[0]
    title = f"{profile.pseudonym}, {profile.status}, {title_role} (FICTIONAL)"
    out = [_front_matter(profile, title)]
    clock = rng.uniform(1, 5)
    for speaker, text in turns:
        stamp = ""
        if speaker != "A" and profile.timestamps and (profile.timestamps == "all" or rng.random() < 0.5):
            stamp = _clock(clock) + " "
        out.append(f"{stamp}{speaker}: {text}\n\n")
        clock += word_count(text) / 2.3 + rng.uniform(1, 6)
    return "".join(out).rstrip("\n") + "\n"


# ============================================================================================
# The collection


def generate(out_dir: Path, n: int = 1000, seed: int = DEFAULT_SEED, words: int = 2000) -> list[Path]:
    """Write n FICTIONAL interviews into out_dir; return their paths in id order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pool = build_pool(seed)
    names = _Names(pool)
    profile_rng = random.Random(seed * 7919 + 2)  # sequential: pseudonyms must be unique
    paths: list[Path] = []
    for i in range(n):
        profile = _profile(i, profile_rng, names)
        # Each interview's text has its own stream, so changing one template's slots does not
        # reshuffle every later interview's profile.
        text_rng = random.Random(seed * 1_000_003 + i)
        text = write_interview(profile, text_rng, pool, names, words)
        path = out_dir / f"{profile.iid}_{slug(profile.pseudonym)}.md"
        path.write_text(text, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic, FICTIONAL interview collection for benchmarks.")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--n", type=int, default=1000, help="interviews to write (default 1000)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--words", type=int, default=2000, help="approximate words per interview (default 2000)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out_dir, n=args.n, seed=args.seed, words=args.words)
    elapsed = time.perf_counter() - started
    total_words = sum(word_count(p.read_text(encoding="utf-8")) for p in paths)
    print(f"wrote {len(paths)} FICTIONAL interviews ({total_words:,} words, seed {args.seed}) "
          f"to {args.out_dir} in {elapsed:.1f} s")
    if paths:
        print(f"first: {paths[0].name}  last: {paths[-1].name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
