"""The events a FilterSet's cleaned values select, in plain SQL: how many start in each month,
which years they span, how many essays cite them, and the rows of a page, in time order or
best matches first.

The ORM cannot express the statements that keep this fast at any size (README, "How it stays
fast"), so they are written here from the models' names, the ORM's own SQL of the filters and
the search backend's, every value a parameter: a UNION ALL of one arm per span class, read back
only as far as its class reaches; a search's matches joined first and scored in the same pass
(or, where the backend keeps the words on the selection's own rows, matched among the filters);
a selection worked out once (a MATERIALIZED CTE) and read for the counts, the essays and the
best matches.
"""

import datetime
from functools import cached_property

from django.db import connections
from django.db.models import Exists, F, OuterRef

from . import dates
from .axis import MAX_MARKS
from .backends import backend_for
from .cards import LISTED_FIELDS
from .models import SPAN_CLASS_DAYS, Citation, Essay, Event, EventFacet
from .search_text import search_words
from .sql_rows import as_date, fetch_rows
from .tallies import MAX_THEMES, month_number, month_start

# The essays citing any event of ``selected`` (a CTE of Selection.sql): asked of each essay
# (they are few), stopping at its first citation of a selected event. Plain SQL: the ORM
# cannot read a CTE.
CITING_ESSAYS = (
    f"FROM {Essay._meta.db_table} essay WHERE EXISTS (SELECT 1 FROM "  # noqa: S608
    f"{Citation._meta.db_table} citation WHERE citation.essay_id = essay.id "
    "AND citation.event_id IN (SELECT event_pk FROM selected))"
)
# No score, typed: PostgreSQL matches the branches of a UNION by their types.
NO_SCORE = "CAST(NULL AS REAL)"
# Marks the rows of the best matches among a search's figures rows (not a month, not NULL).
BEST_MATCH = "best"
# Up to this many events in all, any selection is small enough to be worked out once and
# read twice. Beyond, a large one would be written out whole: the counts stream instead.
ONE_STATEMENT_UP_TO = 20_000
# Beyond this many selected events, listing them all to find their essays costs more than
# going through each essay's citations.
ESSAYS_FROM_CITATIONS_UP_TO = 2_000
ONE_DAY = datetime.timedelta(days=1)
# The SQL of ``Selection.filtered`` for each shape of filters (a few dozen at most): see
# Selection.filtered_sql.
SQL_OF_SHAPE: dict[tuple, str] = {}


