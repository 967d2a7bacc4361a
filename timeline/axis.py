"""The time axis, laid out on the server and drawn as HTML that CSS classes position.

Position says the stance: cooperation above the line, mixed on the band along it,
confrontation below. Every drawn event carries its label; labels are packed into lanes so
that none overlaps another or a mark. Where a stretch holds more events than its lanes, the
ones that do not fit (the least cited first) are gathered into a "+N" link that zooms in on
them. Past MAX_MARKS events, bars count the events of each year or month instead.

Horizontal places are percentages of the axis's width, written as classes (``x5 xu4 xt3`` is
54.3%) so that the Content Security Policy needs no inline styles; the label font is a
fixed fraction of the axis's width (static/css/app.css, "Axis geometry"), so a label's
width is a known percentage too, whatever the screen.
"""

import bisect
import datetime
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from . import dates
from .models import Stance, shorten_title
from .zoom import MONTH_NAMES, Window

MAX_MARKS = 160  # beyond that, the axis counts events instead of drawing them
# The event values a mark is drawn from, besides its colour, card and URL.
MARK_FIELDS = (
    "slug",
    "title",
    "short_title",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "span_end",
    "approximate",
    "stance",
)

# --- geometry, in em of the label font unless said otherwise (must match app.css)
FONT_PER_WIDTH = 0.0100  # the label font's size, as a fraction of the axis's width
GUTTER = 7.0  # the zone labels' column, left of the time track
# One em as a percentage of the time track's width.
EM = 100 * FONT_PER_WIDTH / (1 - GUTTER * FONT_PER_WIDTH)
SHAPE = 0.9  # a mark's triangle or diamond
LABEL_GAP = 0.3  # between a mark and its label
MARK_GAP = 0.5  # between one label and the next mark in a lane
LANES = 16  # label lanes above, on and below the line together
MIXED_LANES = 2  # the band on the line stays thin when lanes are short
MIN_BAR = 0.8  # percent: a span or a vague date shorter than this is drawn as a point
DENSITY_LANES = 6  # the height of the tallest density bar, in lanes

# Advance widths of DejaVu Sans (the widest of the usual sans-serif system fonts), in
# thousandths of an em, for the printable ASCII characters; others count as OTHER_WIDTH.
ASCII_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
OTHER_WIDTH = 1000
SAFETY = 1.06  # fonts differ a little in spacing and kerning


# The same labels come back on axis after axis.
@functools.lru_cache(maxsize=65_536)
def text_width(text: str) -> float:
    """``text``'s width in em, a little more than DejaVu Sans would take."""
    total = 0
    for char in text:
        code = ord(char)
        total += ASCII_WIDTHS[code - 32] if 32 <= code < 127 else OTHER_WIDTH
    return total / 1000 * SAFETY


@functools.lru_cache(maxsize=65_536)
def position_classes(prefix: str, percent: float) -> str:
    """``percent`` (0–100) as classes of its tens, units and tenths: "x5 xu4 xt3" is 54.3%
    (static/css/app.css: 29 rules for every place, where one rule a place would take 1,001)."""
    tenths = min(max(round(percent * 10), 0), 1000)
    tens, rest = divmod(tenths, 100)
    units, tenth = divmod(rest, 10)
    classes = [f"{prefix}{tens}"]
    if units:
        classes.append(f"{prefix}u{units}")
    if tenth:
        classes.append(f"{prefix}t{tenth}")
    return " ".join(classes)


ZONES = (Stance.COOPERATION, Stance.MIXED, Stance.CONFRONTATION)
ZONE_CLASSES = {Stance.COOPERATION: "z-up", Stance.MIXED: "z-mid", Stance.CONFRONTATION: "z-down"}
ZONE_LABELS = {
    Stance.COOPERATION: ("▲", "Cooperation"),
    Stance.MIXED: ("◆", "Mixed"),
    Stance.CONFRONTATION: ("▼", "Confrontation"),
}


