"""An event's own page."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..models import Event, Period
from ..return_link import timeline_view_url, with_timeline_view


@require_safe
@with_timeline_view
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.with_page_details(), slug=slug)
    periods = event.periods_from(Period.objects.overlapping(event.start, event.span_end))
    return render(
        request,
        "timeline/event_detail.html",
        {
            "event": event,
            "periods": periods,
            "timeline_view_url": timeline_view_url(request, event.slug),
        },
    )
