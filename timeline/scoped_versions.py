"""The version of what a page shows, rather than of all the data: the last change that could
show on it. Rendered results and ETags keyed on it survive the changes that cannot: an event
saved in 1990 leaves the cached timeline of 2010–2012 and its ETag as they were, and an essay's
page stays as it was while events it does not cite change.

A snapshot (timeline.snapshot) knows the version it was loaded at and the changes it was
brought up to date with since (their DataChange records: the spans of the events changed,
before and after, and the essays citing them). A page's version is the last of those that can
show on it, or the version the snapshot was loaded at when none can. Processes loaded at
different versions may give one page different versions: each names the same content, so a
cache or a browser holding either is right, at worst asking once more.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

# At most this many changes are looked through for a page: past them, the snapshot's own
# version stands for them all.
KEPT_TOUCHES = 1000


@dataclass(frozen=True)
class Touch:
    """One change as a page's version sees it: its version tag and time, the changed events'
    spans (start, span_end) before and after, and the essays citing them."""

    tag: str
    changed_at: datetime.datetime
    spans: frozenset
    essays: frozenset

    def shows_between(self, first_day, last_day) -> bool:
        """Whether an event it changed overlaps the days (either open), as the timeline's
        date filters select (SelectionQuerySet.between)."""
        return any(
            (first_day is None or last >= first_day) and (last_day is None or first <= last_day)
            for first, last in self.spans
        )


@dataclass(frozen=True)
class History:
    """The version a snapshot was loaded at (tag, time) and the changes since, oldest first."""

    tag: str
    changed_at: datetime.datetime
    touches: tuple = field(default=())

    @classmethod
    def loaded_at(cls, tag: str) -> "History":
        return cls(tag, time_of(tag))

    def after(self, touches) -> "History":
        """This history with ``touches`` (newer) added: the oldest let go past KEPT_TOUCHES,
        the version they stood on then standing for them."""
        every = (*self.touches, *touches)
        if len(every) <= KEPT_TOUCHES:
            return History(self.tag, self.changed_at, every)
        dropped, kept = every[:-KEPT_TOUCHES], every[-KEPT_TOUCHES:]
        return History(dropped[-1].tag, dropped[-1].changed_at, kept)

    def version_between(self, first_day, last_day) -> tuple[str, datetime.datetime]:
        """(tag, time) of the last change that could show between the days (either open)."""
        for touch in reversed(self.touches):
            if touch.shows_between(first_day, last_day):
                return touch.tag, touch.changed_at
        return self.tag, self.changed_at

    def version_of_essay(self, essay_id: int) -> tuple[str, datetime.datetime]:
        """(tag, time) of the last change to the essay's citations or the events it cites."""
        for touch in reversed(self.touches):
            if essay_id in touch.essays:
                return touch.tag, touch.changed_at
        return self.tag, self.changed_at


def time_of(tag: str) -> datetime.datetime:
    """The time of the change a version tag (versioning.current) names."""
    micros = int(tag.split(".")[1])
    return datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        microseconds=micros
    )


def tag_of(number: int, changed_at: datetime.datetime) -> str:
    """The version tag of a change, as versioning.current writes it."""
    return f"{number}.{int(changed_at.timestamp() * 1_000_000)}"


def timeline_days(query, snapshot) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day the timeline's date filters of ``query`` ask for (either open),
    as the filter form reads them: a value it would ignore leaves that side open."""
    from .filters import PartialDateField

    firsts, lasts = [], []
    for name, side, days in (("from", 0, firsts), ("to", 1, lasts)):
        try:
            cleaned = PartialDateField(required=False).clean(query.get(name) or "")
        except ValidationError:
            cleaned = None
        if cleaned:
            days.append(cleaned[side])
    if period := snapshot.period_by_slug.get(query.get("period") or ""):
        firsts.append(period.start)
        lasts.append(period.end)
    return (max(firsts) if firsts else None), (min(lasts) if lasts else None)