class Selection:
    """The events ``filterset`` (an EventFilter) selects, as plain SQL built from its cleaned
    values: the filters as the ORM writes them, the bounds on the start arm by arm (see sql)
    and, searching, the search backend's matches joined first."""

    def __init__(self, filterset):
        self.filterset = filterset
        self.values = filterset.values
        self.snapshot = filterset.snapshot
        self.themes = filterset.selected_themes
        self.first_day, self.last_day = filterset.date_bounds()
        self.words = search_words(self.values.get("q") or "")
        # Through the facets when themes are chosen: one index holds theme, dates and stance.
        self.model = EventFacet if self.themes else Event
        self.using = self.model.objects.db
        self.backend = backend_for(self.using)
        self.month = self.backend.month_of_start
        # Where the backend matches on the selection's own rows (events or facets), the
        # search is one of the filters, scored in their SQL, with no matches to join.
        self.search_in_filters = bool(self.words) and self.backend.searches_own_rows
        if self.search_in_filters:
            table = self.model._meta.db_table
            self.search_condition = self.backend.match_condition(self.words, table)
            self.search_score = self.backend.score(self.words, table)
        # Event id → score of a search's first MAX_MARKS ranks (and any tied with the last),
        # once counted_figures has found them.
        self.best_matches = None

    @cached_property
    def filtered(self):
        """The events (or facets) the filters select, with no bound on their start (the arms
        set those) and without the search (the selection starts from its matches)."""
        # In the FilterSet's order, so that the statements stay those measured.
        values, events = self.values, self.model.objects.all()
        if self.themes:
            events = events.with_themes(self.themes)
        if period := self.filterset.selected_period:
            events = events.between(first_day=period.start)
        if essay := self.filterset.selected_essay:
            events = events.cited_by(essay)
        if values.get("cited"):
            events = events.cited(values["cited"] == "any")
        if values.get("stance"):
            events = events.with_stance(values["stance"])
        if values.get("from"):
            events = events.between(first_day=values["from"][0])
        if self.search_in_filters:
            events = events.filter(self.search_condition).annotate(score=self.search_score)
        return events

    @cached_property
    def filtered_sql(self) -> tuple[str, tuple]:
        """``filtered`` as SQL and its parameters. The ORM writes the same SQL for every
        selection of one shape (which filters, how many themes): it is written once per shape
        and reused with this selection's values, in the order the filters put them (building
        and compiling the queryset cost a third of a millisecond, about a twentieth of a new
        view). Written anew whenever the values the ORM gives differ from those."""
        shape, params = self.shape_and_params()
        sql = SQL_OF_SHAPE.get(shape)
        if sql is None:
            sql, orm_params, _ = selection_sql(self.filtered)
            if tuple(orm_params) != params:
                return sql, tuple(orm_params)
            SQL_OF_SHAPE[shape] = sql
        return sql, params

    def shape_and_params(self) -> tuple[tuple, tuple]:
        """What decides ``filtered``'s SQL (its database, model and filters, each theme and
        citation choice counted), and its parameters in the order the filters apply them."""
        values, ops = self.values, connections[self.using].ops
        shape, params = [self.using, self.model.__name__], []
        if self.themes:
            shape.append(("themes", len(self.themes)))
            params += [theme.pk for theme in self.themes]
        if period := self.filterset.selected_period:
            shape.append("period")
            params.append(ops.adapt_datefield_value(period.start))
        # An EXISTS subquery selects a parameter, 1, before its own.
        if essay := self.filterset.selected_essay:
            shape.append("essay")
            params += [1, essay.pk]
        if values.get("cited"):
            shape.append(("cited", values["cited"] == "any"))
            params.append(1)
        if values.get("stance"):
            shape.append("stance")
            params.append(values["stance"])
        if values.get("from"):
            shape.append("from")
            params.append(ops.adapt_datefield_value(values["from"][0]))
        if self.search_in_filters:
            # The score's parameters come first: it is selected.
            shape.append("search")
            params = [*self.search_score.params, *params, *self.search_condition.params]
        return tuple(shape), tuple(params)

    @cached_property
    def distinct(self) -> str:
        # Under two themes or more, an event tagged with several has a facet for each. (Made
        # distinct around the filters' SQL: SQLite does not push the arm's bounds into a
        # DISTINCT subquery that has the span class among its columns.)
        return "DISTINCT " if len(self.themes) > 1 else ""

    def sql(self, window_first=None, window_last=None, scored=False) -> tuple[str, tuple]:
        """The selected events as SQL selecting (event_pk, start, span_end), those starting
        from ``window_first`` to ``window_last`` (either may be open): (sql, params). When
        a first day is asked for, span class by class (a UNION ALL): the events of each
        class are read from only as far back as that class reaches, not as far as the
        longest event of all. ``scored``, searching: with a fourth column, ``score``, the
        backend's score of each selected event (lower is better), worked out for those
        alone."""
        sql, params = self.filtered_sql
        longest_span = self.snapshot.longest_span_of(self.themes)
        last = min((day for day in (self.last_day, window_last) if day), default=None)
        earliest = window_first or datetime.date.min
        if self.first_day is None:
            arms = [(None, window_first)]
        elif self.values.get("q"):
            # One arm: each would look the words up again, and the matches bound it anyway.
            arms = [(None, max(self.first_day - longest_span, earliest))]
        else:
            reaches = [datetime.timedelta(days) for days in SPAN_CLASS_DAYS]
            reaches.append(longest_span)
            arms = [
                (span_class, max(self.first_day - reach, earliest))
                for span_class, reach in enumerate(reaches)
            ]
        matches, match_params, columns = "", (), "event_pk, start, span_end"
        if self.words and not self.search_in_filters:
            matched, match_params = self.backend.matches_sql(self.words, scored)
            matches = f"({matched}) AS matches CROSS JOIN "  # CROSS: the matches first
        columns += ", score" if self.words and scored else ""
        selects, arm_params = [], []
        for span_class, first in arms:
            conditions = [
                (condition, value)
                for condition, value in (
                    ("span_class = %s", span_class),
                    ("start >= %s", first),
                    ("start <= %s", last),
                )
                if value is not None
            ]
            if matches:
                conditions.insert(0, ("event_pk = matched", None))
            where = " AND ".join(condition for condition, _ in conditions)
            # Bounds around the ORM's SQL, arm by arm: the ORM cannot write the union.
            selects.append(
                f"SELECT {self.distinct}{columns} FROM {matches}({sql}) AS arm"  # noqa: S608
                + (f" WHERE {where}" if where else "")
            )
            arm_params += [
                *match_params,
                *params,
                *(value for _, value in conditions if value is not None),
            ]
        return " UNION ALL ".join(selects), tuple(arm_params)

    def list_rows(self, first_day, last_day, offset, limit) -> list[dict]:
        """The selected events starting from ``first_day`` to ``last_day`` in time order,
        ``limit`` of them from ``offset``, as dicts of cards.LISTED_FIELDS. Plain SQL around
        the selection already built for the counts; the bounds (from the month counts)
        keep any page's query to the months it shows."""
        sql, params = self.sql(first_day, last_day)
        # Around the selection's plain SQL, which no queryset can hold.
        rows = fetch_rows(
            f"SELECT {listed_columns(self.using)} FROM {Event._meta.db_table} WHERE id IN "  # noqa: S608
            f"(SELECT event_pk FROM ({sql}) AS selected) "
            "ORDER BY start, span_end, title LIMIT %s OFFSET %s",
            (*params, limit, offset),
            self.using,
            prepared=not self.words,
        )
        return listed_rows(rows)

    def ranked_rows(self, offset, limit) -> list[dict]:
        """The selected events, best matches of the search first, ``limit`` of them from
        ``offset``, as dicts of cards.LISTED_FIELDS. Within the first MAX_MARKS, from the best
        matches figures() found; further on, plain SQL around the selection already built
        for the counts, the matches scored in the same query."""
        if self.best_matches is not None and offset + limit <= MAX_MARKS:
            return self.best_match_rows(offset, limit)
        if not self.words:
            return self.list_rows(None, None, offset, limit)  # nothing to rank: time order
        table = Event._meta.db_table
        sql, params = self.backend.ranked_sql(
            self.words, self.sql(), table, listed_columns(self.using, table)
        )
        rows = fetch_rows(f"{sql} LIMIT %s OFFSET %s", (*params, limit, offset), self.using)
        return listed_rows(rows)

    def best_match_rows(self, offset, limit) -> list[dict]:
        """Rows ``offset`` to ``offset + limit`` of the best matches figures()' statement
        found (see counted_figures): their cards by id, put in order by score, start and
        title."""
        score_of = self.best_matches
        listed, params = self.backend.ids_condition(list(score_of))
        # The ids as one parameter, in plain SQL: the ORM took longer than the query.
        rows = listed_rows(
            fetch_rows(
                f"SELECT {listed_columns(self.using)} FROM {Event._meta.db_table} "  # noqa: S608
                f"WHERE {listed}",
                params,
                self.using,
                prepared=True,
            )
        )
        rows.sort(key=lambda row: (score_of[row["pk"]], row["start"], row["title"]))
        return rows[offset : offset + limit]

    def figures(self) -> dict:
        """Figures for the summary line (how many events, which years, how many essays) and
        how many events start in each month, for a density axis and for finding a page's
        months."""
        figures = self.tallied_figures() or self.counted_figures()
        months, first, last, essays = figures
        total = sum(months.values())
        if essays is None:
            essays = self.citing_essays(total)
        return {
            "total": total,
            "first": first and as_date(first),
            "last": last and as_date(last),
            "months": months,
            "essays": essays,
        }

    def tallied_figures(self) -> tuple | None:
        """(months, first start, last span end, citing essays) with the whole months added
        up from the data version's tallies, where the filters allow it (no search, no essay,
        no citation filter, at most MAX_THEMES themes): only the events starting before the
        first whole month (in part of a month, or earlier and still going on) and after the
        last are counted here, in one statement with the essays citing them."""
        values = self.values
        if (
            values.get("q")
            or values.get("essay")
            or values.get("cited")
            or len(values.get("theme") or []) > MAX_THEMES
        ):
            return None
        first_day, last_day = self.first_day, self.last_day
        first_whole, last_whole = 0, month_number(dates.LAST_YEAR + 1, 1)
        rest = []  # windows (first, last start) of the events counted one by one
        if first_day is not None:
            first_whole = month_number(first_day.year, first_day.month) + (first_day.day > 1)
            rest.append((None, month_start(first_whole) - ONE_DAY))
        if last_day is not None:
            last_whole = month_number(last_day.year, last_day.month)
            if last_day != dates.last_day_covered(last_day, dates.MONTH):
                last_whole -= 1
                rest.append((month_start(last_whole + 1), None))
        if first_whole > last_whole:
            return None  # within one month: few events, counted
        themes, stance = [theme.pk for theme in self.themes], values.get("stance") or None
        tallies = self.snapshot.tallies
        months, first, last = tallies.add_up(themes, stance, first_whole, last_whole)
        essays = tallies.citing(themes, stance, first_whole, last_whole)
        if rest:
            # The events at the edges: their counts, and the essays citing any of them.
            selects, params = [], []
            for window in rest:
                sql, window_params = self.sql(*window)
                selects.append(sql)
                params += window_params
            # A MATERIALIZED CTE read twice, grouped by the vendor's month: beyond the ORM.
            rows = fetch_rows(
                f"WITH selected AS MATERIALIZED ({' UNION ALL '.join(selects)}) "  # noqa: S608
                f"SELECT {self.month}, COUNT(*), MIN(start), MAX(span_end) FROM selected "
                f"GROUP BY 1 UNION ALL SELECT NULL, essay.id, NULL, NULL {CITING_ESSAYS}",
                params,
                self.using,
                prepared=True,
            )
            essays.update(essay for started, essay, _, _ in rows if started is None)
            month_rows = [row for row in rows if row[0] is not None]
            _, first, last = add_month_rows(month_rows, months, first, last)
        return months, first, last, len(essays)

    def counted_figures(self) -> tuple:
        """(months, first start, last span end, citing essays or None) counted from the
        selected events."""
        ranking = bool(self.words)
        sql, params = self.sql(scored=ranking)
        # Searching, a fifth column holds the best matches' scores.
        no_score = f", {NO_SCORE}" if ranking else ""
        # Read from a CTE of plain SQL, grouped by the vendor's month: beyond the ORM.
        counts = (
            f"SELECT {self.month}, COUNT(*), MIN(start), MAX(span_end){no_score} FROM selected "  # noqa: S608
            "GROUP BY 1"
        )
        if self.snapshot.events <= ONE_STATEMENT_UP_TO or self.values.get("q"):
            # One statement: the selection is worked out once (MATERIALIZED), then read for
            # the counts, for the essays and, searching, for the best matches: the first
            # MAX_MARKS by score and start, and any tied with the last of them (the title
            # puts those in order: best_match_rows). (A search's is no larger than its
            # matches.)
            # The best matches, read from the same CTE.
            best = (
                f"UNION ALL SELECT '{BEST_MATCH}', event_pk, NULL, NULL, score FROM selected "  # noqa: S608
                "WHERE (score, start) <= (SELECT score, start FROM (SELECT score, start FROM "
                f"selected ORDER BY score, start LIMIT {MAX_MARKS}) AS first_ranks "
                "ORDER BY score DESC, start DESC LIMIT 1)"
            )
            rows = fetch_rows(
                f"WITH selected AS MATERIALIZED ({sql}) {counts} "
                f"UNION ALL SELECT NULL, COUNT(*), NULL, NULL{no_score} {CITING_ESSAYS} "
                + (best if ranking else ""),
                params,
                self.using,
            )
            if ranking:
                self.best_matches = {row[1]: row[4] for row in rows if row[0] == BEST_MATCH}
                rows = [row[:4] for row in rows if row[0] != BEST_MATCH]
        else:
            # Many events: the counts stream from the index; the essays come after.
            rows = fetch_rows(f"WITH selected AS ({sql}) {counts}", params, self.using)
        months = {}
        essays, first, last = add_month_rows(rows, months, None, None)
        return months, first, last, essays

    def citing_essays(self, total) -> int:
        """How many essays cite any of the ``total`` selected events, by the way that suits
        their number."""
        if not total:
            return 0
        if total <= ESSAYS_FROM_CITATIONS_UP_TO:
            sql, params = self.sql()
            return fetch_rows(
                f"WITH selected AS ({sql}) SELECT COUNT(*) {CITING_ESSAYS}",
                params,
                self.using,
            )[0][0]
        # Many: ask of each essay whether it cites a selected event, going through its
        # citations and stopping at the first one that does; no list of them all is built.
        # What the arms add around the filters (see sql) is put back: the last day asked
        # for, the search.
        selected = self.filtered.between(last_day=self.last_day)
        if self.words and not self.search_in_filters:
            selected = selected.search(self.values["q"])
        selected = selected.filter(**{selected.event_field: OuterRef("event_id")})
        citations = Citation.objects.filter(essay=OuterRef("pk")).filter(Exists(selected))
        return Essay.objects.filter(Exists(citations)).count()