@dataclass
class Mark:
    """An event on the axis. ``left`` and ``right`` bound what it covers, label included,
    in percent of the track."""

    slug: str
    label: str
    title: str
    stance: str
    colour_class: str
    url: str
    card: Callable[[], str]  # the card shown on hover and focus, as safe HTML
    priority: tuple
    first_day: datetime.date
    last_day: datetime.date
    x: float
    width: float  # 0 for a day-precise point
    vague: bool  # known only to the month or year
    flipped: bool = field(default=False, init=False)  # label left of the mark, near the end
    lane: int = 0
    left: float = field(default=0, init=False)
    right: float = field(default=0, init=False)

    def __post_init__(self):
        half = SHAPE / 2 * EM
        label = (SHAPE / 2 + LABEL_GAP + text_width(self.label)) * EM
        if self.x + label > 100 and self.x - label >= 0:
            self.flipped = True
            self.left, self.right = self.x - label, max(self.x + half, self.x + self.width)
        else:
            self.left, self.right = self.x - half, max(self.x + label, self.x + self.width)

    def extent(self):
        return self.left, self.right

    def html(self) -> str:
        classes = [
            "mark",
            ZONE_CLASSES[self.stance],
            f"l{self.lane}",
            position_classes("x", self.x),
            self.colour_class,
        ]
        if self.width:
            classes.append(position_classes("w", self.width))
            classes.append("mark--vague" if self.vague else "mark--span")
        if self.flipped:
            classes.append("mark--flip")
        if self.x > 60:
            classes.append("mark--end")  # the card opens leftwards
        slug = escape(self.slug)
        return (
            # The label names the link; its card (title, date, stance...) describes it.
            f'<li class="{" ".join(classes)}" data-event-slug="{slug}">'
            f'<a href="{escape(self.url)}" aria-describedby="card-{slug}">'
            f"{escape(self.label)}</a>{self.card()}</li>"
        )


@dataclass
class Cluster:
    """Events of one zone that found no lane: a "+N" link zooming in on them."""

    stance: str
    marks: list[Mark]  # left to right
    url: str = ""
    lane: int = 0

    @property
    def x(self) -> float:
        return self.marks[0].x

    @property
    def span(self) -> float:
        return self.marks[-1].x - self.marks[0].x

    @property
    def text(self) -> str:
        return f"+{len(self.marks)}"

    def badge_width(self) -> float:
        return (text_width(self.text) + 1.2) * EM  # the badge's padding

    def extent(self):
        left = min(self.x, 100 - self.badge_width())
        return left, max(left + self.badge_width(), self.x + self.span)

    @property
    def first_day(self) -> datetime.date:
        return min(mark.first_day for mark in self.marks)

    @property
    def last_day(self) -> datetime.date:
        return max(mark.last_day for mark in self.marks)

    def html(self) -> str:
        count = len(self.marks)
        when = dates.format_span(self.first_day, dates.DAY, self.last_day, dates.DAY)
        left, _ = self.extent()
        classes = ["cluster", ZONE_CLASSES[self.stance], f"l{self.lane}"]
        classes.append(position_classes("x", left))
        if self.x + self.span - left > self.badge_width() + 1.5 * EM:
            # A dotted line beyond the badge: how far its events stretch.
            classes.append(position_classes("w", self.x + self.span - left))
        if left > 60:
            classes.append("mark--end")
        shown = sorted(self.marks, key=lambda mark: (mark.first_day, mark.title))
        titles = "".join(f"<li>{escape(mark.label)}</li>" for mark in shown[:CLUSTER_TITLES])
        more = f"<li>and {count - CLUSTER_TITLES} more</li>" if count > CLUSTER_TITLES else ""
        action = "zoom in" if self.url.startswith("/") else "see them in the list"
        label = f"{count} more {STANCE_NOUNS[self.stance]} events, {when}: {action}"
        # Which events it gathers, so that the open event's cluster can stand out.
        members = " ".join(escape(mark.slug) for mark in self.marks)
        return (
            f'<li class="{" ".join(classes)}" data-gathers="{members}">'
            f'<a href="{escape(self.url)}" aria-label="{escape(label)}">{self.text}</a>'
            f'<div class="card"><b>{count} more, {escape(when)}</b>'
            f"<ul>{titles}{more}</ul>Choose to {action}.</div></li>"
        )


CLUSTER_TITLES = 3  # the most a cluster's card names

STANCE_NOUNS = {
    Stance.COOPERATION: "cooperation",
    Stance.MIXED: "mixed",
    Stance.CONFRONTATION: "confrontation",
}


BAND_NAME_SIZE = 0.85  # a period's name, in em of the label font


