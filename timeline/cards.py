"""What the timeline shows of each event, built from plain rows: its entry in the list and
the card its mark on the axis shows on hover and focus.

A list page shows 50 entries and an axis up to 100 marks. Rendered through the template
engine they cost about a millisecond each, more than the page's queries together; as
f-strings they cost a few microseconds. The markup is fixed and every value is escaped.
The same events come back under different filters, so each event's pieces are kept for the
data version they were built in (timeline.snapshot): a new filter then costs its queries, not
its pieces.
"""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from . import dates
from .axis import MARK_FIELDS
from .backends import backend_for
from .models import Citation, Event, Stance, shorten_title
from .sql_rows import fetch_rows
from .templatetags.timeline import first_sentence

# What a list query selects for each event: with what an axis mark is drawn from, since the
# axis draws its marks from the same rows when they are few.
LISTED_FIELDS = ("pk", "main_theme_id", *MARK_FIELDS)
STANCE_LABELS = dict(Stance.choices)
# The longest first sentence a card shows.
CARD_SENTENCE = 140
# One plain query for the events' themes, citation counts and summaries: the ORM spends
# about a millisecond preparing a list of 50 ids, ten times what the database takes. The ids
# are one parameter a part (backends' ids_condition): as 150 they cost PostgreSQL 0.3 ms more.
PIECES_SQL = (
    f"SELECT event_id, theme_id, 0, CAST(NULL AS TEXT) "  # noqa: S608
    f"FROM {Event.themes.through._meta.db_table} WHERE {{event_ids}} UNION ALL "
    f"SELECT event_id, NULL, COUNT(*), CAST(NULL AS TEXT) FROM {Citation._meta.db_table} "
    "WHERE {event_ids} GROUP BY event_id UNION ALL "
    f"SELECT id, NULL, 0, summary FROM {Event._meta.db_table} WHERE {{ids}}"
)


@dataclass
class Pieces:
    """What the timeline shows of an event besides its row: how many essays cite it, its
    themes (ids, main first, a tuple: see tallies.Months) and summary; its list entry and
    card (safe HTML) once built."""

    citations: int
    themes: tuple[int, ...]
    summary: str
    entry: str = ""
    card: str = ""

    def entry_for(self, row, snapshot) -> str:
        if not self.entry:
            swatches = [snapshot.theme_swatch[pk] for pk in self.themes]
            self.entry = render_entry(row, swatches, self.citations)
        return self.entry

    def card_for(self, row, snapshot) -> str:
        # Only a mark drawn with its label shows a card: those gathered under a "+N" never do.
        if not self.card:
            names = ", ".join(snapshot.theme_name[pk] for pk in self.themes)
            self.card = render_card(row, names, self.citations, self.summary)
        return self.card


def event_entries(
    rows, pieces, snapshot, ranked=False, first_page=True, continued_year=None
) -> SafeString:
    """The list entries of ``rows`` (in list order; ``pieces`` from snapshot.event_pieces) as
    HTML. ``ranked`` (best matches first): under one heading on the first page; else under a
    heading for each year, except the ``continued_year`` that the page before ended in."""
    parts = []
    if ranked and first_page and rows:
        parts.append('<h2 class="year-heading">Best matches first</h2>')
    year = continued_year
    for row in rows:
        if not ranked and row["start"].year != year:
            year = row["start"].year
            parts.append(f'<h2 class="year-heading">{year}</h2>')
        parts.append(pieces[row["pk"]].entry_for(row, snapshot))
    return mark_safe("".join(parts))  # every value is escaped


def read_pieces(rows, snapshot) -> dict[int, Pieces]:
    """Event id → the Pieces of each of ``rows``, with one query for all their themes,
    citation counts and summaries."""
    ids = [row["pk"] for row in rows]
    theme_ids, citation_counts, summaries = defaultdict(set), {}, {}
    backend = backend_for()
    event_ids, params = backend.ids_condition(ids, "event_id")
    own_ids, _ = backend.ids_condition(ids)
    sql = PIECES_SQL.format(event_ids=event_ids, ids=own_ids)
    for event_id, theme_id, citations, summary in fetch_rows(sql, params * 3, prepared=True):
        if summary is not None:
            summaries[event_id] = summary
        elif theme_id is None:
            citation_counts[event_id] = citations
        else:
            theme_ids[event_id].add(theme_id)
    position = snapshot.theme_position
    pieces = {}
    for row in rows:
        main_theme = row["main_theme_id"]
        # The main theme first, then the others in theme order.
        others = sorted((pk for pk in theme_ids[row["pk"]] if pk != main_theme), key=position.get)
        pieces[row["pk"]] = Pieces(
            citations=citation_counts.get(row["pk"], 0),
            themes=(main_theme, *others),
            summary=summaries.get(row["pk"], ""),
        )
    return pieces


