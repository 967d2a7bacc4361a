from django.db.models import Prefetch

from .models import Citation, Event, EventRelation


def event_page_queryset():
    """Everything a full event view shows (its page, a slide, a handout's entry): themes,
    links, citations with essays, relations."""
    return Event.objects.select_related("main_theme").prefetch_related(
        "themes",
        "links",
        Prefetch("citations", queryset=Citation.objects.select_related("essay")),
        Prefetch("relations_out", queryset=EventRelation.objects.select_related("to_event")),
        Prefetch("relations_in", queryset=EventRelation.objects.select_related("from_event")),
    )
