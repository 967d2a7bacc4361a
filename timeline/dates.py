"""Dates known to a day, a month or a year: parsing, display and the span they cover.

Pure functions, so the loader, the models, the filters and the axis agree on one meaning.
"""

import calendar
import datetime
import functools
import re

DAY = "day"
MONTH = "month"
YEAR = "year"

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

# The years a date on the timeline may fall in: wider than any event of the relationship,
# narrow enough to catch a typo ("9999", "0201") before it stretches the axis over millennia.
FIRST_YEAR, LAST_YEAR = 1700, 2100
OUT_OF_RANGE = f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}."


def in_range(value: datetime.date) -> bool:
    return FIRST_YEAR <= value.year <= LAST_YEAR


class PartialDateError(ValueError):
    """A text that is not a year, a year-month or a full date."""


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """Read "2011", "2011-02" or "2011-02-05" as (first day covered, precision)."""
    match = _PARTIAL_DATE.match(str(text).strip())
    if not match:
        raise PartialDateError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        if day is not None:
            return datetime.date(int(year), int(month), int(day)), DAY
        if month is not None:
            return datetime.date(int(year), int(month), 1), MONTH
        return datetime.date(int(year), 1, 1), YEAR
    except ValueError as error:
        raise PartialDateError(f"{text!r} is not a real date ({error})") from None


def to_partial_text(value: datetime.date, precision: str) -> str:
    """The inverse of parse_partial_date: "2011", "2011-02" or "2011-02-05"."""
    if precision == YEAR:
        return f"{value.year:04d}"
    if precision == MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def is_consistent(value: datetime.date, precision: str) -> bool:
    """A month-precise date is stored as the 1st, a year-precise one as 1 January."""
    if precision == MONTH:
        return value.day == 1
    if precision == YEAR:
        return value.day == 1 and value.month == 1
    return precision == DAY


def last_day_covered(value: datetime.date, precision: str) -> datetime.date:
    """The last day a partial date may stand for: 2011 → 31 Dec 2011."""
    if precision == YEAR:
        return datetime.date(value.year, 12, 31)
    if precision == MONTH:
        return datetime.date(
            value.year, value.month, calendar.monthrange(value.year, value.month)[1]
        )
    return value


def format_partial_date(value: datetime.date, precision: str, approximate: bool = False) -> str:
    """ "5 Feb 2011", "Feb 2013" or "2011", prefixed "c." when approximate."""
    if precision == YEAR:
        text = f"{value.year}"
    elif precision == MONTH:
        text = f"{value:%b} {value.year}"
    else:
        text = f"{value.day} {value:%b} {value.year}"
    return f"c. {text}" if approximate else text


# Every list entry and axis mark formats its dates, and the same few thousand come back.
@functools.lru_cache(maxsize=20_000)
def format_span(
    start: datetime.date,
    start_precision: str,
    end: datetime.date | None = None,
    end_precision: str = "",
    approximate: bool = False,
) -> str:
    """A date or a range as precise as it is known: "1992–2013", "Aug 2013 – Jun 2014"."""
    first = format_partial_date(start, start_precision, approximate)
    if end is None:
        return first
    last = format_partial_date(end, end_precision or start_precision)
    if first == last:
        return first
    if start_precision == end_precision == YEAR:
        return f"{first}–{last}"
    return f"{first} – {last}"


def decimal_year(value: datetime.date) -> float:
    """A date as a fractional year, for placing it on a linear axis."""
    start = datetime.date(value.year, 1, 1)
    days_in_year = 366 if calendar.isleap(value.year) else 365
    return value.year + (value - start).days / days_in_year
