"""Geometry of the time axis, computed on the server and drawn as SVG by the template.

Cooperation is drawn above the line, confrontation below it and mixed events on it. Marks
that would overlap are stacked in lanes. When there are more events than can be drawn
legibly, the axis shows how many events fall in each year instead (density bars).
"""

import datetime
import functools
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from . import dates
from .models import Stance

# The same events come back on axis after axis: their escaped titles, dates and addresses
# are kept rather than escaped again.
escape_kept = functools.lru_cache(maxsize=65_536)(escape)


def escape_timeline_url(url: str) -> str:
    """A link of the axis to the timeline, escaped for an attribute. Such a link is a path of
    ours and a query that urlencode and quote_plus wrote: "&" is the one character in it
    that HTML needs escaped."""
    return url.replace("&", "&amp;")


WIDTH = 1000
LANE = 18
MARK_RADIUS = 6
GAP = 4
TOP = 34  # room for the period labels
BOTTOM = 30  # room for the year labels
MAX_LANES = 16  # per stance zone; more means the axis switches to density
# The event values a mark is drawn from, besides its colour and URL.
MARK_FIELDS = (
    "slug",
    "title",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "span_end",
    "approximate",
    "stance",
)
MAX_MARKS = 100  # beyond that, marks crowd the axis and weigh down the page


@dataclass
class Mark:
    slug: str
    title: str
    date_text: str
    stance: str
    colour: str
    url: str
    x: float
    width: float  # 0 for a point
    precise: bool  # a day-precise point or range, drawn solid
    lane: int = 0
    y: float = 0

    @property
    def bar_y(self) -> float:
        return self.y - 4

    def svg(self) -> str:
        """The mark as a link: its stance's shape (defined once, see SHAPES), after a bar
        for a span of time or a date known only to the month or year."""
        bar = ""
        if self.width:
            vague = "" if self.precise else " mark-bar--vague"
            bar = (
                f'<rect class="mark-bar{vague}" x="{self.x:g}" y="{self.bar_y:g}" '
                f'width="{self.width:g}" height="8" rx="3"/>'
            )
        return (
            f'<a href="{escape_kept(self.url)}" class="mark" fill="{escape_kept(self.colour)}" '
            f'aria-label="{escape_kept(self.title)}, {escape_kept(self.date_text)}, '
            f'{self.stance}">{bar}'
            f'<use href="#shape-{self.stance}" x="{self.x:g}" y="{self.y:g}"/></a>'
        )


def shape_points(stance: str) -> str:
    """The stance's shape around (0, 0): ▲ cooperation, ▼ confrontation, ◆ mixed."""
    r = MARK_RADIUS
    if stance == Stance.COOPERATION:
        corners = [(0, -r), (r, r * 0.8), (-r, r * 0.8)]
    elif stance == Stance.CONFRONTATION:
        corners = [(-r, -r * 0.8), (r, -r * 0.8), (0, r)]
    else:
        corners = [(0, -r), (r, 0), (0, r), (-r, 0)]
    return " ".join(f"{x:g},{y:g}" for x, y in corners)


# Each mark refers to its stance's shape rather than repeating the polygon: the axis of a
# filter change is most of its weight.
SHAPES = mark_safe(
    "".join(
        f'<polygon id="shape-{stance}" points="{shape_points(stance)}"/>'
        for stance in Stance.values
    )
)


@dataclass
class Band:
    slug: str
    name: str
    span_text: str
    x: float
    width: float
    url: str
    shaded: bool
    label_fits: bool

    @property
    def label_x(self) -> float:
        return self.x + 4

    def svg(self, height: float) -> str:
        """The band as a link to its period, ``height`` tall, labelled where it fits."""
        shaded = " band--shaded" if self.shaded else ""
        name, span = escape(self.name), escape(self.span_text)
        label = (
            f'<text class="band-label" x="{self.label_x:g}" y="16">{name}</text>'
            if self.label_fits
            else ""
        )
        return (
            f'<a href="{escape_timeline_url(self.url)}" class="band-link" '
            f'aria-label="Show only the period {name}, {span}"><rect class="band{shaded}" '
            f'x="{self.x:g}" y="0" width="{self.width:g}" height="{height:g}"/>{label}'
            f"<title>{name} ({span}): show only this period</title></a>"
        )


@dataclass
class Tick:
    year: int
    x: float
    url: str  # "" when not labelled
    labelled: bool

    def svg(self, label_y: float) -> str:
        """A labelled year as a link to that year (unlabelled ticks are only in tick_path)."""
        return (
            f'<a href="{escape_timeline_url(self.url)}" aria-label="Show only {self.year}">'
            f'<text x="{self.x:g}" y="{label_y:g}">{self.year}</text></a>'
        )