@dataclass
class Band:
    slug: str
    name: str
    span_text: str
    x: float
    width: float
    url: str
    shaded: bool
    shown_name: str = ""  # its name, or the start of it, where it fits; else none

    def html(self) -> str:
        classes = ["band", position_classes("x", self.x), position_classes("w", self.width)]
        if self.shaded:
            classes.append("band--shaded")
        name, span = escape(self.name), escape(self.span_text)
        label = f"<span>{escape(self.shown_name)}</span>" if self.shown_name else ""
        # The title names a band too narrow for its name, and says what choosing it does.
        return (
            f'<li class="{" ".join(classes)}"><a href="{escape(self.url)}" '
            f'title="{name} ({span}): show only this period">{label}</a></li>'
        )


@dataclass
class Tick:
    text: str
    x: float
    url: str  # "" for a tick without a link

    def html(self) -> str:
        text = escape(self.text)
        inner = f'<a href="{escape(self.url)}">{text}</a>' if self.url else text
        return f'<li class="tick {position_classes("x", self.x)}">{inner}</li>'


@dataclass
class DensityBar:
    label: str  # "2012" or "May 2012"
    count: int
    x: float
    width: float
    height: int  # percent of the tallest bar, in steps of 2
    url: str

    def html(self) -> str:
        events = f"{self.count:,} event{'' if self.count == 1 else 's'}"
        text = f"{self.label}: {events}, choose to show them"
        classes = f"bar {position_classes('x', self.x)} {position_classes('w', self.width)}"
        # The count stands on its bar where the bar is wide enough for it.
        shown = f"{self.count:,}"
        count = (
            f"<span>{shown}</span>" if (text_width(shown) * 0.8 + 0.2) * EM <= self.width else ""
        )
        return (
            f'<li class="{classes} h{self.height}"><a href="{escape(self.url)}" '
            f'aria-label="{escape(text)}">{count}</a></li>'
        )


@dataclass
class Axis:
    window: Window
    lanes: dict  # stance → lanes (label lanes and the "+N" row)
    marks: list[Mark] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    density: list[DensityBar] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # stance → events drawn or gathered
    # (slug, name) of the themes whose colours the marks wear, for the key.
    theme_key: list = field(default_factory=list)

    @property
    def is_density(self) -> bool:
        return bool(self.density)

    @property
    def drawn(self) -> int:
        return len(self.marks)

    @property
    def gathered(self) -> int:
        return sum(len(cluster.marks) for cluster in self.clusters)

    @property
    def colour_classes(self) -> list[str]:
        """The colour classes the marks use, in order of first use."""
        return list(dict.fromkeys(mark.colour_class for mark in self.marks))

    @property
    def html(self) -> SafeString:
        """The drawing: zone labels, period bands, the line, the marks (or the density
        bars) and the time labels. Every value is escaped where it is formatted."""
        up, mid, down = (self.lanes[stance] for stance in ZONES)
        parts = [f'<div class="axis-plot up{up} mid{mid} down{down}"><div class="axis-track">']
        if self.bands:
            parts += ['<ul class="axis-bands" aria-label="Periods">']
            parts += [band.html() for band in self.bands]
            parts.append("</ul>")
        parts.append('<div class="axis-line" aria-hidden="true"></div>')
        if self.is_density:
            unit = "year" if self.window.by_year else "month"
            parts += [
                '<ul class="axis-zones" aria-hidden="true"><li class="zone zone--cooperation">'
                f"<span>Events</span> <b>per {unit}</b></li></ul>",
                '<ol class="axis-density" aria-label="Events in each stretch of time">',
            ]
            parts += [bar.html() for bar in self.density]
        else:
            parts += ['<ul class="axis-zones" aria-hidden="true">']
            for stance in ZONES:
                shape, name = ZONE_LABELS[stance]
                count = self.counts.get(stance, 0)
                parts.append(
                    f'<li class="zone zone--{stance}"><i>{shape}</i> <span>{name}</span> '
                    f"<b>{count}</b></li>"
                )
            parts += ["</ul>", '<ol class="axis-marks" aria-label="Events, in time order">']
            items = sorted(
                [*self.marks, *self.clusters], key=lambda item: (item.x, item.lane, item.stance)
            )
            parts += [item.html() for item in items]
        parts += ["</ol>", '<ol class="axis-ticks" aria-label="Time">']
        parts += [tick.html() for tick in self.ticks]
        parts.append("</ol></div></div>")
        return mark_safe("".join(parts))


