"""The timeline's filters: one FilterSet shared by the page, its fragment and the exports.

Bad input never fails the request: an unknown value is left out, a bad date is ignored, and
each becomes a friendly notice shown above the results.
"""

import copy
import datetime
import json
from dataclasses import dataclass, field
from html import escape

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, F, OuterRef
from django.utils.text import Truncator

from . import dates, versioning
from .axis import MAX_MARKS
from .cards import CARD_FIELDS
from .models import (
    FTS_TABLE,
    SPAN_CLASS_DAYS,
    Citation,
    Essay,
    Event,
    EventFacet,
    Period,
    Stance,
    Theme,
    fts_query,
    search_words,
)
from .tallies import MAX_THEMES, MONTH_OF_START, MonthTallies, month_number, month_start

MAX_QUERY_LENGTH = 200
# What the citation filter offers: events some essay cites, or those none does.
CITED = {"any": "Cited by an essay", "none": "Cited by no essay"}


def shorten(value: str) -> str:
    return Truncator(value).chars(40)


_loaded_choices: dict = {}


@dataclass
class TimelineChoices:
    """The themes, periods and essays the filters offer, the longest span of an event and how
    many events there are: loaded once per process and data version."""

    themes: list[Theme]
    periods: list[Period]
    essays: list[Essay]
    # No event spans longer: date filters read the events' start index from (first day −
    # this) rather than from the first event.
    longest_span: datetime.timedelta
    # The same among the events of each theme (id → span): most themes have no event as long
    # as the longest of all, so their filters read less of the index.
    longest_span_by_theme: dict
    events: int
    # The first day of the earliest event and the last day of the latest (None without
    # events): how far the axis may zoom out or pan.
    first_day: datetime.date | None
    last_day: datetime.date | None
    tallies: MonthTallies
    form_class: type | None = field(default=None, init=False)  # see EventFilter
    # Event id → its list entry, card and citations in this data version: see
    # cards.event_pieces.
    pieces: dict = field(default_factory=dict, init=False)
    theme_by_slug: dict = field(init=False)
    theme_position: dict = field(init=False)
    theme_name: dict = field(init=False)
    theme_swatch: dict = field(init=False)
    period_by_slug: dict = field(init=False)
    essay_by_slug: dict = field(init=False)

    def __post_init__(self):
        self.theme_by_slug = {theme.slug: theme for theme in self.themes}
        # For the list entries and cards (timeline.cards): each theme's place, its name
        # escaped, and its name with its colour's swatch.
        self.theme_position = {theme.id: index for index, theme in enumerate(self.themes)}
        self.theme_name = {theme.id: escape(theme.name) for theme in self.themes}
        self.theme_swatch = {
            theme.id: f'<span class="{theme.colour_class}">{self.theme_name[theme.id]}</span>'
            for theme in self.themes
        }
        self.period_by_slug = {period.slug: period for period in self.periods}
        self.essay_by_slug = {essay.slug: essay for essay in self.essays}

    @property
    def stances(self):
        """The stances the filters offer, as (value, label)."""
        return Stance.choices

    @property
    def citation_filters(self):
        """What the citation filter offers, as (value, label)."""
        return list(CITED.items())

    @classmethod
    def for_request(cls, request):
        """The choices of the data version this request reads."""
        return cls.for_version(versioning.current(request)[0])

    @classmethod
    def for_version(cls, version):
        """The choices of this data version, loaded once per process and version."""
        if _loaded_choices.get("version") != version:
            _loaded_choices.update(version=version, choices=cls.load())
        return _loaded_choices["choices"]

    @classmethod
    def load(cls):
        return cls(
            themes=list(Theme.objects.all()),
            periods=list(Period.objects.all()),
            essays=list(Essay.objects.all()),
            **event_figures(),
            tallies=MonthTallies.load(),
        )


# SQLite and PostgreSQL are the databases the app runs on (migration 0008's triggers).
# An event's span in days:
SPAN_DAYS = {"sqlite": "julianday(span_end) - julianday(start)", "postgresql": "span_end - start"}


