"""An axis with a mark for each of a few events: the timeline's, an essay's, a comparison's."""

import functools

from .axis import build_axis
from .cards import event_urls


def marked_axis(rows, pieces, snapshot, window, url_for, colour_of=None):
    """The axis on ``window`` with a mark for each of ``rows`` (of LISTED_FIELDS, their
    ``pieces`` kept by snapshot.event_pieces), and the key of the theme colours they wear."""
    marks = mark_rows(rows, pieces, snapshot, colour_of)
    axis = build_axis(marks, snapshot.periods, window, url_for)
    axis.theme_key = theme_key(axis, snapshot)
    return axis


def mark_rows(rows, pieces, snapshot, colour_of=None):
    """``rows`` (of LISTED_FIELDS) with what a mark needs besides: its address, card,
    citations and colour class (its main theme's, or ``colour_of(row)``)."""
    url_of = event_urls()
    return [
        {
            **row,
            "url": url_of(row["slug"]),
            # Built when drawn (a mark gathered under a "+N" shows none).
            "card": functools.partial(pieces[row["pk"]].card_for, row, snapshot),
            "citations": pieces[row["pk"]].citations,
            "colour_class": colour_of(row) if colour_of else f"th{row['main_theme_id']}",
        }
        for row in rows
    ]


def theme_key(axis, snapshot) -> list:
    """The themes whose colours the axis's marks wear, in theme order."""
    used = set(axis.colour_classes)
    return [theme for theme in snapshot.themes if theme.colour_class in used]
