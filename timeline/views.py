from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch
from django.db.models.functions import ExtractYear
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from .axis import MAX_MARKS, build_axis
from .filters import EventFilter, TimelineChoices
from .models import Citation, Essay, Event, EventRelation, Period

PAGE_SIZE = 100
FILTER_NAMES = ("theme", "period", "from", "to", "essay", "stance", "q")


def render_for_target(request, template, context, partials):
    """Render the whole page, or only the partial an htmx request targets.

    ``partials`` maps an htmx target id to a partial of ``template``. History restores and
    boosted links get the whole page.
    """
    partial = None
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        partial = partials.get(htmx.target)
    response = render(request, f"{template}#{partial}" if partial else template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def timeline_url(query, **changes):
    """The timeline URL for ``query`` (a QueryDict) with some parameters set or removed."""
    params = query.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    encoded = params.urlencode()
    return reverse("timeline:index") + (f"?{encoded}" if encoded else "")


def without_value(query, name, value):
    params = query.copy()
    params.pop("page", None)
    params.setlist(name, [v for v in params.getlist(name) if v != value])
    encoded = params.urlencode()
    return reverse("timeline:index") + (f"?{encoded}" if encoded else "")


def active_chips(query, filterset):
    """Each active filter as (label, URL without it), so any one can be removed."""
    values = filterset.values
    chips = [
        (f"Theme: {theme.name}", without_value(query, "theme", theme.slug))
        for theme in filterset.selected_themes
    ]
    if period := filterset.selected_period:
        chips.append((f"Period: {period.name}", timeline_url(query, period=None)))
    if values.get("from"):
        chips.append((f"From {query.get('from')}", timeline_url(query, **{"from": None})))
    if values.get("to"):
        chips.append((f"To {query.get('to')}", timeline_url(query, to=None)))
    if essay := filterset.selected_essay:
        chips.append((f"Cited by: {essay.title}", timeline_url(query, essay=None)))
    if stance := values.get("stance"):
        chips.append((f"Stance: {stance.capitalize()}", timeline_url(query, stance=None)))
    if values.get("q"):
        chips.append((f"Search: “{values['q']}”", timeline_url(query, q=None)))
    return chips


def summary_text(filterset, summary) -> str:
    """ "23 events · 2012–2014 · Arms control · cited by 4 essays" """
    total = summary["total"]
    parts = [f"{total} event" if total == 1 else f"{total} events"]
    if total:
        first, last = summary["first"].year, summary["last"].year
        parts.append(str(first) if first == last else f"{first}–{last}")
    values = filterset.values
    if themes := filterset.selected_themes:
        parts.append(" or ".join(theme.name for theme in themes))
    if period := filterset.selected_period:
        parts.append(period.name)
    if stance := values.get("stance"):
        parts.append(stance.capitalize())
    if essay := filterset.selected_essay:
        parts.append(f"in “{essay.title}”")
    if values.get("q"):
        parts.append(f"matching “{values['q']}”")
    if total:
        essays = summary["essays"]
        parts.append(f"cited by {essays} essay" if essays == 1 else f"cited by {essays} essays")
    return " · ".join(parts)


def axis_for(filterset, events, summary, query):
    first_day, last_day = filterset.date_bounds()
    first_day = first_day or summary["first"]
    last_day = last_day or summary["last"]
    if first_day is None or last_day is None:
        return None

    def url_for(**changes):
        return timeline_url(query, **changes)

    drawn = list(
        events.order_by("start").values(
            "slug",
            "title",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "span_end",
            "approximate",
            "stance",
            "main_theme__colour",
        )[: MAX_MARKS + 1]
    )
    for event in drawn:
        event["url"] = reverse("timeline:event_detail", args=[event["slug"]])
    axis = None
    if len(drawn) <= MAX_MARKS:
        axis = build_axis(drawn, filterset.choices.periods, first_day, last_day, url_for)
    if axis is None:
        counts = dict(
            events.order_by()
            .annotate(year=ExtractYear("start"))
            .values_list("year")
            .annotate(total=Count("pk"))
            .values_list("year", "total")
        )
        axis = build_axis([], filterset.choices.periods, first_day, last_day, url_for, counts)
    return axis


@require_safe
def index(request):
    choices = TimelineChoices.load()
    filterset = EventFilter(request.GET, queryset=Event.objects.for_timeline(), choices=choices)
    events = filterset.qs
    summary = filterset.summary()
    paginator = Paginator(events, PAGE_SIZE)
    paginator.count = summary["total"]  # already counted; saves a query
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "choices": choices,
        "values": filterset.values,
        "notices": filterset.notices,
        "summary": summary,
        "summary_text": summary_text(filterset, summary),
        "chips": active_chips(request.GET, filterset),
        "page": page,
        "axis": axis_for(filterset, events, summary, request.GET) if page.number == 1 else None,
        "next_url": (
            timeline_url(request.GET, page=str(page.next_page_number()))
            if page.has_next()
            else None
        ),
        "clear_url": reverse("timeline:index"),
        "periods": choices.periods,
    }
    return render_for_target(
        request, "timeline/index.html", context, {"results": "results", "more": "event_page"}
    )


@require_safe
def event_detail(request, slug):
    event = get_object_or_404(
        Event.objects.select_related("main_theme").prefetch_related(
            "themes",
            "links",
            Prefetch("citations", queryset=Citation.objects.select_related("essay")),
            Prefetch("relations_out", queryset=EventRelation.objects.select_related("to_event")),
            Prefetch("relations_in", queryset=EventRelation.objects.select_related("from_event")),
        ),
        slug=slug,
    )
    periods = event.periods_from(Period.objects.overlapping(event.start, event.span_end))
    return render(request, "timeline/event_detail.html", {"event": event, "periods": periods})


@require_safe
def essay_list(request):
    essays = Essay.objects.annotate(event_count=Count("citations"))
    return render(request, "timeline/essay_list.html", {"essays": essays})


@require_safe
def essay_detail(request, slug):
    essay = get_object_or_404(Essay, slug=slug)
    citations = (
        Citation.objects.filter(essay=essay)
        .select_related("event", "event__main_theme")
        .order_by("event__start", "event__span_end")
    )
    return render(request, "timeline/essay_detail.html", {"essay": essay, "citations": citations})


@require_safe
def export_events_json(request):
    choices = TimelineChoices.load()
    queryset = Event.objects.select_related("main_theme").prefetch_related(
        "themes", Prefetch("citations", queryset=Citation.objects.select_related("essay"))
    )
    filterset = EventFilter(request.GET, queryset=queryset, choices=choices)
    events = []
    for event in filterset.qs.order_by("start", "span_end", "title"):
        events.append(
            {
                "slug": event.slug,
                "title": event.title,
                "start": event.start.isoformat(),
                "start_precision": event.start_precision,
                "end": event.end.isoformat() if event.end else None,
                "end_precision": event.end_precision or None,
                "approximate": event.approximate,
                "stance": event.stance,
                "themes": [theme.slug for theme in event.ordered_themes()],
                "periods": [period.slug for period in event.periods_from(choices.periods)],
                "url": request.build_absolute_uri(event.get_absolute_url()),
                "citations": [
                    {
                        "essay": {
                            "slug": citation.essay.slug,
                            "title": citation.essay.title,
                            "authors": citation.essay.author_list,
                        },
                        "quote": citation.quote,
                    }
                    for citation in event.citations.all()
                ],
            }
        )
    payload = {"count": len(events), "events": events}
    if filterset.notices:
        payload["notices"] = filterset.notices
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})


@require_safe
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\n", content_type="text/plain")