def event_figures() -> dict:
    """The longest span of any event and of each theme's, rounded up to whole days (a
    year-precise date spans 364 or 365), and how many events there are. Read from the
    covering indexes of the events and of their facets once per version."""
    span = SPAN_DAYS[connections["default"].vendor]
    days, events, first_day, last_day = fetch_rows(
        f"SELECT MAX({span}), COUNT(*), MIN(start), MAX(span_end) FROM {Event._meta.db_table}",
        (),
    )[0]
    by_theme = fetch_rows(
        f"SELECT theme_id, MAX({span}) FROM {EventFacet._meta.db_table} GROUP BY theme_id", ()
    )
    return {
        "longest_span": whole_days(days),
        "longest_span_by_theme": {theme: whole_days(days) for theme, days in by_theme},
        "events": events,
        "first_day": first_day and as_date(first_day),
        "last_day": last_day and as_date(last_day),
    }


def whole_days(days) -> datetime.timedelta:
    return datetime.timedelta(days=int(-(-(days or 0) // 1)))


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Unknown values are sorted out by the form's clean method, not refused wholesale."""

    def validate(self, value):
        pass


class LenientChoiceField(forms.ChoiceField):
    def validate(self, value):
        pass


class PartialDateField(forms.CharField):
    """A year ("2012"), a month ("2012-05") or a day ("2012-05-07") → (first, last day)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            first_day, precision = dates.parse_partial_date(value)
        except dates.PartialDateError:
            raise forms.ValidationError(
                "“%(value)s” is not a year (2012) or a date (2012-05-07), so it was ignored.",
                params={"value": shorten(value)},
            ) from None
        if not dates.in_range(first_day):
            raise forms.ValidationError(
                "“%(value)s” is outside the years %(first)s–%(last)s, so it was ignored.",
                params={
                    "value": shorten(value),
                    "first": dates.FIRST_YEAR,
                    "last": dates.LAST_YEAR,
                },
            )
        return first_day, dates.last_day_covered(first_day, precision)


class SharedFields(dict):
    """A filter form's fields, given to each form as they are. Django deep-copies a form's
    fields for every form it makes, so that one form may change its own; a filter form only
    reads them (to clean a request, or to render the filters)."""

    def __deepcopy__(self, memo):
        return dict(self)


class CopiedCheaply:
    """Every FilterSet deep-copies its filters, and copying their FilterMethods and
    arguments in depth was a tenth of a filter change's cost. A filter holds nothing a
    request changes but its arguments and its FilterMethod, bound to the copy anew."""

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        copied.extra = dict(self.extra)
        copied.method = self.method
        return copied


class LenientMultipleChoiceFilter(CopiedCheaply, django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField


class LenientChoiceFilter(CopiedCheaply, django_filters.ChoiceFilter):
    field_class = LenientChoiceField


class TextFilter(CopiedCheaply, django_filters.CharFilter):
    pass


class PartialDateFilter(CopiedCheaply, django_filters.Filter):
    field_class = PartialDateField


class EventFilterForm(forms.Form):
    def __init__(self, *args, choices: TimelineChoices, **kwargs):
        self.choices = choices
        self.notices: list[str] = []
        super().__init__(*args, **kwargs)

    def _known(self, values, known, noun):
        kept = []
        for value in values:
            if value in known:
                kept.append(value)
            else:
                self.notices.append(f"There is no {noun} “{shorten(value)}”, so it was left out.")
        return kept

    def _known_one(self, name, known):
        value = self.cleaned_data.get(name)
        kept = self._known([value] if value else [], known, name)
        return kept[0] if kept else ""

    def clean_theme(self):
        return self._known(
            self.cleaned_data.get("theme") or [], self.choices.theme_by_slug, "theme"
        )

    def clean_period(self):
        return self._known_one("period", self.choices.period_by_slug)

    def clean_essay(self):
        return self._known_one("essay", self.choices.essay_by_slug)

    def clean_stance(self):
        return self._known_one("stance", Stance.values)

    def clean_cited(self):
        return self._known_one("cited", CITED)

    def clean_q(self):
        text = " ".join((self.cleaned_data.get("q") or "").split())
        if len(text) > MAX_QUERY_LENGTH:
            self.notices.append(
                f"The search text was cut to its first {MAX_QUERY_LENGTH} characters."
            )
            text = Truncator(text).chars(MAX_QUERY_LENGTH, truncate="").strip()
        return text

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last and last[1] < first[0]:
            self.notices.append("“To” was before “from”, so the two were swapped.")
            cleaned["from"], cleaned["to"] = last, first
        return cleaned

    @property
    def all_notices(self) -> list[str]:
        messages = list(self.notices)
        for errors in self.errors.values():
            messages.extend(errors)
        return messages


class EventFilter(django_filters.FilterSet):
    theme = LenientMultipleChoiceFilter(method="filter_theme", label="Themes")
    period = LenientChoiceFilter(method="filter_period", label="Period")
    essay = LenientChoiceFilter(method="filter_essay", label="Cited by essay")
    cited = LenientChoiceFilter(method="filter_cited", label="Essays")
    stance = LenientChoiceFilter(method="filter_stance", label="Stance")
    q = TextFilter(method="filter_q", label="Search")

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    # While the selection is built: the date filters leave the bounds on the start out, for
    # selection() to set class by class, and on SQLite the search leaves its words out, for
    # selection() to look up first.
    building_selection = False
    # Event id → bm25 score of a search's first MAX_MARKS ranks (and any tied with the last),
    # once the summary has found them on SQLite.
    _best_matches = None

    def __init__(self, data=None, *args, choices: TimelineChoices, **kwargs):
        self.choices = choices
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        """The form's fields depend only on the choices: built once for them, not on every
        request."""
        if self.choices.form_class is None:
            options = {
                "theme": [(t.slug, t.name) for t in self.choices.themes],
                "period": [(p.slug, p.name) for p in self.choices.periods],
                "essay": [(e.slug, e.title) for e in self.choices.essays],
                "stance": Stance.choices,
                "cited": list(CITED.items()),
            }
            for name, offered in options.items():
                # A callable: every form deep-copies its fields, and copying the lists
                # themselves was most of a filter form's cost. Only a rendered form reads them.
                self.filters[name].extra["choices"] = lambda offered=offered: offered
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            self.choices.form_class = form_class
        return self.choices.form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            if self.is_bound:
                self._form = form_class(self.data, prefix=self.form_prefix, choices=self.choices)
            else:
                self._form = form_class(prefix=self.form_prefix, choices=self.choices)
        return self._form

    def longest_span(self) -> datetime.timedelta:
        """No selected event spans longer: the longest among the chosen themes' events, or
        among all events."""
        themes = self.selected_themes
        if not themes:
            return self.choices.longest_span
        spans = self.choices.longest_span_by_theme
        return max(spans.get(theme.pk, datetime.timedelta(0)) for theme in themes)

    def filter_theme(self, queryset, name, value):
        themes = [self.choices.theme_by_slug[slug] for slug in value]
        return queryset.with_themes(themes) if themes else queryset

    def filter_period(self, queryset, name, value):
        if not value:
            return queryset
        period = self.choices.period_by_slug[value]
        if self.building_selection:
            return queryset.between(first_day=period.start)
        return queryset.in_period(period, self.longest_span())

    def filter_essay(self, queryset, name, value):
        return queryset.cited_by(self.choices.essay_by_slug[value]) if value else queryset

    def filter_stance(self, queryset, name, value):
        return queryset.with_stance(value) if value else queryset

    def filter_cited(self, queryset, name, value):
        return queryset.cited(value == "any") if value else queryset

    def filter_q(self, queryset, name, value):
        if not value or (self.building_selection and self.matches_first(queryset.db)):
            return queryset
        return queryset.search(value)

    def matches_first(self, using) -> bool:
        """Whether the selection starts from the search's matches (SQLite: FTS5 hands them
        over cheaply, where probing them for every event of a theme cost four times more)."""
        return bool(search_words(self.values.get("q") or "")) and (
            connections[using].vendor == "sqlite"
        )

    def filter_from(self, queryset, name, value):
        if not value:
            return queryset
        if self.building_selection:
            return queryset.between(first_day=value[0])
        return queryset.between(first_day=value[0], longest_span=self.longest_span())

    def filter_to(self, queryset, name, value):
        if not value or self.building_selection:
            return queryset
        return queryset.between(last_day=value[1])

    # Cleaned values of the current request, with bad parts already left out.
    @property
    def values(self) -> dict:
        self.is_valid()
        return self.form.cleaned_data

    @property
    def notices(self) -> list[str]:
        self.is_valid()
        return self.form.all_notices

    @property
    def selected_themes(self) -> list[Theme]:
        return [self.choices.theme_by_slug[slug] for slug in self.values.get("theme") or []]

    @property
    def selected_period(self) -> Period | None:
        return self.choices.period_by_slug.get(self.values.get("period") or "")

    @property
    def selected_essay(self) -> Essay | None:
        return self.choices.essay_by_slug.get(self.values.get("essay") or "")

    def date_bounds(self):
        """The first and last day the filters ask for, or None where they leave it open."""
        firsts, lasts = [], []
        if self.values.get("from"):
            firsts.append(self.values["from"][0])
        if self.values.get("to"):
            lasts.append(self.values["to"][1])
        if period := self.selected_period:
            firsts.append(period.start)
            lasts.append(period.end)
        return (max(firsts) if firsts else None), (min(lasts) if lasts else None)

    def selection(
        self, window_first=None, window_last=None, scored=False
    ) -> tuple[str, tuple, str]:
        """The selected events as SQL selecting (event_pk, start, span_end), those starting
        from ``window_first`` to ``window_last`` (either may be open): (sql, params,
        database alias). Through their facets when themes are chosen (one index holds
        theme, dates and stance), else the events. When a first day is asked for, span
        class by class (a UNION ALL): the events of each class are read from only as far
        back as that class reaches, not as far as the longest event of all. ``scored``,
        when the selection starts from a search's matches: with a fourth column, ``score``,
        FTS5's bm25 of each selected event (lower is better), worked out for those alone."""
        if not hasattr(self, "_selected"):
            themes = self.values.get("theme") or []
            self.building_selection = True
            self._selected = self.filter_queryset((EventFacet if themes else Event).objects.all())
            self.building_selection = False
            self._unbounded = selection_sql(self._selected)
            # Under two themes or more, an event tagged with several has a facet for each.
            # (Made distinct around the filters' SQL: SQLite does not push the arm's bounds
            # into a DISTINCT subquery that has the span class among its columns.)
            self._distinct = "DISTINCT " if len(themes) > 1 else ""
        sql, params, using = self._unbounded
        first_day, last_day = self.date_bounds()
        last = min((day for day in (last_day, window_last) if day), default=None)
        earliest = window_first or datetime.date.min
        if first_day is None:
            arms = [(None, window_first)]
        elif self.values.get("q"):
            # One arm: each would look the words up again, and the matches bound it anyway.
            arms = [(None, max(first_day - self.longest_span(), earliest))]
        else:
            reaches = [datetime.timedelta(days) for days in SPAN_CLASS_DAYS]
            reaches.append(self.longest_span())
            arms = [
                (span_class, max(first_day - reach, earliest))
                for span_class, reach in enumerate(reaches)
            ]
        matches, match_params, columns = "", (), "event_pk, start, span_end"
        if self.matches_first(using):
            score = f", bm25({FTS_TABLE}) AS score" if scored else ""
            matches = (
                f"(SELECT rowid AS matched{score} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                "AS matches CROSS JOIN "  # CROSS: the matches first
            )
            match_params = (fts_query(search_words(self.values["q"])),)
            columns += ", score" if scored else ""
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
            selects.append(
                f"SELECT {self._distinct}{columns} FROM {matches}({sql}) AS arm"
                + (f" WHERE {where}" if where else "")
            )
            arm_params += [
                *match_params,
                *params,
                *(value for _, value in conditions if value is not None),
            ]
        return " UNION ALL ".join(selects), tuple(arm_params), using

    def list_rows(self, first_day, last_day, offset, limit) -> list[dict]:
        """The selected events starting from ``first_day`` to ``last_day`` in time order,
        ``limit`` of them from ``offset``, as dicts of cards.CARD_FIELDS. Plain SQL around
        the selection already built for the counts; the bounds (from the month counts)
        keep any page's query to the months it shows."""
        sql, params, using = self.selection(first_day, last_day)
        rows = fetch_rows(
            f"SELECT {card_columns(using)} FROM {Event._meta.db_table} WHERE id IN "
            f"(SELECT event_pk FROM ({sql}) AS selected) "
            "ORDER BY start, span_end, title LIMIT %s OFFSET %s",
            (*params, limit, offset),
            using,
        )
        return card_rows(rows)

    def ranked_rows(self, offset, limit) -> list[dict]:
        """The selected events, best matches of the search first, ``limit`` of them from
        ``offset``, as dicts of cards.CARD_FIELDS. Within the first MAX_MARKS, from the best
        matches the summary found (SQLite); further on, plain SQL around the selection
        already built for the counts (FTS5 scores the matches in the same query); elsewhere
        through the ORM's best_matches_first."""
        if self._best_matches is not None and offset + limit <= MAX_MARKS:
            return self.best_match_rows(offset, limit)
        sql, params, using = self.selection()
        words = search_words(self.values["q"])
        if connections[using].vendor != "sqlite" or not words:
            listed = self.qs.best_matches_first(self.values["q"])
            return list(listed.values(*CARD_FIELDS)[offset : offset + limit])
        table = Event._meta.db_table
        columns = card_columns(using, table)
        rows = fetch_rows(
            f"SELECT {columns} FROM {table} JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = {table}.id "
            f"WHERE {FTS_TABLE} MATCH %s AND {table}.id IN (SELECT event_pk FROM ({sql}) AS "
            f"selected) ORDER BY bm25({FTS_TABLE}), {table}.start, {table}.title "
            "LIMIT %s OFFSET %s",
            (fts_query(words), *params, limit, offset),
            using,
        )
        return card_rows(rows)

    def best_match_rows(self, offset, limit) -> list[dict]:
        """Rows ``offset`` to ``offset + limit`` of the best matches the summary's statement
        found (see counted_figures): their cards by id, put in order by score, start and
        title."""
        score_of = self._best_matches
        rows = card_rows(
            fetch_rows(
                f"SELECT {card_columns(self.queryset.db)} FROM {Event._meta.db_table} "
                "WHERE id IN (SELECT value FROM json_each(%s))",
                (json.dumps(list(score_of)),),
                self.queryset.db,
            )
        )
        rows.sort(key=lambda row: (score_of[row["pk"]], row["start"], row["title"]))
        return rows[offset : offset + limit]

    def summary(self) -> dict:
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
        first_day, last_day = self.date_bounds()
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
        themes, stance = [theme.pk for theme in self.selected_themes], values.get("stance") or None
        tallies = self.choices.tallies
        months, first, last = tallies.add_up(themes, stance, first_whole, last_whole)
        essays = tallies.citing(themes, stance, first_whole, last_whole)
        if rest:
            # The events at the edges: their counts, and the essays citing any of them.
            selects, params = [], []
            for window in rest:
                sql, window_params, using = self.selection(*window)
                selects.append(sql)
                params += window_params
            month = MONTH_OF_START[connections[using].vendor]
            rows = fetch_rows(
                f"WITH selected AS MATERIALIZED ({' UNION ALL '.join(selects)}) "
                f"SELECT {month}, COUNT(*), MIN(start), MAX(span_end) FROM selected GROUP BY 1 "
                f"UNION ALL SELECT NULL, essay.id, NULL, NULL {CITING_ESSAYS}",
                params,
                using,
            )
            essays.update(essay for started, essay, _, _ in rows if started is None)
            month_rows = [row for row in rows if row[0] is not None]
            _, first, last = add_month_rows(month_rows, months, first, last)
        return months, first, last, len(essays)

    def counted_figures(self) -> tuple:
        """(months, first start, last span end, citing essays or None) counted from the
        selected events."""
        ranking = self.matches_first(self.queryset.db)
        sql, params, using = self.selection(scored=ranking)
        month = MONTH_OF_START[connections[using].vendor]
        counts = f"SELECT {month}, COUNT(*), MIN(start), MAX(span_end) FROM selected GROUP BY 1"
        if self.choices.events <= ONE_STATEMENT_UP_TO or self.values.get("q"):
            # One statement: the selection is worked out once (MATERIALIZED), then read for
            # the counts, for the essays and, searching, for the best matches: the first
            # MAX_MARKS by score and start, and any tied with the last of them (the title
            # puts those in order: best_match_rows). (A search's is no larger than its
            # matches.)
            best = (
                f"UNION ALL SELECT '{BEST_MATCH}', event_pk, score, start FROM selected "
                "WHERE (score, start) <= (SELECT score, start FROM (SELECT score, start FROM "
                f"selected ORDER BY score, start LIMIT {MAX_MARKS}) "
                "ORDER BY score DESC, start DESC LIMIT 1)"
            )
            rows = fetch_rows(
                f"WITH selected AS MATERIALIZED ({sql}) {counts} "
                f"UNION ALL SELECT NULL, COUNT(*), NULL, NULL {CITING_ESSAYS} "
                + (best if ranking else ""),
                params,
                using,
            )
            if ranking:
                self._best_matches = {
                    event: score for kind, event, score, _ in rows if kind == BEST_MATCH
                }
                rows = [row for row in rows if row[0] != BEST_MATCH]
        else:
            # Many events: the counts stream from the index; the essays come after.
            rows = fetch_rows(f"WITH selected AS ({sql}) {counts}", params, using)
        months = {}
        essays, first, last = add_month_rows(rows, months, None, None)
        return months, first, last, essays

    def citing_essays(self, total) -> int:
        """How many essays cite any of the ``total`` selected events, by the way that suits
        their number."""
        if not total:
            return 0
        sql, params, using = self.selection()
        if total <= ESSAYS_FROM_CITATIONS_UP_TO:
            return fetch_rows(
                f"WITH selected AS ({sql}) SELECT COUNT(*) {CITING_ESSAYS}", params, using
            )[0][0]
        # Many: ask of each essay whether it cites a selected event, going through its
        # citations and stopping at the first one that does; no list of them all is built.
        # What the selection adds around the filters (see selection) is put back: the last
        # day asked for, the search.
        selected = self._selected.between(last_day=self.date_bounds()[1])
        if self.matches_first(selected.db):
            selected = selected.search(self.values["q"])
        selected = selected.filter(**{selected.event_field: OuterRef("event_id")})
        citations = Citation.objects.filter(essay=OuterRef("pk")).filter(Exists(selected))
        return Essay.objects.filter(Exists(citations)).count()


# The essays citing any event of ``selected`` (a CTE of selection_sql): asked of each essay
# (they are few), stopping at its first citation of a selected event.
CITING_ESSAYS = (
    f"FROM {Essay._meta.db_table} essay WHERE EXISTS (SELECT 1 FROM "
    f"{Citation._meta.db_table} citation WHERE citation.essay_id = essay.id "
    "AND citation.event_id IN (SELECT event_pk FROM selected))"
)
# Marks the rows of the best matches among a search's summary rows (not a month, not NULL).
BEST_MATCH = "best"
# Up to this many events in all, any selection is small enough to be worked out once and
# read twice. Beyond, a large one would be written out whole: the counts stream instead.
ONE_STATEMENT_UP_TO = 20_000
# Beyond this many selected events, listing them all to find their essays costs more than
# going through each essay's citations.
ESSAYS_FROM_CITATIONS_UP_TO = 2_000


def filterset_for(request, query, queryset=None) -> "EventFilter":
    """The filters of ``query`` (a QueryDict) on ``queryset`` (the events in timeline order
    when not given), with the choices of the request's data version."""
    if queryset is None:
        queryset = Event.objects.order_by("start", "span_end", "title")
    return EventFilter(query, queryset=queryset, choices=TimelineChoices.for_request(request))


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


ONE_DAY = datetime.timedelta(days=1)


def selection_sql(events) -> tuple[str, tuple, str]:
    """``events`` (or their facets) as SQL selecting (event_pk, start, span_end,
    span_class): (sql, params, database alias)."""
    rows = events.order_by().annotate(event_pk=F(events.event_field))
    rows = rows.values_list("event_pk", "start", "span_end", "span_class")
    sql, params = rows.query.sql_with_params()
    return sql, params, events.db


def card_columns(using, table="") -> str:
    """CARD_FIELDS as the event table's columns, quoted, under ``table`` when given."""
    quote = connections[using].ops.quote_name
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + quote("id" if name == "pk" else name) for name in CARD_FIELDS)


def card_rows(rows) -> list[dict]:
    """Rows of CARD_FIELDS from plain SQL as dicts, with dates as dates."""
    listed = [dict(zip(CARD_FIELDS, row, strict=True)) for row in rows]
    for row in listed:
        row["start"] = as_date(row["start"])
        row["end"] = row["end"] and as_date(row["end"])
        row["span_end"] = as_date(row["span_end"])
    return listed


def fetch_rows(sql, params, using="default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def month_counts(selection) -> dict[tuple[int, int], int]:
    """(year, month) → how many events of a ``selection`` (of selection_sql) start then.
    Plain SQL around the ORM's: building the grouped query through the ORM took longer than
    running it."""
    sql, params, using = selection
    rows = fetch_rows(
        f"SELECT {MONTH_OF_START[connections[using].vendor]}, COUNT(*) "
        f"FROM ({sql}) AS selected GROUP BY 1",
        params,
        using,
    )
    return {(int(month[:4]), int(month[5:7])): count for month, count in rows}


# "from" is a Python keyword, so these two filters are declared after the class.
EventFilter.base_filters["from"] = PartialDateFilter(method="filter_from", label="From")
EventFilter.base_filters["to"] = PartialDateFilter(method="filter_to", label="To")