def place_marks(marks: list[Mark]) -> int:
    """Greedy interval packing, in order of priority: each mark takes the lowest lane where
    it overlaps nothing. Returns how many lanes that takes. (Cut to fewer lanes, the marks
    in the lanes kept are placed just as they would be: those cut took no room there.)"""
    gap = MARK_GAP * EM
    # Each lane's spans, apart and in order: a new one need only clear its two neighbours.
    lefts: list[list[float]] = []
    rights: list[list[float]] = []
    for mark in sorted(marks, key=lambda mark: mark.priority):
        left, right = mark.left, mark.right
        for lane, (starts, ends) in enumerate(zip(lefts, rights, strict=True)):
            at = bisect.bisect_left(starts, left)
            if (at == 0 or ends[at - 1] + gap <= left) and (
                at == len(starts) or right + gap <= starts[at]
            ):
                starts.insert(at, left)
                ends.insert(at, right)
                mark.lane = lane
                break
        else:
            mark.lane = len(lefts)
            lefts.append([left])
            rights.append([right])
    return len(lefts)


def share_lanes(needed: dict) -> dict:
    """LANES shared among the zones by what each needs: the band on the line at most
    MIXED_LANES, the rest in proportion, each zone with events at least one."""
    if sum(needed.values()) <= LANES:
        return dict(needed)
    shares = {Stance.MIXED: min(needed[Stance.MIXED], MIXED_LANES)}
    up, down = needed[Stance.COOPERATION], needed[Stance.CONFRONTATION]
    rest = LANES - shares[Stance.MIXED]
    up_share = round(rest * up / (up + down)) if up + down else 0
    up_share = min(max(up_share, 1 if up else 0), up, rest - (1 if down else 0))
    shares[Stance.COOPERATION] = up_share
    shares[Stance.CONFRONTATION] = min(down, rest - up_share)
    # What one zone cannot use, the other may.
    spare = LANES - sum(shares.values())
    for stance in (Stance.COOPERATION, Stance.CONFRONTATION, Stance.MIXED):
        extra = min(spare, needed[stance] - shares[stance])
        shares[stance] += extra
        spare -= extra
    return shares


def gather(left_out: list[Mark], stance: str) -> list[Cluster]:
    """Marks that found no lane, gathered left to right into clusters whose badges and
    spans do not overlap."""
    clusters: list[Cluster] = []
    for mark in sorted(left_out, key=lambda mark: mark.x):
        if clusters:
            _, right = clusters[-1].extent()
            if mark.x <= right + MARK_GAP * EM:
                clusters[-1].marks.append(mark)
                continue
        clusters.append(Cluster(stance=stance, marks=[mark]))
    # A badge pushed in from the right edge may now meet the one before it.
    merged: list[Cluster] = []
    for cluster in clusters:
        if merged and cluster.extent()[0] <= merged[-1].extent()[1] + MARK_GAP * EM:
            merged[-1].marks += cluster.marks
        else:
            merged.append(cluster)
    return merged


def lay_out_marks(marks: list[Mark]) -> tuple[dict, list[Cluster]]:
    """Lanes for ``marks`` (each gets its lane), and the clusters of those left out."""
    by_zone = {stance: [mark for mark in marks if mark.stance == stance] for stance in ZONES}
    needed = {stance: place_marks(zone) for stance, zone in by_zone.items()}
    shares = share_lanes(needed)
    lanes, clusters = {}, []
    for stance, zone in by_zone.items():
        # Every zone keeps a lane, to show where its events would be.
        lanes[stance] = max(shares[stance], 1)
        if shares[stance] >= needed[stance]:
            continue
        # The outermost lane holds the "+N" links, and the marks of any that fit there.
        label_lanes = shares[stance] - 1
        left_out = [mark for mark in zone if mark.lane >= label_lanes]
        clusters += fill_outer_lane(gather(left_out, stance), label_lanes)
    return lanes, clusters


def fill_outer_lane(clusters: list[Cluster], lane: int) -> list[Cluster]:
    """Put ``clusters`` in ``lane``, left to right; where the marks of one fit there
    themselves, beside the other clusters and the marks already put there, they take its
    place (a "+1" is better shown as its event)."""
    gap = MARK_GAP * EM
    taken = [cluster.extent() for cluster in clusters]
    kept = []
    for index, cluster in enumerate(clusters):
        others = taken[:index] + taken[index + 1 :]
        spans = sorted((mark.extent() for mark in cluster.marks), key=lambda span: span[0])
        apart = all(a[1] + gap <= b[0] for a, b in itertools.pairwise(spans))
        free = all(
            right + gap <= first or last + gap <= left
            for left, right in spans
            for first, last in others
        )
        if apart and free:
            for mark in cluster.marks:
                mark.lane = lane
            # Its marks stand in its place: the clusters after it keep clear of them all.
            taken[index] = (spans[0][0], max(span[1] for span in spans))
        else:
            cluster.lane = lane
            kept.append(cluster)
    return kept


