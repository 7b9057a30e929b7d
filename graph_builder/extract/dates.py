"""Dates in testimony: found in the text, normalised to ISO with their precision.

Witnesses date things every way: "3 August 2014", "Aug. 3", "the fourth of August, a Monday",
"in the summer of 2014", "early 2015", "two years ago", "the day after". Each date found is a
`DateMention` with its offsets, the ISO value as precise as the words allow (`2014`,
`2014-08`, `2014-08-03`) and that precision. A day or month without a year takes the year the
speaker last named in the same text, else the interview's year (and the year before when the
day would fall after the interview); words relative to the interview ("last year", "two
months ago", "yesterday") are resolved against the interview's date when one is known, and
dropped when not. Nothing here guesses beyond that: "after the fall of Mosul" names an event,
not a date, and is left to the event's own date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name: n for n, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
ORDINALS = {w: n for n, w in enumerate((
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "twenty-first twenty-second twenty-third twenty-fourth twenty-fifth twenty-sixth "
    "twenty-seventh twenty-eighth twenty-ninth thirtieth thirty-first").split(), start=1)}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
                "a few": 3, "several": 3, "a couple of": 2}

_MONTH = r"(?P<{g}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
_DAY = r"(?P<{g}>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|" + _ORD + r")"
_YEAR = r"(?P<{g}>(?:19[5-9]\d|20[0-4]\d))"
_SEASON = r"(?P<season>spring|summer|autumn|fall|winter)"
_PART = r"(?P<part>early|late|mid|the (?:start|beginning|end|middle) of|the first half of|the second half of)"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in (
    # 2014-08-03
    ("iso", r"\b" + _YEAR.format(g="y") + r"-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"),
    # 3 August 2014, the 3rd of August 2014, 3 Aug., the fourth of August
    ("dmy", r"\b(?:the\s+)?" + _DAY.format(g="d") + r"\s+(?:of\s+)?" + _MONTH.format(g="m")
     + r"(?:,?\s+" + _YEAR.format(g="y") + r")?\b"),
    # August 3, 2014 / Aug. 3rd / August the fourth
    ("mdy", r"\b" + _MONTH.format(g="m") + r"\s+(?:the\s+)?" + _DAY.format(g="d")
     + r"(?![\d,]*\s*(?:km|kilomet|mile|men|people|fighters|dead|killed|years?|days?|months?)\b)"
     + r"(?:(?:,\s*|\s+)" + _YEAR.format(g="y") + r")?\b"),
    # August 2014, August of 2014
    ("my", r"\b" + _MONTH.format(g="m") + r"\s+(?:of\s+)?" + _YEAR.format(g="y") + r"\b"),
    # the summer of 2014, early 2015, the end of 2014, mid-2014, spring 2015
    ("season", r"\b(?:(?:in\s+)?(?:the\s+)?" + _SEASON + r"\s+(?:of\s+)?|" + _PART + r"[-\s]+(?:of\s+)?)"
     + _YEAR.format(g="y") + r"\b"),
    # in 2015, since 2013, by 2016, in the year 2014
    ("year", r"\b(?:in|since|by|from|until|till|during|before|after|around|of|throughout)\s+(?:the\s+year\s+)?"
     + _YEAR.format(g="y") + r"\b(?!\s*(?:km|kilomet|people|men|fighters|dollars|\$))"),
    # in June, last June, that June (a month alone, after a preposition)
    ("month", r"\b(?:in|by|until|till|since|during|that|last|early|late|mid)[-\s]+" + _MONTH.format(g="m")
     + r"(?!\s+(?:\d|the\s|" + _ORD + r"))\b"),
    # two years ago, a month ago, last year, yesterday, the day before yesterday
    ("ago", r"\b(?P<n>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
     + r")\s+(?P<unit>years?|months?|weeks?|days?)\s+ago\b"),
    ("last", r"\b(?P<which>last|this)\s+(?P<unit>year|month)\b"),
    ("yesterday", r"\b(?P<which>the day before yesterday|yesterday|today)\b"),
))

PRECISIONS = ("year", "month", "day")


@dataclass(frozen=True)
class DateMention:
    """A date in a text: offsets into that text, the words, ISO value and its precision."""

    start: int
    end: int
    text: str
    iso: str  # "2014", "2014-08" or "2014-08-03"
    precision: str  # year, month or day
    relative: bool = False  # resolved against the interview's date

    @property
    def year(self) -> int:
        return int(self.iso[:4])


def parse_iso(value: str | None) -> date | None:
    """A full date from an interview's metadata ("2016-03-14", "2016-03", "2016"), or None."""
    if not value:
        return None
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2) or 6), int(m.group(3) or 15))
    except ValueError:
        return None


def _day(text: str) -> int | None:
    word = text.lower()
    if word in ORDINALS:
        return ORDINALS[word]
    digits = re.match(r"\d+", word)
    return int(digits.group(0)) if digits else None


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
        return True
    except ValueError:
        return False


def _months_back(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) - months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(d.day, 28))


