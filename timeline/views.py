import datetime
import functools
import re
from operator import itemgetter
from urllib.parse import quote_plus, urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from . import dates, exports, versioning
from .axis import MARK_FIELDS, MAX_MARKS, build_axis
from .cards import event_entries, event_urls
from .filters import EventFilter, TimelineChoices, month_counts, selection_sql, shorten
from .models import Citation, Essay, Event, EventRelation, Period
from .versioning import with_data_version

PAGE_SIZE = 50  # events per page of a list: the timeline's, an essay's, a comparison's
RESULTS_CACHE_SECONDS = 3600
# A zoomed-in axis with too many events counts them per month rather than per year.
DENSITY_BY_MONTH_YEARS = 4


# The links offered for a selection of events, each followed by the selection's query.
SELECTION_VIEWS = {
    "present": "timeline:present",
    "handout": "timeline:handout",
    "json": "timeline:export_events_json",
    "csv": "timeline:export_events_csv",
    "ics": "timeline:export_events_ics",
    "timelinejs": "timeline:export_timelinejs",
    "citations_csv": "timeline:export_citations_csv",
    "bibtex": "timeline:export_essays_bibtex",
    "csl": "timeline:export_essays_csl",
}


@functools.cache
def view_path(name: str) -> str:
    """The path of a view without arguments, resolved once: a filter change links to a
    dozen of them."""
    return reverse(name)


def selection_links(query) -> dict[str, str]:
    """Each of SELECTION_VIEWS for the events ``query`` (a QueryDict) selects."""
    encoded = query.urlencode()
    suffix = f"?{encoded}" if encoded else ""
    return {key: view_path(name) + suffix for key, name in SELECTION_VIEWS.items()}


def requested_partial(request, partials):
    """The partial an htmx request targets, out of ``partials`` (target id → partial name).
    History restores and boosted links get the whole page."""
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return partials.get(htmx.target)
    return None


def render_for_target(request, template, context, partials):
    """Render the whole page, or only the partial an htmx request targets."""
    partial = requested_partial(request, partials)
    response = render(request, f"{template}#{partial}" if partial else template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def timeline_url(query, path=None, **changes):
    """``path`` (the timeline by default) with the filters of ``query`` (a QueryDict), some
    parameters set or removed."""
    return timeline_urls(query, path)(**changes)


def timeline_urls(query, path=None):
    """timeline_url for one query and many changes: what the changes leave of the query is
    encoded once per set of changed names, since an axis makes a hundred of these."""
    path = path or view_path("timeline:index")
    kept_by_names, made = {}, {}

    def url_for(**changes):
        # An axis asks for the same year twice: its label and its density bar.
        key = tuple(changes.items())
        if key not in made:
            made[key] = make_url(changes)
        return made[key]

    def make_url(changes):
        names = frozenset(changes)
        if names not in kept_by_names:
            kept_by_names[names] = urlencode(
                [
                    (name, value)
                    for name, values in query.lists()
                    if name != "page" and name not in names
                    for value in values
                ]
            )
        changed = "&".join(
            f"{name}={url_quoted(value)}" for name, value in changes.items() if value is not None
        )
        encoded = "&".join(part for part in (kept_by_names[names], changed) if part)
        return path + (f"?{encoded}" if encoded else "")

    return url_for


# Years, dates and slugs: nothing in them to quote.
PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.-]*")


def url_quoted(value: str) -> str:
    """``value`` as a query string value: quote_plus, without its cost where it changes
    nothing (an axis links to every year it shows)."""
    return value if PLAIN_VALUE.fullmatch(value) else quote_plus(value)


def without_value(query, name, value):
    """The timeline with the filters of ``query`` but one value of one of them."""
    kept = [
        (key, kept_value)
        for key, values in query.lists()
        if key != "page"
        for kept_value in values
        if (key, kept_value) != (name, value)
    ]
    return view_path("timeline:index") + (f"?{urlencode(kept)}" if kept else "")


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


def draw_axis(events, periods, first_day, last_day, url_for, colour_of=None, fields=()):
    """The axis for ``events`` (a queryset); ``colour_of(event values)`` overrides the theme
    colour of each mark, from the usual values and ``fields``."""
    if first_day is None or last_day is None:
        return None
    drawn = list(
        events.order_by("start").values(*MARK_FIELDS, "main_theme__colour", *fields)[
            : MAX_MARKS + 1
        ]
    )
    url_of = event_urls()
    for event in drawn:
        event["url"] = url_of(event["slug"])
        if colour_of:
            event["main_theme__colour"] = colour_of(event)
    axis = None
    if len(drawn) <= MAX_MARKS:
        axis = build_axis(drawn, periods, first_day, last_day, url_for)
    if axis is None:
        months = month_counts(selection_sql(events))
        axis = density_axis(months, periods, first_day, last_day, url_for)
    return axis