@dataclass
class DensityBar:
    year: str  # the bucket's label: "2012" or "2012-05"
    count: int
    x: float
    width: float
    height: float
    y: float
    url: str

    def svg(self) -> str:
        # The title names the link and shows as its tooltip.
        label = f"{self.year}: {self.count} event{'' if self.count == 1 else 's'}, show them"
        return (
            f'<a href="{escape_timeline_url(self.url)}"><rect x="{self.x:g}" '
            f'y="{self.y:g}" width="{self.width:g}" height="{self.height:g}"/>'
            f"<title>{label}</title></a>"
        )


@dataclass
class Axis:
    first_year: int
    last_year: int
    height: float
    axis_y: float
    bands: list[Band] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    density: list[DensityBar] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def width(self):
        return WIDTH

    @property
    def tick_path(self) -> str:
        """Every year's tick in one SVG path: one element instead of one per year."""
        top = self.height - BOTTOM
        return " ".join(f"M{tick.x} {top}v6" for tick in self.ticks)

    @property
    def is_density(self):
        return bool(self.density)

    # Drawn here rather than in the template: an axis has up to 100 marks, 50 bars, 40 years
    # and 8 bands, and the template language took most of a filter change's time drawing them.
    @property
    def svg(self) -> SafeString:
        """The whole drawing: period bands, the line, year ticks and labels, then the events'
        marks or the density bars. Every value is escaped where it is formatted."""
        width, height, axis_y = WIDTH, f"{self.height:g}", f"{self.axis_y:g}"
        parts = [
            f'<svg class="axis-svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="group" aria-label="Time axis"><g class="bands">',
            *(band.svg(self.height - 30) for band in self.bands),
            f'</g><line class="axis-line" x1="0" x2="{width}" y1="{axis_y}" y2="{axis_y}"/>',
        ]
        if not self.is_density:
            parts += [
                f'<text class="zone-label" x="{width - 4}" y="{self.axis_y - 6:g}" '
                'aria-hidden="true">▲ cooperation</text>'
                f'<text class="zone-label" x="{width - 4}" y="{self.axis_y + 14:g}" '
                'aria-hidden="true">▼ confrontation</text>'
            ]
        parts += [
            f'<path class="tick" d="{self.tick_path}"/><g class="ticks">',
            *(tick.svg(self.height - 8) for tick in self.ticks if tick.labelled),
            "</g>",
        ]
        if self.is_density:
            parts += ['<g class="density">', *(bar.svg() for bar in self.density), "</g>"]
        else:
            parts += [f'<defs>{SHAPES}</defs><g class="marks">']
            parts += [*(mark.svg() for mark in self.marks), "</g>"]
        parts.append("</svg>")
        return mark_safe("".join(parts))


def year_domain(first_day: datetime.date, last_day: datetime.date) -> tuple[int, int]:
    """Whole years that contain both days; at least one year."""
    return first_day.year, max(last_day.year, first_day.year) + 1


def scale(first_year: int, last_year: int):
    """day → its x on an axis from the start of ``first_year`` to that of ``last_year``."""
    return functools.partial(place, first_year, last_year)


# Axes share their years, and their ticks, bars and bands start on the same days.
@functools.lru_cache(maxsize=65_536)
def place(first_year: int, last_year: int, day: datetime.date) -> float:
    return round((dates.decimal_year(day) - first_year) / (last_year - first_year) * WIDTH, 2)


@functools.lru_cache(maxsize=4_096)
def bucket_bounds(key):
    """(first day, first day after, label for the filter) of a density bucket."""
    if isinstance(key, tuple):
        year, month = key
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return datetime.date(year, month, 1), following, f"{year}-{month:02d}"
    return datetime.date(key, 1, 1), datetime.date(key + 1, 1, 1), str(key)


def pack_lanes(marks: list[Mark]) -> int:
    """Greedy interval packing: each mark takes the lowest lane where it does not overlap."""
    lane_ends: list[float] = []
    for mark in sorted(marks, key=lambda m: (m.x, -m.width)):
        left = mark.x - MARK_RADIUS
        right = max(mark.x + mark.width, mark.x + MARK_RADIUS)
        for lane, end in enumerate(lane_ends):
            if end + GAP <= left:
                mark.lane = lane
                lane_ends[lane] = right
                break
        else:
            mark.lane = len(lane_ends)
            lane_ends.append(right)
    return len(lane_ends)


