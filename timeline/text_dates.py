"""The dates a sentence of an essay names, resolved against when the essay was published:
"in 2010", "In March", "On April 13", "last May", "that autumn", "in the spring of 2010",
"earlier this month", "last year", "two and a half years ago", "from 1991 to 1999", "the 1990s".

An essay published in a year whose month is unknown is read as written at any time in that
year: "In March" is the March of that year, "last year" the year before."""

import calendar
import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {
    name.lower(): number
    for number, name in enumerate(calendar.month_abbr)
    if name and name != "May"
}
MONTHS["sept"] = 9
# A season's first month, and how many months it lasts.
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
NUMBERS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip

MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
SEASON = r"(?P<season>spring|summer|autumn|fall|winter)"
YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
NUMBER = r"(?P<number>\d+|" + "|".join(NUMBERS) + r")"

YEAR_RANGE = re.compile(
    r"\b(?:from|between)\s+(?P<first>(?:1[89]|20)\d\d)\s+(?:to|and|until|till)\s+"
    r"(?P<last>(?:1[89]|20)\d\d)\b|\b(?P<first2>(?:1[89]|20)\d\d)\s*[-–—]\s*(?P<last2>(?:1[89]|20)?\d\d)\b",
    re.IGNORECASE,
)
DECADE = re.compile(r"\b(?:the\s+)?(?P<decade>(?:1[89]|20)\d0)['’]?s\b", re.IGNORECASE)
DAY_OF_MONTH = re.compile(
    MONTH + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+" + YEAR + r")?", re.IGNORECASE
)
DAY_BEFORE_MONTH = re.compile(
    r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH + r"(?:,?\s+" + YEAR + r")?\b",
    re.IGNORECASE,
)
RELATIVE_MONTH = re.compile(r"\b(?P<which>last|this|that|next)\s+" + MONTH, re.IGNORECASE)
MONTH_OF_YEAR = re.compile(
    r"\b(?:(?:in|since|by|until|till|from|during|of|early|late|mid)[-\s]+)+(?:early\s+|late\s+|mid-?)?"
    + MONTH
    + r"(?:\s+(?:of\s+)?"
    + YEAR
    + r")?\b",
    re.IGNORECASE,
)
SEASON_OF_YEAR = re.compile(
    r"\b(?:(?P<which>last|this|that|next|the)\s+)?" + SEASON + r"(?:\s+(?:of\s+)?" + YEAR + r")?\b",
    re.IGNORECASE,
)
RELATIVE_YEAR = re.compile(r"\b(?P<which>last|this|that|next)\s+year\b", re.IGNORECASE)
THIS_MONTH = re.compile(r"\b(?:earlier|later)?\s*this\s+month\b", re.IGNORECASE)
YEARS_AGO = re.compile(
    NUMBER + r"(?P<half>\s+and\s+a\s+half)?\s+(?P<unit>years?|months?)\s+ago\b", re.IGNORECASE
)
# Words that place what they qualify shortly before the essay, or shortly after it.
RECENT = re.compile(r"\b(?:recent|recently|latest)\b", re.IGNORECASE)
UPCOMING = re.compile(r"\b(?:upcoming|forthcoming|coming|scheduled)\b", re.IGNORECASE)
# How far back "recent" reaches, and how far ahead "upcoming", in months.
RECENT_MONTHS = 12
UPCOMING_MONTHS = 18
A_YEAR = re.compile(r"(?<![\d$£€.,])\b" + YEAR + r"\b(?![-–—]?\d)")


@dataclass(frozen=True)
class DateSpan:
    """A stretch of time a sentence names: its first and last days, how precisely, and the
    words that name it."""

    first: datetime.date
    last: datetime.date
    precision: str  # day, month, season, year, years, recent or upcoming
    words: str

    def holds(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last

    def meets(self, first: datetime.date, last: datetime.date) -> bool:
        return self.first <= last and first <= self.last


def month_span(year: int, month: int, words: str, months: int = 1) -> DateSpan:
    first = datetime.date(year, month, 1)
    last = first + relativedelta(months=months) - datetime.timedelta(days=1)
    return DateSpan(first, last, "month" if months == 1 else "season", words)


def year_span(first_year: int, last_year: int, words: str) -> DateSpan:
    precision = "year" if first_year == last_year else "years"
    return DateSpan(
        datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31), precision, words
    )


def capitalised(match) -> bool:
    """Months are written with a capital: "may" and "march" are verbs."""
    return match["month"][0].isupper()


def latest_month(month: int, now: datetime.date, before: bool = False) -> int:
    """The year of the latest ``month`` that has begun by ``now`` (ended before it, ``before``)."""
    year = now.year
    if month > now.month or (before and month == now.month):
        year -= 1
    return year