def density_axis(months, periods, first_day, last_day, url_for):
    """An axis of bars: how many events start in each month ((year, month) → count), summed
    by year unless the axis spans only a few years."""
    if last_day.year - first_day.year < DENSITY_BY_MONTH_YEARS:
        counts = months
    else:
        counts = {}
        for (year, _), total in months.items():
            counts[year] = counts.get(year, 0) + total
    return build_axis([], periods, first_day, last_day, url_for, counts)


def axis_for(filterset, summary, query, drawn):
    """The timeline's axis: a mark for each of ``drawn`` (every selected event as a row of
    CARD_FIELDS, when they are few enough to draw; else None), or the density of the
    summary's months."""
    if not summary["total"]:
        return None
    first_day, last_day = filterset.date_bounds()
    first_day, last_day = first_day or summary["first"], last_day or summary["last"]
    periods, url_for = filterset.choices.periods, timeline_urls(query)
    if drawn is not None:
        colours, url_of = filterset.choices.colour_by_theme_id, event_urls()
        marks = [
            {**row, "main_theme__colour": colours[row["main_theme_id"]], "url": url_of(row["slug"])}
            for row in drawn
        ]
        if axis := build_axis(marks, periods, first_day, last_day, url_for):
            return axis
    return density_axis(summary["months"], periods, first_day, last_day, url_for)


def page_months(months, first, last):
    """The first day of the month in which the ``first`` of the selected events (counting
    from 0, in time order) starts, the last day of the month in which the ``last`` does, and
    how many start before that first day, from ``months`` ((year, month) → events)."""
    before, first_day = 0, None
    for (year, month), count in sorted(months.items()):
        if first_day is None and before + count > first:
            first_day, started_before = datetime.date(year, month, 1), before
        if before + count > last:
            month_start = datetime.date(year, month, 1)
            return first_day, dates.last_day_covered(month_start, dates.MONTH), started_before
        before += count
    raise ValueError(f"{last} is past the {before} selected events")


def timeline_results_context(request, filterset, appending=False):
    """``appending``: the page goes after the one before it ("Show more"), so it does not
    repeat that page's last year heading."""
    ranked = bool(filterset.values.get("q"))
    summary = filterset.summary()
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = summary["total"]  # already counted; saves a query
    page = paginator.get_page(request.GET.get("page"))
    first, last = page.start_index() - 1, page.end_index()  # this page's slice of them all
    continued_year, rows, drawn = None, [], None
    if page.number == 1 and 0 < summary["total"] <= MAX_MARKS:
        # Few enough to draw: the axis's marks and this page's list come from one query,
        # the best matches first when searching (the marks are then put in time order).
        if ranked:
            rows = filterset.ranked_rows(0, summary["total"])
            drawn = sorted(rows, key=itemgetter("start", "span_end", "title"))
        else:
            rows = drawn = filterset.list_rows(
                summary["first"], summary["last"], 0, summary["total"]
            )
        rows = rows[first:last]
    elif summary["total"] and ranked:
        rows = filterset.ranked_rows(first, last - first)
    elif summary["total"]:
        first_day, last_day, before = page_months(summary["months"], first, last - 1)
        rows = filterset.list_rows(first_day, last_day, first - before, last - first)
        if appending and first:
            continued_year = page_months(summary["months"], first - 1, first - 1)[0].year
    entries = event_entries(rows, filterset.choices, ranked, page.number == 1, continued_year)
    return {
        "filterset": filterset,
        "values": filterset.values,
        "notices": filterset.notices,
        "summary": summary,
        "summary_text": summary_text(filterset, summary),
        "chips": active_chips(request.GET, filterset),
        "page": page,
        "axis": axis_for(filterset, summary, request.GET, drawn) if page.number == 1 else None,
        "next_url": next_page_url(request, page),
        "clear_url": view_path("timeline:index"),
        "links": selection_links(request.GET),
        "entries": entries,
        "export_limit": exports.MAX_EXPORT_EVENTS,
    }


@require_safe
@with_data_version
def index(request):
    """The timeline. Its results are rendered once per URL and data version and cached, so a
    repeated view (or the same filter from another reader) costs one small query."""
    partial = requested_partial(request, {"results": "results", "more": "event_page"})
    key = versioning.cache_key(request, "timeline")
    results_html = cache.get(key)
    # A cached fragment is sent as it is: no filters to build.
    if results_html is None or not partial:
        choices = TimelineChoices.for_version(versioning.current(request)[0])
        events = Event.objects.order_by("start", "span_end", "title")
        filterset = EventFilter(request.GET, queryset=events, choices=choices)
    if results_html is None:
        context = timeline_results_context(request, filterset, appending=partial == "event_page")
        # The results use nothing of the context processors' but the request.
        results_html = render_to_string(
            f"timeline/index.html#{partial or 'results'}", {**context, "request": request}
        )
        cache.set(key, results_html, RESULTS_CACHE_SECONDS)
    if partial:
        response = HttpResponse(results_html)
    else:
        response = render(
            request,
            "timeline/index.html",
            {
                "filterset": filterset,
                "choices": choices,
                "values": filterset.values,
                "results_html": mark_safe(results_html),  # rendered by our own template
            },
        )
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require_safe
@with_data_version
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
@with_data_version
def essay_list(request):
    essays = Essay.objects.annotate(event_count=Count("citations"))
    return render(request, "timeline/essay_list.html", {"essays": essays})