ONE_DAY = datetime.timedelta(days=1)


def mark_from_row(row: dict, window: Window) -> Mark:
    """A Mark for ``row`` (an event's values: MARK_FIELDS, ``citations``, ``url``,
    ``card`` and ``colour_class``) on ``window``."""
    first_day = max(row["start"], window.first_day)
    after = min(row["span_end"] + ONE_DAY, window.end_day)
    x = min(max(window.x(first_day), 0), 100)
    point = row["end"] is None and row["start_precision"] == dates.DAY
    width = 0 if point else round(min(window.x(after), 100) - x, 2)
    if width < MIN_BAR:
        width = 0  # too short to see as a bar: its card gives the dates
    label = row["short_title"] or shortened(row["title"])
    if row["start"] < window.first_day:
        # Begun before the window: its mark stands at the window's start, so say when.
        label = f"{label}, since {row['start'].year}"
    return Mark(
        slug=row["slug"],
        label=label,
        title=row["title"],
        stance=row["stance"],
        colour_class=row["colour_class"],
        url=row["url"],
        card=row["card"],
        # The most cited first: where lanes run short, they keep their labels.
        priority=(-row["citations"], row["start"], row["title"]),
        first_day=row["start"],
        last_day=row["span_end"],
        x=round(x, 2),
        width=width,
        vague=bool(width)
        and not (
            row["start_precision"] == dates.DAY
            and (row["end"] is None or row["end_precision"] == dates.DAY)
        ),
    )


# The same titles come back on axis after axis.
shortened = functools.lru_cache(maxsize=65_536)(shorten_title)


def build_axis(rows, periods, window: Window, url_for, cluster_url=None) -> Axis:
    """Lay out ``rows`` (see mark_from_row) on ``window``. ``url_for(**filters)`` is the
    timeline's address with those filters changed; ``cluster_url(window)`` where a cluster
    of events in ``window`` leads (by default the timeline zoomed to it)."""
    cluster_url = cluster_url or (lambda zoomed: url_for(**zoomed.filters(), period=None))
    marks = [mark_from_row(row, window) for row in rows]
    lanes, clusters = lay_out_marks(marks)
    for cluster in clusters:
        zoomed = Window.around(cluster.first_day, cluster.last_day)
        cluster.url = cluster_url(zoomed) if zoomed != window else "#event-list-start"
    gathered = {id(mark) for cluster in clusters for mark in cluster.marks}  # not drawn
    axis = Axis(
        window=window,
        lanes=lanes,
        marks=[mark for mark in marks if id(mark) not in gathered],
        clusters=clusters,
        counts={stance: sum(mark.stance == stance for mark in marks) for stance in ZONES},
    )
    add_bands_and_ticks(axis, periods, url_for)
    return axis


def density_axis(counts, periods, window: Window, url_for) -> Axis:
    """An axis of bars: how many events start in each month (``counts``: (year, month) →
    events), summed by year on a window of whole years."""
    buckets: dict = {}
    for (year, month), count in counts.items():
        key = year if window.by_year else (year, month)
        buckets[key] = buckets.get(key, 0) + count
    lanes = {Stance.COOPERATION: DENSITY_LANES, Stance.MIXED: 0, Stance.CONFRONTATION: 0}
    axis = Axis(window=window, lanes=lanes)
    peak = max(buckets.values(), default=1) or 1
    for key, count in sorted(buckets.items()):
        first, after, label, filter_value = bucket_bounds(key)
        if not (window.first_day <= first < window.end_day) or not count:
            continue  # began before the window: no bar of its own
        x = window.x(first)
        axis.density.append(
            DensityBar(
                label=label,
                count=count,
                x=x,
                width=max(min(window.x(after), 100) - x, MIN_BAR),
                height=max(2, round(count / peak * 50) * 2),
                url=url_for(**{"from": filter_value, "to": filter_value, "period": None}),
            )
        )
    add_bands_and_ticks(axis, periods, url_for)
    return axis


