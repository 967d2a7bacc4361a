import datetime

import pytest

from timeline import dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-02-05", (datetime.date(2011, 2, 5), "day")),
        ("2013-02", (datetime.date(2013, 2, 1), "month")),
        ("2011", (datetime.date(2011, 1, 1), "year")),
    ],
)
def test_partial_dates_parse_with_their_precision(text, expected):
    assert dates.parse_partial_date(text) == expected
    assert dates.to_partial_text(*expected) == text


@pytest.mark.parametrize("text", ["abc", "2011-13", "2011-02-30", "11", "2011/02/05", ""])
def test_malformed_dates_are_refused(text):
    with pytest.raises(dates.PartialDateError):
        dates.parse_partial_date(text)


@pytest.mark.parametrize(
    ("value", "precision", "approximate", "text"),
    [
        (datetime.date(2011, 2, 5), "day", False, "5 Feb 2011"),
        (datetime.date(2013, 2, 1), "month", False, "Feb 2013"),
        (datetime.date(2011, 1, 1), "year", False, "2011"),
        (datetime.date(2011, 1, 1), "year", True, "c. 2011"),
    ],
)
def test_dates_display_as_precise_as_known(value, precision, approximate, text):
    assert dates.format_partial_date(value, precision, approximate) == text


def test_ranges_display_compactly():
    assert dates.format_span(
        datetime.date(1992, 1, 1), "year", datetime.date(2013, 1, 1), "year"
    ) == ("1992–2013")
    assert (
        dates.format_span(datetime.date(2013, 8, 1), "month", datetime.date(2014, 6, 1), "month")
        == "Aug 2013 – Jun 2014"
    )


def test_last_day_covered_depends_on_precision():
    assert dates.last_day_covered(datetime.date(2012, 2, 1), "month") == datetime.date(2012, 2, 29)
    assert dates.last_day_covered(datetime.date(2012, 1, 1), "year") == datetime.date(2012, 12, 31)
    assert dates.last_day_covered(datetime.date(2012, 2, 7), "day") == datetime.date(2012, 2, 7)


def test_consistency_of_stored_date_and_precision():
    assert dates.is_consistent(datetime.date(2013, 2, 1), "month")
    assert not dates.is_consistent(datetime.date(2013, 2, 14), "month")
    assert not dates.is_consistent(datetime.date(2013, 2, 1), "year")