def essay_timeline_url(essay):
    """Links on an essay's axis keep the timeline filtered to the essay."""
    query = QueryDict(mutable=True)
    query["essay"] = essay.slug
    return timeline_urls(query)


@require_safe
@with_data_version
def essay_detail(request, slug):
    essay = get_object_or_404(Essay, slug=slug)
    events = Event.objects.cited_by(essay)
    figures = events.aggregate(total=Count("pk"), first=Min("start"), last=Max("span_end"))
    citations = (
        Citation.objects.filter(essay=essay)
        .select_related("event", "event__main_theme")
        .order_by("event__start", "event__span_end", "event__title")
    )
    paginator = Paginator(citations, PAGE_SIZE)
    paginator.count = figures["total"]  # already counted; saves a query
    page = paginator.get_page(request.GET.get("page"))
    axis = None
    if figures["total"] and page.number == 1:
        axis = draw_axis(
            events,
            list(Period.objects.all()),
            figures["first"],
            figures["last"],
            essay_timeline_url(essay),
        )
    context = {
        "essay": essay,
        "page": page,
        "total": figures["total"],
        "axis": axis,
        "next_url": next_page_url(request, page),
    }
    return render_for_target(
        request, "timeline/essay_detail.html", context, {"more": "citation_page"}
    )


def next_page_url(request, page):
    """This page's address for the next page of its list, or None on the last."""
    if not page.has_next():
        return None
    return timeline_url(request.GET, request.path, page=str(page.next_page_number()))


COMPARE_COLOURS = {"a": "#1f5fa8", "b": "#a3400b", "both": "#5b2a86"}


def compare_side(in_a: bool, in_b: bool) -> str:
    return "both" if in_a and in_b else ("a" if in_a else "b")


@require_safe
@with_data_version
def essay_compare(request):
    essays = list(Essay.objects.all())
    by_slug = {essay.slug: essay for essay in essays}
    notices = []
    chosen = {}
    for side in ("a", "b"):
        slug = request.GET.get(side, "")
        chosen[side] = by_slug.get(slug)
        if slug and chosen[side] is None:
            notices.append(f"There is no essay “{shorten(slug)}”; choose one from the list.")
    if chosen["a"] and chosen["a"] == chosen["b"]:
        notices.append("Choose two different essays to compare.")
        chosen["b"] = None
    page, rows, axis, counts = None, [], None, {}
    if chosen["a"] and chosen["b"]:
        first, second = chosen["a"], chosen["b"]
        events = Event.objects.annotate(
            in_a=Exists(Citation.objects.filter(essay=first, event=OuterRef("pk"))),
            in_b=Exists(Citation.objects.filter(essay=second, event=OuterRef("pk"))),
        ).filter(Q(in_a=True) | Q(in_b=True))
        counts = events.aggregate(
            both=Count("pk", filter=Q(in_a=True, in_b=True)),
            a=Count("pk", filter=Q(in_a=True, in_b=False)),
            b=Count("pk", filter=Q(in_a=False, in_b=True)),
            first=Min("start"),
            last=Max("span_end"),
        )
        total = counts["both"] + counts["a"] + counts["b"]
        paginator = Paginator(events.order_by("start", "span_end", "title"), PAGE_SIZE)
        paginator.count = total  # already counted; saves a query
        page = paginator.get_page(request.GET.get("page"))
        quotes = {
            (citation.event_id, citation.essay_id): citation
            for citation in Citation.objects.filter(
                essay__in=[first, second], event__in=[event.pk for event in page]
            )
        }
        for event in page:
            rows.append(
                {
                    "event": event,
                    "side": compare_side(event.in_a, event.in_b),
                    "a": quotes.get((event.pk, first.pk)),
                    "b": quotes.get((event.pk, second.pk)),
                }
            )
        if total and page.number == 1:
            axis = draw_axis(
                events,
                list(Period.objects.all()),
                counts["first"],
                counts["last"],
                lambda **changes: timeline_url(QueryDict(), **changes),
                colour_of=lambda event: COMPARE_COLOURS[compare_side(event["in_a"], event["in_b"])],
                fields=("in_a", "in_b"),
            )
    return render_for_target(
        request,
        "timeline/essay_compare.html",
        {
            "essays": essays,
            "a": chosen["a"],
            "b": chosen["b"],
            "rows": rows,
            "page": page,
            "next_url": next_page_url(request, page) if page else None,
            "axis": axis,
            "counts": counts,
            "notices": notices,
            "colours": COMPARE_COLOURS,
        },
        {"more": "compare_page"},
    )