def event_urls():
    """slug → the event's page. One reverse() for many: resolving URLs one by one dominated
    the cost of an axis."""
    pattern = event_url_pattern()
    return lambda slug: pattern.replace("slug-placeholder", slug)


def event_url(slug: str) -> str:
    return event_url_pattern().replace("slug-placeholder", slug)


@functools.cache
def event_url_pattern() -> str:
    return reverse("timeline:event_detail", args=["slug-placeholder"])


def cited_text(citations: int) -> str:
    if citations == 1:
        return "cited by 1 essay"
    return f"cited by {citations} essays" if citations else "not cited by an essay"


def date_text_of(row) -> str:
    return dates.format_span(
        row["start"], row["start_precision"], row["end"], row["end_precision"], row["approximate"]
    )


def render_entry(row, swatches, citations) -> str:
    """One entry: its stance's shape in its main theme's colour on the list's line, then
    the event's item (render_item)."""
    slug = escape(row["slug"])
    return (  # every value is escaped
        f'<article class="event event--{escape(row["stance"])} th{row["main_theme_id"]}" '
        f'id="event-{slug}" data-event-slug="{slug}">{render_item(row, swatches, citations)}'
        "</article>"
    )


def render_item(row, swatches, citations) -> str:
    """The date, the linked title, then one line of its stance, how many essays cite it and
    its themes (``swatches``, main first, escaped: a line rather than a list of themes, one
    element fewer in each of the fifty entries of a page). The markup of
    templates/timeline/_event_item.html, which the other pages include."""
    url, date_text = event_url(row["slug"]), date_text_of(row)
    return (  # every value is escaped
        f'<time datetime="{dates.to_partial_text(row["start"], row["start_precision"])}">'
        f'{escape(date_text)}</time><h3><a href="{escape(url)}">{escape(row["title"])}</a>'
        # "·" keeps to what precedes it, so no line begins with one.
        f"</h3><p>{STANCE_LABELS[row['stance']]}\u00a0· {cited_text(citations)}\u00a0· "
        f"{', '.join(swatches)}</p>"
    )


# Markdown's marks around words, and its links: a card shows their words. (Rendering the
# Markdown to strip it again cost a millisecond a card, most of building an axis's cards.)
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"(?<!\w)[*_`]+|[*_`]+(?!\w)|^\s*(?:#+|>|[-+*] |\d+\. )\s*", re.M)
MARKDOWN_SIGNS = frozenset("*_`#>[\n")  # lists and headings begin a line


def markdown_as_text(text: str) -> str:
    """The words of an editor's Markdown, without its marks."""
    if MARKDOWN_SIGNS.isdisjoint(text):
        return text  # most summaries are plain prose
    return MARKDOWN_MARKS.sub("", MARKDOWN_LINK.sub(r"\1", text))


def render_card(row, themes, citations, summary) -> str:
    """The card of an event's mark: title, date, stance, its ``themes`` (names, main first,
    escaped), the summary's first sentence and how many essays cite it, one to a line (the
    card keeps the text's line breaks: two elements instead of six, for each of up to a
    hundred marks)."""
    # A sentence of at most CARD_SENTENCE characters lies within the summary's first few.
    date_text = date_text_of(row)
    plain = markdown_as_text(summary[: CARD_SENTENCE * 4])
    sentence = shorten_title(first_sentence(plain), CARD_SENTENCE)
    lines = [
        f"{escape(date_text)} · <i>{STANCE_LABELS[row['stance']]}</i>",
        themes,
        escape(sentence),
        cited_text(citations).capitalize(),
    ]
    text = "\n".join(line for line in lines if line)
    return (
        f'<div class="card" id="card-{escape(row["slug"])}">'
        f"<b>{escape(row['title'])}</b>\n{text}</div>"
    )
