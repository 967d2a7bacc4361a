"""Each event's entry in the timeline list, built from plain rows.

A list page shows 50 entries. Rendered through the template engine they cost about a
millisecond each on this kind of machine, more than the page's queries together; as
f-strings they cost a few microseconds. The markup is fixed and every value is escaped.
The same events come back under different filters, so each entry is kept for the data
version it was built in: a new filter then costs its queries, not its entries.
"""

from collections import defaultdict
from html import escape

from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from . import dates
from .axis import MARK_FIELDS
from .models import Citation, Event, Stance

# What a list query selects for each entry: with what an axis mark is drawn from, since the
# axis draws its marks from the same rows when they are few.
CARD_FIELDS = ("pk", "main_theme_id", *MARK_FIELDS)
STANCE_LABELS = dict(Stance.choices)
# At about 600 bytes an entry, at most about 12 MB of them per process.
MAX_KEPT_ENTRIES = 20_000
# One plain query for all entries' themes and citation counts: the ORM spends about a
# millisecond preparing a list of 50 ids, ten times what the database takes to answer.
THEMES_AND_CITATIONS_SQL = (
    f"SELECT event_id, theme_id, 0 FROM {Event.themes.through._meta.db_table} "
    "WHERE event_id IN ({ids}) UNION ALL "
    f"SELECT event_id, NULL, COUNT(*) FROM {Citation._meta.db_table} "
    "WHERE event_id IN ({ids}) GROUP BY event_id"
)


def event_entries(rows, choices, ranked=False, first_page=True, continued_year=None) -> SafeString:
    """The list entries of ``rows`` (of CARD_FIELDS, in list order) as HTML. ``ranked``
    (best matches first): under one heading on the first page; else under a heading for
    each year, except the ``continued_year`` that the page before ended in. Entries are
    kept in ``choices`` (TimelineChoices, one per data version): one query builds those
    not built yet, none when all are."""
    built = choices.entries
    missing = [row for row in rows if row["pk"] not in built]
    if missing:
        if len(built) + len(missing) > MAX_KEPT_ENTRIES:
            built.clear()
            missing = rows  # those kept a moment ago are gone too
        built.update(build_entries(missing, choices))
    parts = []
    if ranked and first_page and rows:
        parts.append('<h2 class="year-heading">Best matches first</h2>')
    year = continued_year
    for row in rows:
        if not ranked and row["start"].year != year:
            year = row["start"].year
            parts.append(f'<h2 class="year-heading">{year}</h2>')
        parts.append(built[row["pk"]])
    return mark_safe("".join(parts))  # every value is escaped


def build_entries(rows, choices) -> dict[int, str]:
    """Event id → the entry of each of ``rows``, with one query for all their themes and
    citation counts."""
    ids = [row["pk"] for row in rows]
    theme_ids, citation_counts = defaultdict(set), {}
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(THEMES_AND_CITATIONS_SQL.format(ids=placeholders), ids + ids)
        for event_id, theme_id, citations in cursor.fetchall():
            if theme_id is None:
                citation_counts[event_id] = citations
            else:
                theme_ids[event_id].add(theme_id)
    # Each theme's name with its swatch, in theme order: the same for every entry.
    theme_items = {
        theme.id: (
            position,
            f'<span class="theme-{escape(theme.slug)}">{escape(theme.name)}</span>',
        )
        for position, theme in enumerate(choices.themes)
    }
    url_of = event_urls()
    entries = {}
    for row in rows:
        main_theme = row["main_theme_id"]
        # The main theme first, then the others in theme order.
        others = sorted(theme_items[pk] for pk in theme_ids[row["pk"]] if pk != main_theme)
        themes_html = ", ".join([theme_items[main_theme][1], *(item for _, item in others)])
        entries[row["pk"]] = render_card(
            row, themes_html, citation_counts.get(row["pk"], 0), url_of(row["slug"])
        )
    return entries


def event_urls():
    """slug → the event's page. One reverse() for many: resolving URLs one by one dominated
    the cost of an axis."""
    pattern = reverse("timeline:event_detail", args=["slug-placeholder"])
    return lambda slug: pattern.replace("slug-placeholder", slug)


def render_card(row, themes_html, citation_count, url) -> str:
    """One entry: date, linked title, then one line of its stance, how many essays cite it
    and its themes (a line rather than a list of themes: one element fewer in each of the
    fifty entries of a page)."""
    date_text = dates.format_span(
        row["start"], row["start_precision"], row["end"], row["end_precision"], row["approximate"]
    )
    if citation_count == 1:
        cited = "cited by 1 essay"
    elif citation_count:
        cited = f"cited by {citation_count} essays"
    else:
        cited = "not cited by an essay"
    slug = escape(row["slug"])
    return (  # every value is escaped, the theme items included
        f'<article class="event event--{escape(row["stance"])}" id="event-{slug}" '
        f'data-event-slug="{slug}"><time datetime="'
        f'{dates.to_partial_text(row["start"], row["start_precision"])}">{escape(date_text)}'
        f'</time><h3><a href="{escape(url)}">{escape(row["title"])}</a>'
        f"</h3><p>{STANCE_LABELS[row['stance']]} · {cited} · {themes_html}</p></article>"
    )
