"""The span of time the axis shows, and zooming or panning it.

A window is whole months, or whole years once it spans three years or more. It is read from
the timeline's date filters (or the selection's own first and last day) and written back as
``from`` and ``to``, so every zoom is a plain link and a shareable address.
"""

import datetime
import functools
from dataclasses import dataclass

from .tallies import month_number, month_start, year_and_month

# A window of at least this many months shows (and zooms by) whole years.
YEAR_WINDOW_MONTHS = 36
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Window:
    """Months ``first`` to ``end`` (exclusive), as tallies.month_number values."""

    first: int
    end: int

    @classmethod
    def around(cls, first_day: datetime.date, last_day: datetime.date) -> "Window":
        """The smallest window holding both days: whole years when that spans three years
        or more, else whole months."""
        last_day = max(first_day, last_day)
        first = month_number(first_day.year, first_day.month)
        last = month_number(last_day.year, last_day.month)
        if last + 1 - first >= YEAR_WINDOW_MONTHS:
            return cls(month_number(first_day.year, 1), month_number(last_day.year + 1, 1))
        return cls(first, last + 1)

    @property
    def months(self) -> int:
        return self.end - self.first

    @property
    def by_year(self) -> bool:
        return self.months >= YEAR_WINDOW_MONTHS and self.first % 12 == 0 and self.end % 12 == 0

    # Worked out once: an axis places a hundred marks and their ends on the same window.
    @functools.cached_property
    def first_day(self) -> datetime.date:
        return month_start(self.first)

    @functools.cached_property
    def end_day(self) -> datetime.date:
        """The first day after the window."""
        return month_start(self.end)

    @functools.cached_property
    def days(self) -> int:
        return (self.end_day - self.first_day).days

    def x(self, day: datetime.date) -> float:
        """Where ``day`` begins, in percent of the window's width (outside 0–100 when
        outside the window)."""
        return (day - self.first_day).days / self.days * 100

    def filters(self) -> dict[str, str]:
        """The window as the timeline's ``from`` and ``to`` filters."""
        if self.by_year:
            return {"from": str(self.first // 12), "to": str((self.end - 1) // 12)}
        return {"from": month_text(self.first), "to": month_text(self.end - 1)}

    @property
    def label(self) -> str:
        """ "1987–2026", "2021", "Mar 2021 – May 2021" or "Apr 2021"."""
        if self.by_year or (self.first % 12 == 0 and self.months % 12 == 0):
            first, last = self.first // 12, (self.end - 1) // 12
            return str(first) if first == last else f"{first}–{last}"
        first, last = month_label(self.first), month_label(self.end - 1)
        return first if first == last else f"{first} – {last}"

    def zoomed_in(self) -> "Window | None":
        """Half as long around the same middle; None when a month already."""
        if self.months <= 1:
            return None
        return self.resized(-(-self.months // 2))

    def zoomed_out(self, extent: "Window") -> "Window | None":
        """Twice as long around the same middle, within ``extent``; None when that would
        hold the whole extent (the timeline without date filters)."""
        if self.months * 2 >= extent.months:
            return None
        return self.resized(self.months * 2).within(extent)

    def panned(self, direction: int, extent: "Window") -> "Window | None":
        """Moved half its length earlier (``direction`` −1) or later (+1), within
        ``extent``; None when already at that end."""
        if (direction < 0 and self.first <= extent.first) or (
            direction > 0 and self.end >= extent.end
        ):
            return None
        step = max(1, self.months // 2)
        if self.by_year:
            step = max(12, step // 12 * 12)
        moved = Window(self.first + direction * step, self.end + direction * step)
        return moved.within(extent)

    def resized(self, months: int) -> "Window":
        """``months`` long around the same middle: whole years when that is long enough."""
        middle_twice = self.first + self.end
        if months >= YEAR_WINDOW_MONTHS:
            years = round(months / 12)
            first_year = round((middle_twice / 2) / 12 - years / 2)
            return Window(first_year * 12, (first_year + years) * 12)
        first = (middle_twice - months) // 2
        return Window(first, first + months)

    def within(self, extent: "Window") -> "Window":
        """Shifted (not shrunk, unless longer than it) to lie inside ``extent``."""
        if self.months >= extent.months:
            return extent
        shift = max(extent.first - self.first, 0) - max(self.end - extent.end, 0)
        return Window(self.first + shift, self.end + shift)


def month_text(number: int) -> str:
    year, month = year_and_month(number)
    return f"{year:04d}-{month:02d}"


def month_label(number: int) -> str:
    year, month = year_and_month(number)
    return f"{MONTH_NAMES[month - 1]} {year}"