MATRIX_PAGE_SIZE = 50


@require_safe
@with_data_version
def essay_matrix(request):
    choices = TimelineChoices.for_version(versioning.current(request)[0])
    queryset = Event.objects.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.only("id", "essay_id", "event_id", "quote"))
    ).order_by("start", "span_end", "title")
    filterset = EventFilter(request.GET, queryset=queryset, choices=choices)
    summary = filterset.summary()
    paginator = Paginator(filterset.qs, MATRIX_PAGE_SIZE)
    paginator.count = summary["total"]
    page = paginator.get_page(request.GET.get("page"))
    rows = []
    for event in page:
        cited = {citation.essay_id: citation for citation in event.citations.all()}
        rows.append((event, [(essay, cited.get(essay.pk)) for essay in choices.essays]))
    path = reverse("timeline:essay_matrix")
    return render(
        request,
        "timeline/essay_matrix.html",
        {
            "filterset": filterset,
            "choices": choices,
            "values": filterset.values,
            "notices": filterset.notices,
            "summary_text": summary_text(filterset, summary),
            "rows": rows,
            "page": page,
            "previous_url": timeline_url(request.GET, path, page=str(page.number - 1))
            if page.has_previous()
            else None,
            "next_url": timeline_url(request.GET, path, page=str(page.number + 1))
            if page.has_next()
            else None,
            "timeline_link": timeline_url(request.GET),
        },
    )


@require_safe
@exports.refuse_large_selections
@with_data_version
def export_events_json(request):
    queryset = Event.objects.select_related("main_theme").prefetch_related(
        "themes", Prefetch("citations", queryset=Citation.objects.select_related("essay"))
    )
    filterset, selected = exports.selected_events(request, queryset)
    choices = filterset.choices
    events = []
    for event in selected:
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


def event_page_queryset():
    """Everything a full event view shows: themes, citations with essays, relations."""
    return Event.objects.select_related("main_theme").prefetch_related(
        "themes",
        Prefetch("citations", queryset=Citation.objects.select_related("essay")),
        Prefetch("relations_out", queryset=EventRelation.objects.select_related("to_event")),
        Prefetch("relations_in", queryset=EventRelation.objects.select_related("from_event")),
    )


def slide_number(text, total) -> int:
    """The requested slide, kept within 1..total (a bad number shows the first slide)."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), max(total, 1))


@require_safe
@with_data_version
def present(request):
    choices = TimelineChoices.for_version(versioning.current(request)[0])
    filterset = EventFilter(request.GET, queryset=event_page_queryset(), choices=choices)
    events = filterset.qs.order_by("start", "span_end", "title")
    summary = filterset.summary()
    total = summary["total"]
    number = slide_number(request.GET.get("slide"), total)
    event = events[number - 1] if total else None

    def slide_url(n):
        return timeline_url(request.GET, reverse("timeline:present"), slide=str(n))

    context = {
        "filterset": filterset,
        "notices": filterset.notices,
        "summary": summary,
        "summary_text": summary_text(filterset, summary),
        "total": total,
        "number": number,
        "event": event,
        "periods": event.periods_from(choices.periods) if event else [],
    }
    if event:
        first, last = summary["first"], summary["last"]
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


HANDOUT_LIMIT = 300


@require_safe
@with_data_version
def handout(request):
    choices = TimelineChoices.for_version(versioning.current(request)[0])
    filterset = EventFilter(request.GET, queryset=event_page_queryset(), choices=choices)
    summary = filterset.summary()
    events = list(filterset.qs.order_by("start", "span_end", "title")[:HANDOUT_LIMIT])
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
            "summary": summary,
            "summary_text": summary_text(filterset, summary),
            "notices": filterset.notices,
            "truncated": summary["total"] > HANDOUT_LIMIT,
            "limit": HANDOUT_LIMIT,
            "timeline_link": timeline_url(request.GET),
        },
    )


@require_safe
def themes_css(request):
    """Each theme's colour as a CSS custom property; the URL carries the data version, so
    browsers may keep it for a year."""
    version, _ = versioning.current(request)
    themes = TimelineChoices.for_version(version).themes
    rules = "".join(f".theme-{theme.slug}{{--theme:{theme.colour}}}\n" for theme in themes)
    response = HttpResponse(rules, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
