"""The picture a shared link shows (Open Graph, Twitter cards, oEmbed's thumbnail): a view's
axis as a 1200 × 630 PNG, drawn as SVG from the same Axis the page lays out (its marks'
places, lanes and stances, or its density bars, its periods and its years) and rasterised on
the server by resvg."""

from html import escape

import resvg_py

from .axis import ZONE_LABELS, ZONES, Axis
from .models import Stance

WIDTH, HEIGHT = 1200, 630
# Where the words and the axis are drawn, in pixels; the zones' names go left of the axis.
MARGIN, LEFT, RIGHT, TOP, BOTTOM = 56, 200, 1144, 226, 560
# A lane's height at most, and the least room between two year labels.
LANE = 40
YEAR_ROOM = 64
# The site's colours (static/css/app.css).
INK, MUTED, ACCENT, RULE = "#15202b", "#4a5663", "#0b4f8a", "#c9c4b8"
WASH, BAND = "#f3f1ec", "#e6e9f0"
# The site's fonts on a server: its system stack there (DejaVu and Liberation on Debian).
SANS = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
SERIF = "DejaVu Serif, Liberation Serif, Georgia, serif"
# A stance's shape around (0, 0), as on the page's marks: ▲ cooperation, ◆ mixed, ▼ confrontation.
SHAPES = {
    Stance.COOPERATION: "M0,-7 L7,5 L-7,5 Z",
    Stance.MIXED: "M0,-7 L7,0 L0,7 L-7,0 Z",
    Stance.CONFRONTATION: "M0,7 L7,-5 L-7,-5 Z",
}


def preview_png(axis: Axis | None, headline: str, facts: str, colours: dict[str, str]) -> bytes:
    """The picture of a view: ``headline`` (what it shows) and ``facts`` (how many events,
    which years, how many essays) above its ``axis`` (None when it has no events), each mark
    in its colour class's colour from ``colours``."""
    return resvg_py.svg_to_bytes(
        svg_string=preview_svg(axis, headline, facts, colours),
        width=WIDTH,
        height=HEIGHT,
        background="#ffffff",
    )


def preview_svg(axis, headline, facts, colours) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<rect width="{WIDTH}" height="10" fill="{INK}"/>',
        text(MARGIN, 62, "RELATIONS TIMELINE · U.S.–RUSSIA RELATIONS", 22, ACCENT, SANS, "700"),
        text(MARGIN, 128, clipped(headline, 44), 50, INK, SERIF, "700"),
        text(MARGIN, 178, facts, 28, MUTED, SANS),
    ]
    if axis is None:
        parts.append(text(MARGIN, 380, "No events match these filters.", 30, MUTED, SANS))
    else:
        parts += bands(axis) + years(axis)
        parts += density(axis) if axis.is_density else marks(axis, colours)
        parts.append(key(axis))
    parts.append("</svg>")
    return "".join(parts)


def text(x, y, words, size, fill, family, weight="400", anchor="start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'font-family="{family}" font-weight="{weight}" text-anchor="{anchor}">'
        f"{escape(words)}</text>"
    )


def clipped(words: str, most: int) -> str:
    return words if len(words) <= most else words[: most - 1].rstrip() + "…"


def at(x_percent: float) -> float:
    """A place on the axis (percent of its window) in pixels."""
    return LEFT + (RIGHT - LEFT) * min(max(x_percent, 0), 100) / 100


def bands(axis) -> list[str]:
    """The periods: shaded in turn, named at the top where the name fits."""
    parts = []
    for band in axis.bands:
        left, right = at(band.x), at(band.x + band.width)
        if band.shaded:
            parts.append(
                f'<rect x="{left:.1f}" y="{TOP - 22}" width="{right - left:.1f}" '
                f'height="{BOTTOM - TOP + 22}" fill="{WASH}"/>'
            )
        # A name only where it fits whole (a bold 15 px letter is about 10 px wide).
        if band.shown_name and len(band.name) * 10 + 10 <= right - left:
            parts.append(text(left + 5, TOP - 7, band.name, 15, MUTED, SANS, "700"))
    return parts


