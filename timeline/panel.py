"""The event panel of the timeline: one event opened beside the axis (``?event=<slug>``),
with the events before and after it among those the filters select."""

import re

from django.db.models import Count, Prefetch, Q

from .models import Citation, Event
from .zoom import Window


def before(event) -> Q:
    """Events that come before ``event`` in the timeline's order (start, end, title)."""
    return (
        Q(start__lt=event.start)
        | Q(start=event.start, span_end__lt=event.span_end)
        | Q(start=event.start, span_end=event.span_end, title__lt=event.title)
        | Q(start=event.start, span_end=event.span_end, title=event.title, pk__lt=event.pk)
    )


def after(event) -> Q:
    return ~before(event) & ~Q(pk=event.pk)


# What a slug may hold: anything else names no event, and is not asked of the database
# (PostgreSQL refuses a NUL in a text outright).
SLUG = re.compile(r"[-\w]+")


def open_event(slug: str):
    """The event to open, with what the panel shows of it; None when there is none."""
    if not SLUG.fullmatch(slug):
        return None
    return (
        Event.objects.select_related("main_theme")
        .prefetch_related(
            "themes",
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("essay").order_by(
                    "essay__published", "essay__title"
                ),
            ),
        )
        .filter(slug=slug)
        .first()
    )


def neighbours(filterset, event) -> dict:
    """Where ``event`` stands among the selected events: its position (None when the
    filters leave it out), how many there are, and the events just before and after it."""
    selected = filterset.qs.order_by()
    figures = selected.aggregate(
        total=Count("pk"),
        earlier=Count("pk", filter=before(event)),
        here=Count("pk", filter=Q(pk=event.pk)),
    )
    fields = ("slug", "title", "short_title")
    previous = (
        selected.filter(before(event))
        .order_by("-start", "-span_end", "-title", "-pk")
        .values(*fields)
        .first()
    )
    following = selected.filter(after(event)).order_by("start", "span_end", "title", "pk")
    return {
        "position": figures["earlier"] + 1 if figures["here"] else None,
        "total": figures["total"],
        "previous": previous,
        "next": following.values(*fields).first(),
    }


def panel_side(event, window: Window | None) -> str:
    """The side of the page the panel covers: the one away from the event's mark."""
    if window is not None and window.x(max(event.start, window.first_day)) > 50:
        return "left"
    return "right"
