"""What the timeline keeps per data version, loaded once per process and version: the themes,
periods and essays the filters offer, figures of the events (their count, first and last day,
longest spans), the month tallies, the filter form's class, and each event's list entry and
card once built (the kept pieces)."""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from html import escape

from . import versioning
from .backends import backend_for
from .cards import Pieces, read_pieces
from .models import COLOUR_PATTERN, DataChange, Essay, Event, EventFacet, Period, Stance, Theme
from .scoped_versions import History, Touch, tag_of, timeline_days
from .sql_rows import as_date, fetch_rows
from .tallies import MonthTallies

# What the citation filter offers: events some essay cites, or those none does.
CITED = {"any": "Cited by an essay", "none": "Cited by no essay"}
# At about 1.2 KB an event, at most about 24 MB of kept pieces per process.
MAX_KEPT_EVENTS = 20_000

_loaded: dict = {}


@dataclass
class Snapshot:
    """One data version's themes, periods and essays, figures of its events and its tallies."""

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
    form_class: type | None = field(default=None, init=False)  # see filters.EventFilter
    # Event id → its Pieces (list entry, card, citations) in this data version: see
    # event_pieces.
    pieces: dict = field(default_factory=dict, init=False)
    # The version it was loaded at and the changes since (None when not loaded for a data
    # version): what each page shows was last changed (see scoped_versions).
    history: History | None = field(default=None, init=False)
    theme_by_slug: dict = field(init=False)
    theme_position: dict = field(init=False)
    theme_name: dict = field(init=False)
    theme_swatch: dict = field(init=False)
    period_by_slug: dict = field(init=False)
    essay_by_slug: dict = field(init=False)
    # Each theme's colour as a CSS rule (/themes.css), and a name for these rules: pages link
    # to the colours by it, so a page is the same whatever else the data version changed.
    themes_css: str = field(init=False)
    themes_version: str = field(init=False)

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
        # The models refuse any other colour; a row written around them still never becomes CSS.
        self.themes_css = "".join(
            f".{theme.colour_class}{{--theme:{theme.colour}}}\n"
            for theme in self.themes
            if re.fullmatch(COLOUR_PATTERN, theme.colour)
        )
        self.themes_version = hashlib.sha256(self.themes_css.encode()).hexdigest()[:12]

    @property
    def stances(self):
        """The stances the filters offer, as (value, label)."""
        return Stance.choices

    @property
    def citation_filters(self):
        """What the citation filter offers, as (value, label)."""
        return list(CITED.items())

    def longest_span_of(self, themes) -> datetime.timedelta:
        """No event of ``themes`` (none: of all events) spans longer."""
        if not themes:
            return self.longest_span
        spans = self.longest_span_by_theme
        return max(spans.get(theme.pk, datetime.timedelta(0)) for theme in themes)

    def version_of_timeline(self, query) -> tuple | None:
        """(tag, time) of the last change that could show in the timeline's results for
        ``query``'s filters (only its dates tell them apart), or None when not known."""
        if self.history is None:
            return None
        return self.history.version_between(*timeline_days(query, self))

    def version_of_essay(self, slug) -> tuple | None:
        """(tag, time) of the last change that could show on the essay's page, or None when
        not known (an essay this version has not)."""
        essay = self.essay_by_slug.get(slug)
        if self.history is None or essay is None:
            return None
        return self.history.version_of_essay(essay.pk)

    @classmethod
    def for_request(cls, request):
        """The snapshot of the data version this request reads."""
        return cls.for_version(versioning.current(request)[0])

    @classmethod
    def for_version(cls, version):
        """The snapshot of this data version, once per process and version: the previous
        one brought up to date when the versions between record what they changed, else
        loaded whole."""
        previous_version, previous = _loaded.get("version"), _loaded.get("snapshot")
        if previous_version != version:
            snapshot = None
            if previous is not None:
                snapshot = previous.brought_up_to(previous_version, version)
            if snapshot is None:
                snapshot = cls.load()
                snapshot.history = History.loaded_at(version)
            _loaded.update(version=version, snapshot=snapshot)
        return _loaded["snapshot"]

    def brought_up_to(self, own_version: str, version: str) -> "Snapshot | None":
        """This snapshot of ``own_version`` made that of ``version`` from the DataChanges
        between them: the tallies of the changed months and essays read anew, the kept
        pieces of the changed events let go; None when that cannot be known (a change of
        anything, a version not recorded, or this one not what the database recorded, as
        after a rolled-back write), and the snapshot must be loaded whole."""
        changes = changes_between(own_version, version)
        if changes is None:
            return None
        months = {month for change in changes for month in change.months}
        essays = {essay for change in changes for essay in change.essays}
        events = {event for change in changes for event in change.events}
        tallies = self.tallies.patched(months, essays) if months else self.tallies
        snapshot = Snapshot(
            themes=self.themes,
            periods=self.periods,
            essays=self.essays,
            **(
                self.figures_after(events, sum(change.events_added for change in changes))
                if months
                else self.figures()
            ),
            tallies=tallies,
        )
        snapshot.form_class = self.form_class
        snapshot.history = self.history_after(changes, snapshot, version)
        # Copied at once (another thread may be adding to them), then the changed let go:
        # filtering tens of thousands one by one cost the reader milliseconds.
        snapshot.pieces = dict(self.pieces)
        for event in events:
            snapshot.pieces.pop(event, None)
        return snapshot

    def history_after(self, changes, snapshot, version) -> History | None:
        """This snapshot's history with ``changes`` (DataChanges) added, for ``snapshot``,
        their outcome at ``version``; begun anew when the events' first or last day moved
        (every timeline's zoom reaches them)."""
        if self.history is None:
            return None
        if (snapshot.first_day, snapshot.last_day) != (self.first_day, self.last_day):
            return History.loaded_at(version)
        return self.history.after(
            Touch(
                tag_of(change.version, change.changed_at),
                change.changed_at,
                frozenset(change.spans),
                frozenset(change.essays),
            )
            for change in changes
        )

    def figures_after(self, events, added) -> dict:
        """The figures of the events once ``events`` (ids) changed, ``added`` more of them
        (fewer when negative): their first and last day read anew, an index each; the
        longest spans kept as bounds and raised by the changed events' own. (An event that
        had the longest span and was shortened leaves the bound higher than it need be until
        the next whole load: filters then read a little more of the index, never less.)"""
        span = backend_for().span_days
        table, facets = Event._meta.db_table, EventFacet._meta.db_table
        ids = ", ".join(["%s"] * len(events)) or "NULL"
        # Each a subquery of its own: MIN and MAX then read one end of an index.
        first_day, last_day, longest = fetch_rows(
            f"SELECT (SELECT MIN(start) FROM {table}), (SELECT MAX(span_end) FROM {table}), "  # noqa: S608
            f"(SELECT MAX({span}) FROM {table} WHERE id IN ({ids}))",
            tuple(events),
        )[0]
        by_theme = dict(self.longest_span_by_theme)
        for theme, days in fetch_rows(
            f"SELECT theme_id, MAX({span}) FROM {facets} WHERE event_id IN ({ids}) "  # noqa: S608
            "GROUP BY theme_id",
            tuple(events),
        ):
            by_theme[theme] = max(by_theme.get(theme, datetime.timedelta(0)), whole_days(days))
        return {
            "longest_span": max(self.longest_span, whole_days(longest)),
            "longest_span_by_theme": by_theme,
            "events": self.events + added,
            "first_day": first_day and as_date(first_day),
            "last_day": last_day and as_date(last_day),
        }

    def figures(self) -> dict:
        return {
            "longest_span": self.longest_span,
            "longest_span_by_theme": self.longest_span_by_theme,
            "events": self.events,
            "first_day": self.first_day,
            "last_day": self.last_day,
        }

    @classmethod
    def load(cls):
        return cls(
            themes=list(Theme.objects.all()),
            periods=list(Period.objects.all()),
            essays=list(Essay.objects.all()),
            **event_figures(),
            tallies=MonthTallies.load(),
        )


