"""How many events start in each month, kept per data version: the summary of a large
selection (a theme or two, a stance, whole months) is added up from a few hundred numbers
instead of counting its events one by one, so its cost does not grow with the data.

Kept for every stance and for all of them together, for all events, for each theme's and
for each pair of themes' (the events tagged with both), so that a filter on two themes counts
each event once: |A ∪ B| = |A| + |B| − |A ∩ B|. The months in which each essay cites events
of each theme and stance are kept alike, for "cited by 3 essays".
"""

import bisect
import datetime
from dataclasses import dataclass

from django.db import connections

from .backends import backend_for
from .models import Citation, Event, EventFacet

# A theme id left out (typed, so that PostgreSQL can match the branches of a UNION).
NO_THEME = "CAST(NULL AS BIGINT)"

# The most themes a tallied filter may name: beyond, an event's several themes would need
# the tallies of every triple, and so on.
MAX_THEMES = 2


def month_number(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_number_of(text: str) -> int:
    """The month_number of "YYYY-MM"."""
    return month_number(int(text[:4]), int(text[5:7]))


def year_and_month(number: int) -> tuple[int, int]:
    """The (year, month) of a month_number."""
    return number // 12, number % 12 + 1


def month_start(number: int) -> datetime.date:
    """The first day of the month of a month_number."""
    return datetime.date(*year_and_month(number), 1)


# The lists of a Months, in order.
FIGURES = ("numbers", "counts", "firsts", "lasts")


@dataclass(frozen=True)
class Months:
    """One tally: months (as month_number, ascending) with the events starting in each, the
    first start and the last day any of them reaches (None for pairs, where the single
    themes' figures already hold them). Tuples of numbers, text and dates: the garbage
    collector stops tracking them, where it walks every item of a list in each full pass
    (a hundred thousand items at 100,000 events: 60 ms)."""

    numbers: tuple[int, ...]
    counts: tuple[int, ...]
    firsts: tuple
    lasts: tuple

    def figures_of(self, number: int) -> tuple | None:
        """(count, first start, last span end) of month ``number``, or None without events."""
        at = bisect.bisect_left(self.numbers, number)
        if at < len(self.numbers) and self.numbers[at] == number:
            return self.counts[at], self.firsts[at], self.lasts[at]
        return None

    def between(self, first_month: int, last_month: int) -> range:
        """Positions of the months from ``first_month`` to ``last_month``, both included."""
        return range(
            bisect.bisect_left(self.numbers, first_month),
            bisect.bisect_right(self.numbers, last_month),
        )


class MonthTallies:
    """The tallies of one data version, keyed by (theme ids, stance or None for all)."""

    def __init__(self, rows, citing_rows=()):
        """``rows``: (theme id, second theme id, stance, "YYYY-MM", count, first start, last
        span end) with the theme ids None for all events and the second None for one theme.
        Dates are whatever the database gives (ISO text or dates): compared only in order.
        ``citing_rows``: (essay id, theme id or None for all events, stance, "YYYY-MM") where
        the essay cites an event of that theme and stance starting in that month."""
        gathered: dict[tuple, dict[int, list]] = {}
        for theme, other, stance, month, count, first, last in rows:
            themes = () if theme is None else (theme,) if other is None else (theme, other)
            number = month_number_of(month)
            for key in ((themes, stance), (themes, None)):
                months = gathered.setdefault(key, {})
                if number in months:
                    figures = months[number]
                    figures[0] += count
                    if first is not None:
                        figures[1], figures[2] = min(figures[1], first), max(figures[2], last)
                else:
                    months[number] = [count, first, last]
        self.by_key = {}
        while gathered:
            key, months = gathered.popitem()  # let go of each as it is kept
            numbers = sorted(months)
            self.by_key[key] = Months(
                numbers=tuple(numbers),
                counts=tuple(months[number][0] for number in numbers),
                firsts=tuple(months[number][1] for number in numbers),
                lasts=tuple(months[number][2] for number in numbers),
            )
        cited: dict[tuple, dict[int, set]] = {}
        for essay, theme, stance, month in citing_rows:
            number = month_number_of(month)
            themes = () if theme is None else (theme,)
            for key in ((themes, stance), (themes, None)):
                cited.setdefault(key, {}).setdefault(essay, set()).add(number)
        # (theme ids, stance or None) → essay id → the months it cites such events in, sorted.
        self.cited = {
            key: {essay: tuple(sorted(numbers)) for essay, numbers in essays.items()}
            for key, essays in cited.items()
        }

    @classmethod
    def load(cls, using="default", months=None, essays=None):
        """All tallies in two statements: the months in which each essay cites events (of
        each theme and stance); the events' by stance and month, each theme's (from the
        facets), each pair of themes' (facets of one event joined). With ``months`` (month
        numbers) and ``essays`` (ids), only the events starting in those months and those
        essays' citations of them: the pieces that patched() puts in place."""
        month = backend_for(using).month_of_start
        events, facets = Event._meta.db_table, EventFacet._meta.db_table
        citations = Citation._meta.db_table
        sql, params = cls.tallies_sql(month, events, facets), []
        if months is not None:
            # The events of those months, a range of the start index each: an OR of the
            # ranges had PostgreSQL fetch each row from the table, once per branch.
            columns = f"SELECT id, stance, start, span_end FROM {events} WHERE"  # noqa: S608
            chosen = (
                " UNION ALL ".join([f"{columns} start >= %s AND start < %s"] * len(months))
                or f"{columns} 1 = 0"
            )
            for number in sorted(months):
                params += [month_start(number), month_start(number + 1)]
            sql = cls.months_tallies_sql(month, events, facets, chosen)
        chosen_citations, cited_from, cited_where, cited_params = "", citations, "", []
        if essays is not None:
            # Those essays' citations of the chosen months' events.
            listed = ", ".join(["%s"] * len(essays)) or "NULL"
            cited_where = f"WHERE citation.essay_id IN ({listed})"
            cited_params = sorted(essays) * 2
            if months is not None:
                # Every citation of the chosen events, found once by the citations' event
                # index, then those of the essays: asked for the essays' citations of them,
                # PostgreSQL reads all the essays' citations (thousands) to find a few.
                chosen_citations = (
                    f"WITH chosen_citations AS MATERIALIZED (SELECT essay_id, event_id FROM "  # noqa: S608
                    f"{citations} WHERE event_id IN (SELECT id FROM ({chosen}) AS chosen)) "
                )
                cited_from = "chosen_citations"
                cited_params = [*params, *cited_params]
        citing = (
            f"{chosen_citations}SELECT DISTINCT essay_id, {NO_THEME}, stance, {month} FROM "  # noqa: S608
            f"(SELECT citation.essay_id, event.stance, event.start FROM {cited_from} citation "
            f"JOIN {events} event ON event.id = citation.event_id {cited_where}) AS cited "
            f"UNION ALL SELECT DISTINCT essay_id, theme_id, stance, {month} FROM (SELECT "
            f"citation.essay_id, facet.theme_id, facet.stance, facet.start FROM {cited_from} "
            f"citation JOIN {facets} facet ON facet.event_id = citation.event_id {cited_where}) "
            "AS cited"
        )
        with connections[using].cursor() as cursor:
            cursor.execute(citing, cited_params)
            citing_rows = cursor.fetchall()
            cursor.execute(sql, params)
            # Row by row: all at once cost 30 MB more at 100,000 events.
            return cls(cursor, citing_rows)

    @staticmethod
    def tallies_sql(month, events, facets) -> str:
        """Every tally: the events' by stance and month, each theme's (from the facets),
        each pair of themes' (facets of one event joined)."""
        # The ORM cannot group a union by a vendor's month expression; names from models.
        return (
            f"SELECT {NO_THEME}, {NO_THEME}, stance, {month}, COUNT(*), MIN(start), MAX(span_end) "  # noqa: S608
            f"FROM {events} GROUP BY stance, {month} "
            f"UNION ALL SELECT theme_id, {NO_THEME}, stance, {month}, COUNT(*), MIN(start), "
            f"MAX(span_end) FROM {facets} GROUP BY theme_id, stance, {month} "
            f"UNION ALL SELECT theme_id, other_id, stance, {month}, COUNT(*), NULL, NULL FROM "
            f"(SELECT one.theme_id, other.theme_id AS other_id, one.stance, one.start FROM "
            f"{facets} one JOIN {facets} other ON other.event_id = one.event_id "
            f"AND other.theme_id > one.theme_id) AS pairs GROUP BY theme_id, other_id, stance, "
            f"{month}"
        )

    @staticmethod
    def months_tallies_sql(month, events, facets, chosen) -> str:
        """The tallies of the events ``chosen`` selects (id, stance, start, span_end) alone:
        those events read once, their themes from the facets by event."""
        return (
            f"WITH chosen AS MATERIALIZED ({chosen}), tagged AS MATERIALIZED (SELECT chosen.id, "  # noqa: S608
            f"facet.theme_id, chosen.stance, chosen.start, chosen.span_end FROM chosen JOIN "
            f"{facets} facet ON facet.event_id = chosen.id) "
            f"SELECT {NO_THEME}, {NO_THEME}, stance, {month}, COUNT(*), MIN(start), MAX(span_end) "
            f"FROM chosen GROUP BY stance, {month} "
            f"UNION ALL SELECT theme_id, {NO_THEME}, stance, {month}, COUNT(*), MIN(start), "
            f"MAX(span_end) FROM tagged GROUP BY theme_id, stance, {month} "
            f"UNION ALL SELECT theme_id, other_id, stance, {month}, COUNT(*), NULL, NULL FROM "
            f"(SELECT one.theme_id, other.theme_id AS other_id, one.stance, one.start FROM "
            f"tagged one JOIN tagged other ON other.id = one.id AND other.theme_id > "
            f"one.theme_id) AS pairs GROUP BY theme_id, other_id, stance, {month}"
        )

    def patched(self, months, essays, using="default") -> "MonthTallies":
        """These tallies with the figures of ``months``, and whether ``essays`` cite events
        in them, read anew: what a change to the events of those months and to those
        essays' citations of them needs, at the cost of those months' events rather than
        all of them."""
        fresh = MonthTallies.load(using, months=months, essays=essays)
        tallies = MonthTallies.__new__(MonthTallies)
        tallies.by_key = {}
        changed = sorted(months)
        for key in self.by_key.keys() | fresh.by_key.keys():
            kept, new = self.by_key.get(key), fresh.by_key.get(key)
            if kept is not None and all(
                kept.figures_of(number) == (new.figures_of(number) if new else None)
                for number in changed
            ):
                # The changed months' figures are as they were (the change was to other
                # themes or stances): shared, not copied.
                tallies.by_key[key] = kept
                continue
            # Copied whole (fast), then only the changed months put right.
            lists = [list(getattr(kept, name)) if kept else [] for name in FIGURES]
            numbers = lists[0]
            fresh_months = {}
            if new is not None:
                fresh_months = {
                    number: [getattr(new, name)[position] for name in FIGURES]
                    for position, number in enumerate(new.numbers)
                }
            for number in changed:
                at = bisect.bisect_left(numbers, number)
                present = at < len(numbers) and numbers[at] == number
                figures = fresh_months.get(number)
                for values, value in zip(lists, figures or (), strict=False):
                    if present:
                        values[at] = value
                    else:
                        values.insert(at, value)
                if present and figures is None:
                    for values in lists:
                        del values[at]
            if numbers:
                tallies.by_key[key] = Months(*map(tuple, lists))
        tallies.cited = {}
        for key in self.cited.keys() | fresh.cited.keys():
            by_essay = dict(self.cited.get(key, {}))
            for essay in essays:
                numbers = [n for n in by_essay.get(essay, ()) if n not in months]
                numbers = tuple(sorted({*numbers, *fresh.cited.get(key, {}).get(essay, ())}))
                if numbers:
                    by_essay[essay] = numbers
                else:
                    by_essay.pop(essay, None)
            if by_essay:
                tallies.cited[key] = by_essay
        return tallies

    def add_up(self, theme_ids, stance, first_month, last_month):
        """The events tagged with any of ``theme_ids`` (at most MAX_THEMES; none: all
        events), of ``stance`` (None: any), starting from ``first_month`` to ``last_month``
        (month numbers, both included): ({(year, month): events}, first start, last span
        end), the dates None when there are none."""
        themes = sorted(theme_ids)
        if len(themes) > MAX_THEMES:
            raise ValueError(f"{len(themes)} themes: tallies add up to {MAX_THEMES}")
        if len(themes) == 2:
            parts = [(1, (themes[0],)), (1, (themes[1],)), (-1, tuple(themes))]
        else:
            parts = [(1, tuple(themes))]
        counts: dict[int, int] = {}
        first = last = None
        for sign, key in parts:
            months = self.by_key.get((key, stance))
            if months is None:
                continue
            positions = months.between(first_month, last_month)
            for position in positions:
                number = months.numbers[position]
                counts[number] = counts.get(number, 0) + sign * months.counts[position]
            if sign > 0 and positions:
                month_first = months.firsts[positions.start]
                month_last = max(months.lasts[position] for position in positions)
                first = month_first if first is None else min(first, month_first)
                last = month_last if last is None else max(last, month_last)
        by_month = {year_and_month(number): count for number, count in counts.items()}
        return {month: count for month, count in by_month.items() if count}, first, last

    def citing(self, theme_ids, stance, first_month, last_month) -> set[int]:
        """The essays citing an event tagged with any of ``theme_ids`` (none: any event), of
        ``stance`` (None: any), starting from ``first_month`` to ``last_month``."""
        found = set()
        for themes in [(theme,) for theme in theme_ids] or [()]:
            for essay, numbers in self.cited.get((themes, stance), {}).items():
                position = bisect.bisect_left(numbers, first_month)
                if position < len(numbers) and numbers[position] <= last_month:
                    found.add(essay)
        return found