def find_dates(text: str, *, interview_date: str | None = None,
               year: int | None = None, unresolved: bool = False) -> list[DateMention]:
    """Every date in `text`, in order, without overlaps (the longest reading wins).

    `year`: the year last named before this text (a turn inherits the interview's last one);
    `interview_date`: ISO date of the interview, for the year of a bare "3 August" and for
    "two years ago". `unresolved`: also return the dates these do not suffice for, with
    `iso` "" (the extractor's components find the words; the interview resolves them)."""
    told = parse_iso(interview_date)
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            found.append((m.start(), m.end(), kind, m))
    # Longest first, then leftmost: "3 August 2014" beats "August 2014" and "in 2014".
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str, re.Match[str]]] = []
    for f in found:
        if any(f[0] < b and a < f[1] for a, b in taken):
            continue
        taken.append((f[0], f[1]))
        chosen.append(f)
    chosen.sort()
    out: list[DateMention] = []
    last_year = year
    for start, end, kind, m in chosen:
        mention = _normalise(kind, m, last_year, told)
        if mention is None:
            if not unresolved or not _needs_context(kind, m):
                continue
            mention = ("", _PRECISION_OF.get(kind, "day"), kind in _RELATIVE_KINDS)
        iso, precision, relative = mention
        words = text[start:end]
        # "in 2015" is the date; the preposition is not part of its words.
        lead = re.match(r"(?i)(?:in|since|by|from|until|till|during|before|after|around|of|"
                        r"throughout)\s+", words) if kind in ("year", "month", "season") else None
        if lead:
            start, words = start + lead.end(), words[lead.end():]
        out.append(DateMention(start=start, end=end, text=words, iso=iso, precision=precision,
                               relative=relative))
        if iso and not relative:
            last_year = int(iso[:4])
    return out


_RELATIVE_KINDS = frozenset({"ago", "last", "yesterday"})
_PRECISION_OF = {"month": "month", "last": "month", "ago": "year"}


def _needs_context(kind: str, m: re.Match[str]) -> bool:
    """Whether a date the words name could be resolved with a year or the interview's date
    (not one that names no valid day at all, "31 February")."""
    if kind in _RELATIVE_KINDS or kind == "month":
        return True
    if kind in ("dmy", "mdy") and not m.groupdict().get("y"):
        d = _day(m.group("d"))
        return d is not None and _valid(2000, MONTHS[m.group("m").lower().rstrip(".")], d)
    return False


def _normalise(kind: str, m: re.Match[str], year: int | None,
               told: date | None) -> tuple[str, str, bool] | None:
    g = m.groupdict()
    if kind == "iso":
        y, mo, d = int(g["y"]), int(g["m"]), int(g["d"])
        return (f"{y:04d}-{mo:02d}-{d:02d}", "day", False) if _valid(y, mo, d) else None
    if kind in ("dmy", "mdy"):
        mo, d = MONTHS[g["m"].lower().rstrip(".")], _day(g["d"])
        if d is None:
            return None
        y = int(g["y"]) if g.get("y") else _inferred_year(mo, d, year, told)
        if y is None or not _valid(y, mo, d):
            return None
        return f"{y:04d}-{mo:02d}-{d:02d}", "day", False
    if kind == "my":
        return f"{int(g['y']):04d}-{MONTHS[g['m'].lower().rstrip('.')]:02d}", "month", False
    if kind in ("season", "year"):
        return f"{int(g['y']):04d}", "year", False
    if kind == "month":
        mo = MONTHS[g["m"].lower().rstrip(".")]
        y = _inferred_year(mo, 1, year, told)
        if y is None:
            return None
        return f"{y:04d}-{mo:02d}", "month", False
    if told is None:  # relative to the interview, and its date is unknown
        return None
    if kind == "ago":
        n = int(g["n"]) if g["n"].isdigit() else NUMBER_WORDS.get(g["n"].lower(), 1)
        unit = g["unit"].lower().rstrip("s")
        if unit == "year":
            return f"{told.year - n:04d}", "year", True
        if unit == "month":
            d = _months_back(told, n)
            return f"{d.year:04d}-{d.month:02d}", "month", True
        d = told - timedelta(days=n * (7 if unit == "week" else 1))
        return d.isoformat(), "day", True
    if kind == "last":
        if g["unit"].lower() == "year":
            return f"{told.year - (1 if g['which'].lower() == 'last' else 0):04d}", "year", True
        d = _months_back(told, 1 if g["which"].lower() == "last" else 0)
        return f"{d.year:04d}-{d.month:02d}", "month", True
    if kind == "yesterday":
        back = {"today": 0, "yesterday": 1, "the day before yesterday": 2}[g["which"].lower()]
        return (told - timedelta(days=back)).isoformat(), "day", True
    return None


def _inferred_year(month: int, day: int, year: int | None, told: date | None) -> int | None:
    """The year of a day or month named without one: the speaker's last year, else the
    interview's (the year before when that day lies after the interview)."""
    if year is not None:
        return year
    if told is None:
        return None
    if (month, day) > (told.month, told.day):
        return told.year - 1
    return told.year


def agrees(a: str, b: str) -> bool:
    """Whether two ISO dates of any precision can name the same day ("2014" and "2014-08-03"
    do; "2014-08-03" and "2014-08-04" do not)."""
    return a.startswith(b) or b.startswith(a)