def add_month_rows(rows, months, first, last) -> tuple:
    """Add ``rows`` ("YYYY-MM", events, first start, last span end; or NULL, citing essays)
    to ``months`` ((year, month) → events); returns (citing essays or None, first, last)."""
    essays = None
    # Up to a dozen rows a year: as little work for each as will do. Dates come as ISO text
    # from SQLite and as dates from PostgreSQL: either way they compare in order.
    for started, count, month_first, month_last in rows:
        if started is None:
            essays = count
            continue
        months[int(started[:4]), int(started[5:7])] = count
        first = month_first if first is None else min(first, month_first)
        last = month_last if last is None else max(last, month_last)
    return essays, first, last


def selection_sql(events) -> tuple[str, tuple, str]:
    """``events`` (or their facets) as SQL selecting (event_pk, start, span_end,
    span_class), and their ``score`` where a search annotated one: (sql, params, database
    alias)."""
    rows = events.order_by().annotate(event_pk=F(events.event_field))
    scored = ("score",) if "score" in events.query.annotations else ()
    rows = rows.values_list("event_pk", "start", "span_end", "span_class", *scored)
    sql, params = rows.query.sql_with_params()
    return sql, params, events.db


def listed_columns(using, table="") -> str:
    """LISTED_FIELDS as the event table's columns, quoted, under ``table`` when given."""
    quote = connections[using].ops.quote_name
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + quote("id" if name == "pk" else name) for name in LISTED_FIELDS)


def listed_rows(rows) -> list[dict]:
    """Rows of LISTED_FIELDS from plain SQL as dicts, with dates as dates."""
    listed = [dict(zip(LISTED_FIELDS, row, strict=True)) for row in rows]
    for row in listed:
        row["start"] = as_date(row["start"])
        row["end"] = row["end"] and as_date(row["end"])
        row["span_end"] = as_date(row["span_end"])
    return listed


def month_counts(selection) -> dict[tuple[int, int], int]:
    """(year, month) → how many events of a ``selection`` (of selection_sql) start then.
    Plain SQL around the ORM's: building the grouped query through the ORM took longer than
    running it."""
    sql, params, using = selection
    rows = fetch_rows(
        f"SELECT {backend_for(using).month_of_start}, COUNT(*) "  # noqa: S608
        f"FROM ({sql}) AS selected GROUP BY 1",
        params,
        using,
    )
    return {(int(month[:4]), int(month[5:7])): count for month, count in rows}