def years(axis) -> list[str]:
    parts = [
        f'<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}" stroke="{RULE}" '
        'stroke-width="2"/>'
    ]
    last_label = -YEAR_ROOM
    for tick in axis.ticks:
        x = at(tick.x)
        if x - last_label < YEAR_ROOM:
            continue  # too close to the last: every other year on a long view
        last_label = x
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 22}" x2="{x:.1f}" y2="{BOTTOM + 6}" '
            f'stroke="{RULE}" stroke-width="1"/>'
        )
        parts.append(text(x, BOTTOM + 30, tick.text, 20, INK, SANS, "400", "middle"))
    return parts


def density(axis) -> list[str]:
    """Too many events to draw: a bar for each stretch of time, as tall as its count."""
    parts = []
    for bar in axis.density:
        left, right = at(bar.x), at(bar.x + bar.width)
        height = (BOTTOM - TOP - 10) * bar.height / 100
        parts.append(
            f'<rect x="{left + 0.5:.1f}" y="{BOTTOM - height:.1f}" '
            f'width="{max(right - left - 1, 1):.1f}" height="{height:.1f}" fill="{ACCENT}"/>'
        )
    return parts


def marks(axis, colours) -> list[str]:
    """Cooperation above the line, mixed on its band, confrontation below; each lane of the
    page's axis a row here, the marks gathered under a "+N" drawn in their cluster's row."""
    rows = {stance: max(axis.lanes.get(stance, 0), 1) for stance in ZONES}
    # The zones fill the height: a few lanes are drawn large, many small.
    lane = min(LANE, (BOTTOM - TOP - 20) / sum(rows.values()))
    size = min(max(lane / 20, 1), 1.6)
    up_bottom = TOP + rows[Stance.COOPERATION] * lane
    mid_bottom = up_bottom + rows[Stance.MIXED] * lane

    def y_of(stance, row):
        if stance == Stance.COOPERATION:
            return up_bottom - (row + 0.5) * lane
        if stance == Stance.MIXED:
            return up_bottom + (row + 0.5) * lane
        return mid_bottom + (row + 0.5) * lane

    parts = [
        f'<rect x="{LEFT}" y="{up_bottom:.1f}" width="{RIGHT - LEFT}" '
        f'height="{mid_bottom - up_bottom:.1f}" fill="{BAND}"/>',
        f'<line x1="{LEFT}" y1="{up_bottom:.1f}" x2="{RIGHT}" y2="{up_bottom:.1f}" '
        f'stroke="{INK}" stroke-width="2"/>',
        f'<line x1="{LEFT}" y1="{mid_bottom:.1f}" x2="{RIGHT}" y2="{mid_bottom:.1f}" '
        f'stroke="{INK}" stroke-width="2"/>',
    ]
    for stance, (shape, name) in ZONE_LABELS.items():
        middle = y_of(stance, (rows[stance] - 1) / 2)
        parts.append(text(LEFT - 14, middle + 7, f"{shape} {name}", 20, INK, SANS, "700", "end"))
    placed = [(mark, mark.lane) for mark in axis.marks]
    placed += [(mark, cluster.lane) for cluster in axis.clusters for mark in cluster.marks]
    for mark, row in placed:
        colour = colours.get(mark.colour_class, INK)
        x, y = at(mark.x), y_of(mark.stance, min(row, rows[mark.stance] - 1))
        if mark.width:
            right = at(mark.x + mark.width)
            dash = ' stroke-dasharray="6 4"' if mark.vague else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="4"{dash}/>'
            )
        parts.append(
            f'<path d="{SHAPES[mark.stance]}" transform="translate({x:.1f} {y:.1f}) '
            f'scale({size:.2f})" '
            f'fill="{colour}"/>'
        )
    return parts


def key(axis) -> str:
    if axis.is_density:
        unit = "year" if axis.window.by_year else "month"
        words = f"Each bar: the events beginning in a {unit}"
    else:
        words = "Each mark an event, in the colour of its main theme"
    return text(RIGHT, HEIGHT - 18, words, 18, MUTED, SANS, "400", "end")
