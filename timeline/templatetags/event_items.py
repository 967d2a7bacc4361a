"""What templates/timeline/_event_item.html shows of an event besides the event itself: the
line under its title, as the timeline list shows it (cards.render_item)."""

from dataclasses import dataclass

from django import template

from timeline.cards import cited_text
from timeline.models import Theme
from timeline.snapshot import Snapshot, event_pieces

register = template.Library()


@dataclass
class EventLine:
    """How many essays cite an event, and its themes, main first."""

    citations: int
    themes: list[Theme]


@register.simple_tag(takes_context=True)
def event_lines(context, items) -> list[tuple]:
    """Each of ``items`` (events, or citations of them) with its event's EventLine. Read
    with the timeline list's pieces (snapshot.event_pieces): one query for the events not read
    yet in this data version, none for those an axis on the page has drawn."""
    snapshot = Snapshot.for_request(context.request)
    events = [getattr(item, "event", item) for item in items]
    rows = [{"pk": event.pk, "main_theme_id": event.main_theme_id} for event in events]
    pieces = event_pieces(rows, snapshot)
    theme_by_id = {theme.pk: theme for theme in snapshot.themes}
    return [
        (
            item,
            EventLine(
                citations=pieces[event.pk].citations,
                themes=[theme_by_id[pk] for pk in pieces[event.pk].themes],
            ),
        )
        for item, event in zip(items, events, strict=True)
    ]


@register.filter
def cited(citations: int) -> str:
    """2 → "cited by 2 essays"."""
    return cited_text(citations)