def build_axis(events, periods, first_day, last_day, url_for, counts_by_year=None) -> Axis | None:
    """Lay out ``events`` (dicts from Event values) or, when given, yearly counts.

    ``url_for(**params)`` returns the timeline URL with those filter parameters changed.
    """
    if first_day is None or last_day is None:
        return None
    first_year, last_year = year_domain(first_day, last_day)
    x = scale(first_year, last_year)
    domain_start = datetime.date(first_year, 1, 1)
    domain_end = datetime.date(last_year, 1, 1)

    marks: list[Mark] = []
    zones = {stance: [] for stance in Stance.values}
    if counts_by_year is None:
        for event in events:
            left = x(max(event["start"], domain_start))
            right = x(min(event["span_end"] + datetime.timedelta(days=1), domain_end))
            point = event["end"] is None and event["start_precision"] == dates.DAY
            mark = Mark(
                slug=event["slug"],
                title=event["title"],
                date_text=dates.format_span(
                    event["start"],
                    event["start_precision"],
                    event["end"],
                    event["end_precision"],
                    event["approximate"],
                ),
                stance=event["stance"],
                colour=event["main_theme__colour"],
                url=event["url"],
                x=left,
                width=0 if point else max(round(right - left, 2), 3),
                precise=event["start_precision"] == dates.DAY
                and (event["end"] is None or event["end_precision"] == dates.DAY),
            )
            zones[mark.stance].append(mark)
            marks.append(mark)
        lanes = {stance: pack_lanes(zone) for stance, zone in zones.items()}
        if max(lanes.values(), default=0) > MAX_LANES or len(marks) > MAX_MARKS:
            return None
    else:
        lanes = dict.fromkeys(Stance.values, 0)

    density_height = 120
    above = lanes[Stance.COOPERATION] * LANE if counts_by_year is None else density_height
    middle = max(lanes[Stance.MIXED], 1) * LANE
    below = lanes[Stance.CONFRONTATION] * LANE
    axis_y = TOP + above + LANE / 2 + (lanes[Stance.MIXED] // 2) * LANE
    height = TOP + above + middle + below + BOTTOM

    for mark in marks:
        if mark.stance == Stance.COOPERATION:
            mark.y = TOP + above - LANE / 2 - mark.lane * LANE
        elif mark.stance == Stance.CONFRONTATION:
            mark.y = TOP + above + middle + LANE / 2 + mark.lane * LANE
        else:
            # Mixed events sit on the line, alternating just above and below it.
            offset = (mark.lane + 1) // 2 * (1 if mark.lane % 2 else -1)
            mark.y = axis_y - offset * LANE

    axis = Axis(first_year=first_year, last_year=last_year, height=height, axis_y=axis_y)
    axis.marks = marks
    axis.counts = {stance: len(zone) for stance, zone in zones.items()}

    for index, period in enumerate(periods):
        if period.end < domain_start or period.start >= domain_end:
            continue
        left = x(max(period.start, domain_start))
        right = x(min(period.end + datetime.timedelta(days=1), domain_end))
        axis.bands.append(
            Band(
                slug=period.slug,
                name=period.name,
                span_text=period.span_text,
                x=left,
                width=round(right - left, 2),
                url=url_for(period=period.slug, **{"from": None, "to": None}),
                shaded=index % 2 == 0,
                label_fits=(right - left) >= len(period.name) * 7.6 + 8,
            )
        )

    years = list(range(first_year, last_year + 1))
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if len(years) / s <= 24)
    for year in years:
        tick_x = x(datetime.date(year, 1, 1))
        # Labels at the very edges would be cut in half.
        labelled = year % step == 0 and 12 <= tick_x <= WIDTH - 12
        # Only a labelled year is a link.
        url = url_for(**{"from": str(year), "to": str(year), "period": None}) if labelled else ""
        axis.ticks.append(Tick(year=year, x=tick_x, url=url, labelled=labelled))

    if counts_by_year is not None:
        # Keys are years, or (year, month) pairs when the axis spans only a few years.
        # Only what begins within the axis: an event that began before it, still running in
        # it, has no bar of its own.
        bounds = ((bucket_bounds(key), count) for key, count in sorted(counts_by_year.items()))
        buckets = [
            (bucket, count) for bucket, count in bounds if domain_start <= bucket[0] < domain_end
        ]
        peak = max((count for _, count in buckets), default=1) or 1
        for (first, last, label), count in buckets:
            bar_height = max(2, count / peak * density_height)
            axis.density.append(
                DensityBar(
                    year=label,
                    count=count,
                    x=x(first) + 1,
                    width=max(x(last) - x(first) - 2, 1),
                    height=round(bar_height, 2),
                    y=round(axis_y - LANE / 2 - bar_height, 2),
                    url=url_for(**{"from": label, "to": label, "period": None}),
                )
            )
    return axis
