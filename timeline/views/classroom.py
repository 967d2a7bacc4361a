"""The selected events for a class: one slide at a time, or a printed handout."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..filters import filterset_for
from ..htmx import render_for_target
from ..links import timeline_url, view_path
from ..models import Event
from ..paging import PAGE_SIZE
from ..summary_text import summary_text
from ..versioning import with_data_version

HANDOUT_LIMIT = 300


@require_safe
@with_data_version
def present(request):
    filterset = filterset_for(request, request.GET, Event.objects.with_page_details())
    snapshot = filterset.snapshot
    events = filterset.qs.in_time_order()
    figures = filterset.selection.figures()
    total = figures["total"]
    number = slide_number(request.GET.get("slide"), total)
    event = events[number - 1] if total else None

    def slide_url(n):
        return timeline_url(request.GET, view_path("timeline:present"), slide=str(n))

    context = {
        "filterset": filterset,
        "notices": filterset.notices,
        "figures": figures,
        "summary_text": summary_text(filterset, figures),
        "total": total,
        "number": number,
        "event": event,
        "periods": event.periods_from(snapshot.periods) if event else [],
    }
    if event:
        first, last = figures["first"], figures["last"]
        span = max((last - first).days, 1)
        context.update(
            progress=round((event.start - first).days / span * 1000, 1),
            first_year=first.year,
            last_year=last.year,
            first_url=slide_url(1),
            previous_url=slide_url(number - 1) if number > 1 else None,
            next_url=slide_url(number + 1) if number < total else None,
            last_url=slide_url(total),
            exit_url=timeline_url(
                request.GET,
                slide=None,
                page=str((number - 1) // PAGE_SIZE + 1) if number > PAGE_SIZE else None,
            )
            + f"#event-{event.slug}",
        )
    else:
        context["exit_url"] = timeline_url(request.GET, slide=None)
    return render_for_target(request, "timeline/present.html", context, {"slide": "slide"})


def slide_number(text, total) -> int:
    """The requested slide, kept within 1..total (a bad number shows the first slide)."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), max(total, 1))


@require_safe
@with_data_version
def handout(request):
    filterset = filterset_for(request, request.GET, Event.objects.with_page_details())
    figures = filterset.selection.figures()
    events = list(filterset.qs.in_time_order()[:HANDOUT_LIMIT])
    essays = sorted(
        {citation.essay for event in events for citation in event.citations.all()},
        key=lambda essay: (essay.published, essay.title),
    )
    return render(
        request,
        "timeline/handout.html",
        {
            "events": events,
            "essays": essays,
            "figures": figures,
            "summary_text": summary_text(filterset, figures),
            "notices": filterset.notices,
            "truncated": figures["total"] > HANDOUT_LIMIT,
            "limit": HANDOUT_LIMIT,
            "timeline_link": timeline_url(request.GET),
        },
    )