def bucket_bounds(key):
    """(first day, first day after, label, filter value) of a year or a (year, month)."""
    if isinstance(key, tuple):
        year, month = key
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return (
            datetime.date(year, month, 1),
            following,
            f"{MONTH_NAMES[month - 1]} {year}",
            f"{year}-{month:02d}",
        )
    return datetime.date(key, 1, 1), datetime.date(key + 1, 1, 1), str(key), str(key)


def add_bands_and_ticks(axis: Axis, periods, url_for) -> None:
    """The periods' bands, named where they can be, and the time labels."""
    window = axis.window
    for index, period in enumerate(periods):
        if period.end < window.first_day or period.start >= window.end_day:
            continue
        left = max(window.x(period.start), 0)
        right = min(window.x(period.end + datetime.timedelta(days=1)), 100)
        axis.bands.append(
            Band(
                slug=period.slug,
                name=period.name,
                span_text=period.span_text,
                x=left,
                width=right - left,
                url=url_for(period=period.slug, **{"from": None, "to": None}),
                shaded=index % 2 == 0,
            )
        )
    name_bands(axis.bands)
    axis.ticks = ticks(window, url_for, centred=axis.is_density)


def name_width(name: str) -> float:
    return (text_width(name) * BAND_NAME_SIZE + 0.8) * EM


def name_bands(bands: list[Band]) -> None:
    """Each band's name where it runs into no other, the widest bands' first (a name may
    run on over the next band, if that one's goes unnamed); then, in the bands still
    unnamed, as much of their name as their own width holds, cut on a word."""
    named: list[tuple[float, float]] = []
    gap = MARK_GAP * EM

    def free(left, right):
        return right <= 100 and all(right + gap <= a or b + gap <= left for a, b in named)

    for band in sorted(bands, key=lambda band: -band.width):
        if free(band.x, band.x + name_width(band.name)):
            band.shown_name = band.name
            named.append((band.x, band.x + name_width(band.name)))
    for band in bands:
        words = band.name.split()
        while not band.shown_name and len(words) > 1:
            words.pop()
            short = " ".join(words).rstrip(",;:") + "…"
            right = band.x + name_width(short)
            if right <= band.x + band.width and free(band.x, right):
                band.shown_name = short
                named.append((band.x, right))


# The spacing of time labels, in em: room for "2012" or "Sep 2012" and a gap.
YEAR_LABEL, MONTH_LABEL = 3.2, 5.2


def ticks(window: Window, url_for, centred=False) -> list[Tick]:
    """Labelled years (a link to each), or months, or days of a short window; as many as
    fit without touching. ``centred``: each under the middle of its year or month (under
    its bar, where bars count them), else at its start."""
    if window.by_year:
        first, last = window.first // 12, window.end // 12
        step = next(
            s for s in (1, 2, 5, 10, 20, 50, 100) if s * 100 / (last - first) > YEAR_LABEL * EM
        )
        return [
            Tick(
                text=str(year),
                x=window.x(datetime.date(year, 7 if centred else 1, 2 if centred else 1)),
                url=url_for(**{"from": str(year), "to": str(year), "period": None}),
            )
            for year in range(first, last)
            if year % step == 0
        ]
    if window.months > 2:
        step = next(s for s in (1, 2, 3, 6, 12) if s * 100 / window.months > MONTH_LABEL * EM)
        result = []
        for number in range(window.first, window.end):
            year, month = divmod(number, 12)
            if (month % step) != 0:
                continue
            text = (
                f"{MONTH_NAMES[month]} {year}"
                if month == 0 or number == window.first
                else MONTH_NAMES[month]
            )
            value = f"{year}-{month + 1:02d}"
            result.append(
                Tick(
                    text=text,
                    x=window.x(datetime.date(year, month + 1, 16 if centred else 1)),
                    url=url_for(**{"from": value, "to": value, "period": None}),
                )
            )
        return result
    # A month or two: every seventh day.
    result = []
    day = window.first_day
    while day < window.end_day:
        if day.day in (1, 8, 15, 22):
            text = f"{day.day} {MONTH_NAMES[day.month - 1]}" if day.day == 1 else str(day.day)
            result.append(Tick(text=text, x=window.x(day), url=""))
        day += datetime.timedelta(days=1)
    return result