def event_figures() -> dict:
    """The longest span of any event and of each theme's, rounded up to whole days (a
    year-precise date spans 364 or 365), and how many events there are. Read from the
    covering indexes of the events and of their facets once per version."""
    span = backend_for().span_days
    # The ORM's date difference is a Python function on SQLite: a vendor expression instead.
    days, events, first_day, last_day = fetch_rows(
        f"SELECT MAX({span}), COUNT(*), MIN(start), MAX(span_end) FROM {Event._meta.db_table}",  # noqa: S608
        (),
    )[0]
    by_theme = fetch_rows(
        f"SELECT theme_id, MAX({span}) FROM {EventFacet._meta.db_table} GROUP BY theme_id",  # noqa: S608
        (),
    )
    return {
        "longest_span": whole_days(days),
        "longest_span_by_theme": {theme: whole_days(days) for theme, days in by_theme},
        "events": events,
        "first_day": first_day and as_date(first_day),
        "last_day": last_day and as_date(last_day),
    }


def changes_between(own_version: str, version: str):
    """The DataChanges from ``own_version`` (excluded) to ``version`` (included), both
    version tags (see versioning.current), or None unless each is recorded, none changes
    everything, and ``own_version`` is the one the database recorded."""
    own_number, own_time = map(int, own_version.split("."))
    number, _ = map(int, version.split("."))
    if not own_number < number <= own_number + versioning.KEPT_CHANGES:
        return None
    rows = list(
        DataChange.objects.filter(version__gte=own_number, version__lte=number).order_by("version")
    )
    if [row.version for row in rows] != list(range(own_number, number + 1)):
        return None
    if int(rows[0].changed_at.timestamp() * 1_000_000) != own_time:
        return None
    changes = rows[1:]
    return None if any(change.everything for change in changes) else changes


def whole_days(days) -> datetime.timedelta:
    return datetime.timedelta(days=int(-(-(days or 0) // 1)))


def event_pieces(rows, snapshot) -> dict[int, Pieces]:
    """Event id → the Pieces of each of ``rows`` (of cards.LISTED_FIELDS). Kept in
    ``snapshot.pieces`` (one per data version): one query reads those not read yet, none when
    all are; entries and cards are built when first shown."""
    kept = snapshot.pieces
    # Read from `kept` once per event into a dict of this call's own: another thread may
    # empty `kept` at any moment, and each step here on it is one atomic dict operation.
    found = {row["pk"]: pieces for row in rows if (pieces := kept.get(row["pk"])) is not None}
    missing = [row for row in rows if row["pk"] not in found]
    if missing:
        read = read_pieces(missing, snapshot)
        found.update(read)
        if len(kept) + len(read) > MAX_KEPT_EVENTS:
            kept.clear()
        kept.update(read)
    return {row["pk"]: found[row["pk"]] for row in rows}
