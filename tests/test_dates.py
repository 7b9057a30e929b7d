"""Dates as witnesses give them, normalised to ISO with their precision (FICTIONAL sentences)."""
from __future__ import annotations

import pytest

from graph_builder.extract.dates import agrees, find_dates


def dates(text: str, **kw) -> list[tuple[str, str, str]]:
    return [(d.text, d.iso, d.precision) for d in find_dates(text, **kw)]


@pytest.mark.parametrize("text, expected", [
    ("They took Shingal on 3 August 2014.", [("3 August 2014", "2014-08-03", "day")]),
    ("It was August 3rd, 2014, at dawn.", [("August 3rd, 2014", "2014-08-03", "day")]),
    ("the third of August 2014", [("the third of August 2014", "2014-08-03", "day")]),
    ("We crossed in August 2014.", [("August 2014", "2014-08", "month")]),
    ("In 2015 I moved to Raqqah.", [("2015", "2015", "year")]),
    ("in the summer of 2014", [("the summer of 2014", "2014", "year")]),
    ("early 2015", [("early 2015", "2015", "year")]),
    ("On 2016-02-08 he was released.", [("2016-02-08", "2016-02-08", "day")]),
])
def test_absolute_dates(text, expected) -> None:
    assert dates(text) == expected


def test_a_day_without_a_year_takes_the_speakers_last_year_or_the_interviews() -> None:
    assert dates("In 2014 I was in Tal Afar. On Aug. 3 they came.")[-1] == ("Aug. 3", "2014-08-03", "day")
    # No year named: the interview's year, or the year before when the day would come after it.
    assert dates("the fourth of August, a Monday", interview_date="2016-03-14") == [
        ("the fourth of August", "2015-08-04", "day")]
    assert dates("on 2 March", interview_date="2016-03-14") == [("2 March", "2016-03-02", "day")]
    assert dates("the fourth of August") == []  # no year anywhere: no date
    assert dates("the fourth of August", year=2014) == [("the fourth of August", "2014-08-04", "day")]


def test_dates_relative_to_the_interview() -> None:
    told = "2016-03-14"
    assert dates("Two years ago I left Mosul.", interview_date=told) == [("Two years ago", "2014", "year")]
    assert dates("Last year my brother fled.", interview_date=told) == [("Last year", "2015", "year")]
    assert dates("three months ago", interview_date=told) == [("three months ago", "2015-12", "month")]
    assert dates("yesterday", interview_date=told) == [("yesterday", "2016-03-13", "day")]
    assert all(d.relative for d in find_dates("two years ago, yesterday", interview_date=told))
    assert dates("Two years ago I left Mosul.") == []  # relative, and no interview date


def test_numbers_and_names_are_not_dates() -> None:
    assert dates("There were 40 men, 300 fighters and August 40 km away.") == []
    assert dates("May 2 people died there.") == []
    assert dates("He was 2014 metres from the border.") == []


def test_precision_agreement() -> None:
    assert agrees("2014", "2014-08-03") and agrees("2014-08", "2014-08-03")
    assert not agrees("2014-08-03", "2014-08-04") and not agrees("2014", "2015")