def named_years(sentence: str, now: datetime.date) -> set[int]:
    """The years a sentence names as when something happened: years, ranges and decades up to
    ``now``'s year (a later one, "till 2036", is a forecast, not an event's date)."""
    years = set()
    for match in YEAR_RANGE.finditer(sentence):
        first = int(match["first"] or match["first2"])
        last_text = match["last"] or match["last2"]
        last = int(last_text) if len(last_text) == 4 else first // 100 * 100 + int(last_text)
        if first <= last:
            years.update(range(first, min(last, now.year) + 1))
    for match in DECADE.finditer(sentence):
        decade = int(match["decade"])
        years.update(range(decade, min(decade + 9, now.year) + 1))
    for match in A_YEAR.finditer(sentence):
        if int(match["year"]) <= now.year:
            years.add(int(match["year"]))
    return years


def date_spans(
    sentence: str, published: datetime.date, published_last: datetime.date, context_year=None
) -> list[DateSpan]:
    """The spans of time ``sentence`` names, most precise first. ``published``–``published_last``
    is when the essay may have been written; ``context_year`` the year last named before the
    sentence, which "that autumn" and "that year" refer to."""
    now = published_last
    years = sorted(named_years(sentence, now))
    sentence_year = years[-1] if len(years) == 1 else None
    spans = []
    taken = []  # the stretches of the sentence already read as a date

    def free(match) -> bool:
        return not any(match.start() < end and start < match.end() for start, end in taken)

    def take(match, span):
        taken.append((match.start(), match.end()))
        spans.append(span)

    for pattern in (DAY_OF_MONTH, DAY_BEFORE_MONTH):
        for match in pattern.finditer(sentence):
            if not free(match) or not capitalised(match):
                continue
            month, day = MONTHS[match["month"].lower()], int(match["day"])
            year = int(match["year"]) if match["year"] else sentence_year
            if year is None:
                year = latest_month(month, now)
            try:
                day_date = datetime.date(year, month, day)
            except ValueError:
                continue
            take(match, DateSpan(day_date, day_date, "day", match.group(0).strip()))
    for match in RELATIVE_MONTH.finditer(sentence):
        if not free(match) or not capitalised(match):
            continue
        month, which = MONTHS[match["month"].lower()], match["which"].lower()
        if which == "last":
            year = latest_month(month, published, before=True)
        elif which == "this":
            year = now.year
        elif which == "next":
            year = latest_month(month, published) + 1
        else:
            year = context_year or latest_month(month, now)
        take(match, month_span(year, month, match.group(0)))
    for match in MONTH_OF_YEAR.finditer(sentence):
        if not free(match) or not capitalised(match):
            continue
        month = MONTHS[match["month"].lower()]
        year = int(match["year"]) if match["year"] else sentence_year
        if year is None:
            year = latest_month(month, now)
        take(match, month_span(year, month, match.group(0).strip()))
    for match in SEASON_OF_YEAR.finditer(sentence):
        if not free(match):
            continue
        season, which = match["season"].lower(), (match["which"] or "").lower()
        first_month = SEASONS[season]
        if match["year"]:
            year = int(match["year"])
        elif which == "last":
            # The latest such season over before publication.
            year = published.year - 1 if first_month + 2 >= published.month else published.year
            if season == "winter":
                year = published.year - 1 if published.month >= 3 else published.year - 2
        elif which == "this":
            year = now.year
        elif which == "next":
            year = published.year if first_month > published.month else published.year + 1
        elif which == "that" and context_year:
            year = context_year
        elif sentence_year:
            year = sentence_year
        else:
            continue
        take(match, month_span(year, first_month, match.group(0).strip(), months=3))
    for match in RELATIVE_YEAR.finditer(sentence):
        which = match["which"].lower()
        year = {"last": published.year - 1, "this": now.year, "next": published.year + 1}.get(
            which, context_year
        )
        if year:
            take(match, year_span(year, year, match.group(0)))
    for match in THIS_MONTH.finditer(sentence):
        if (
            published == published_last
            or published.day != 1
            or published_last.month == published.month
        ):
            take(match, month_span(published.year, published.month, match.group(0).strip()))
    for match in YEARS_AGO.finditer(sentence):
        number = match["number"].lower()
        count = int(number) if number.isdigit() else NUMBERS[number]
        months = count * (12 if match["unit"].lower().startswith("year") else 1)
        months += 6 if match["half"] else 0
        slack = max(2, months // 5)
        first = published - relativedelta(months=months + slack)
        last = published_last - relativedelta(months=months - slack)
        take(match, DateSpan(first, last, "years" if months >= 12 else "month", match.group(0)))
    for match in RECENT.finditer(sentence):
        first = published - relativedelta(months=RECENT_MONTHS)
        spans.append(DateSpan(first, published_last, "recent", match.group(0)))
        break
    for match in UPCOMING.finditer(sentence):
        last = published_last + relativedelta(months=UPCOMING_MONTHS)
        spans.append(DateSpan(published, last, "upcoming", match.group(0)))
        break
    if years:
        spans.append(year_span(years[0], years[-1], ", ".join(map(str, years))))
    return spans
