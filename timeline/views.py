import datetime
import functools
import re
from operator import itemgetter
from urllib.parse import quote_plus, urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, Max, Min, OuterRef, Prefetch, Q, Value, When
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from . import dates, exports, panel, versioning
from .axis import MAX_MARKS, build_axis, density_axis
from .cards import CARD_FIELDS, event_entries, event_urls
from .filters import filterset_for, shorten
from .models import COLOUR_PATTERN, Citation, Essay, Event, EventRelation, Period
from .paging import CountedPaginator
from .return_link import timeline_view_url, with_timeline_view
from .selection import month_counts, selection_sql
from .snapshot import CITED, Snapshot, event_pieces
from .versioning import with_data_version
from .zoom import Window

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
    return render(request, f"{template}#{partial}" if partial else template, context)


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
    if cited := values.get("cited"):
        chips.append((CITED[cited], timeline_url(query, cited=None)))
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
    if cited := values.get("cited"):
        parts.append(CITED[cited].lower())
    if essay := filterset.selected_essay:
        parts.append(f"in “{essay.title}”")
    if values.get("q"):
        parts.append(f"matching “{values['q']}”")
    if total:
        essays = summary["essays"]
        parts.append(f"cited by {essays} essay" if essays == 1 else f"cited by {essays} essays")
    return " · ".join(parts)


def axis_window(filterset, summary) -> Window | None:
    """The span the axis shows: what the date filters ask for, else the selection's own."""
    if not summary["total"]:
        return None
    first_day, last_day = filterset.date_bounds()
    return Window.around(first_day or summary["first"], last_day or summary["last"])


def mark_rows(rows, pieces, choices, colour_of=None):
    """``rows`` (of CARD_FIELDS) with what a mark needs besides: its address, card,
    citations and colour class (its main theme's, or ``colour_of(row)``)."""
    url_of = event_urls()
    return [
        {
            **row,
            "url": url_of(row["slug"]),
            # Built when drawn (a mark gathered under a "+N" shows none).
            "card": functools.partial(pieces[row["pk"]].card_for, row, choices),
            "citations": pieces[row["pk"]].citations,
            "colour_class": colour_of(row) if colour_of else f"th{row['main_theme_id']}",
        }
        for row in rows
    ]


def draw_axis(events, periods, first_day, last_day, url_for, choices, colour_of=None, fields=()):
    """The axis of an essay's events or a comparison's (``events``, a queryset): marks for
    up to MAX_MARKS of them, else their density. ``colour_of(row)`` gives each mark's
    colour class, from its values and ``fields``."""
    if first_day is None or last_day is None:
        return None
    window = Window.around(first_day, last_day)
    ordered = events.order_by("start", "span_end", "title")
    rows = list(ordered.values(*CARD_FIELDS, *fields)[: MAX_MARKS + 1])
    if len(rows) <= MAX_MARKS:
        marks = mark_rows(rows, event_pieces(rows, choices), choices, colour_of)
        axis = build_axis(marks, periods, window, url_for)
        axis.theme_key = theme_key(axis, choices)
        return axis
    months = month_counts(selection_sql(events))
    return density_axis(months, periods, window, url_for)


def axis_for(filterset, summary, window, query, drawn, pieces):
    """The timeline's axis on ``window``: a mark for each of ``drawn`` (every selected event
    as a row of CARD_FIELDS when they are few enough to draw; else None), or the density
    of the summary's months."""
    if window is None:
        return None
    choices = filterset.snapshot
    url_for = timeline_urls(query)
    if drawn is not None:
        axis = build_axis(mark_rows(drawn, pieces, choices), choices.periods, window, url_for)
        axis.theme_key = theme_key(axis, choices)
        return axis
    return density_axis(summary["months"], choices.periods, window, url_for)


def zoom_links(window, choices, query) -> dict:
    """Addresses of the timeline zoomed in and out, moved earlier and later, and shown
    whole (None where there is nowhere to go)."""
    if window is None or choices.first_day is None:
        return {}
    extent = Window.around(choices.first_day, choices.last_day)
    url_for = timeline_urls(query)
    dated = any(query.get(name) for name in ("from", "to", "period"))

    def url_of(zoomed):
        return url_for(**zoomed.filters(), period=None) if zoomed else None

    whole = url_for(**{"from": None, "to": None, "period": None}) if dated else None
    zoomed_out = window.zoomed_out(extent)
    return {
        "zoom_in": url_of(window.zoomed_in()),
        "zoom_out": url_of(zoomed_out) if zoomed_out else whole,
        "earlier": url_of(window.panned(-1, extent)),
        "later": url_of(window.panned(1, extent)),
        "whole": whole,
    }


def theme_key(axis, choices) -> list:
    """The themes whose colours the axis's marks wear, in theme order."""
    used = set(axis.colour_classes)
    return [theme for theme in choices.themes if theme.colour_class in used]


def active_filter_count(values) -> int:
    """How many filter values are set: each theme counts."""
    return len(values.get("theme") or []) + sum(
        bool(values.get(name)) for name in ("period", "from", "to", "essay", "cited", "stance", "q")
    )


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


def timeline_results_context(request, query, filterset, appending=False):
    """The timeline's results for the filters of ``query`` (the request's, without the open
    event). ``appending``: the page goes after the one before it ("Show more"), so it does
    not repeat that page's last year heading."""
    ranked = bool(filterset.values.get("q"))
    summary = filterset.selection.summary()
    paginator = CountedPaginator([], PAGE_SIZE, summary["total"])
    page = paginator.get_page(query.get("page"))
    first, last = page.start_index() - 1, page.end_index()  # this page's slice of them all
    continued_year, rows, drawn = None, [], None
    if page.number == 1 and 0 < summary["total"] <= MAX_MARKS:
        # Few enough to draw: the axis's marks and this page's list come from one query,
        # the best matches first when searching (the marks are then put in time order).
        if ranked:
            rows = filterset.selection.ranked_rows(0, summary["total"])
            drawn = sorted(rows, key=itemgetter("start", "span_end", "title"))
        else:
            rows = drawn = filterset.selection.list_rows(
                summary["first"], summary["last"], 0, summary["total"]
            )
        rows = rows[first:last]
    elif summary["total"] and ranked:
        rows = filterset.selection.ranked_rows(first, last - first)
    elif summary["total"]:
        first_day, last_day, before = page_months(summary["months"], first, last - 1)
        rows = filterset.selection.list_rows(first_day, last_day, first - before, last - first)
        if appending and first:
            continued_year = page_months(summary["months"], first - 1, first - 1)[0].year
    # One query reads what is not kept yet of the listed and the drawn events.
    pieces = event_pieces(drawn if drawn is not None else rows, filterset.snapshot)
    entries = event_entries(
        rows, pieces, filterset.snapshot, ranked, page.number == 1, continued_year
    )
    window = axis_window(filterset, summary) if page.number == 1 else None
    axis = axis_for(filterset, summary, window, query, drawn, pieces)
    text = summary_text(filterset, summary)
    count_text, _, count_more = text.partition(" · ")
    return {
        "filterset": filterset,
        "values": filterset.values,
        "notices": filterset.notices,
        "summary": summary,
        "summary_text": text,
        # Beside the filters: how many events, then the rest of the summary.
        "count_text": count_text,
        "count_more": count_more,
        "chips": active_chips(query, filterset),
        "active_filters": active_filter_count(filterset.values),
        "page": page,
        "axis": axis,
        "zoom": zoom_links(window, filterset.snapshot, query),
        "next_url": next_page_url(request, page, query),
        "clear_url": view_path("timeline:index"),
        "links": selection_links(query),
        "entries": entries,
        "export_limit": exports.MAX_EXPORT_EVENTS,
    }


def render_results(request, query, filterset, partial):
    """The results of the timeline, rendered: for a whole page (``partial`` None) the list,
    the axis and the count beside the filters, separately; for an htmx request the
    fragment it targets (the list with the rest swapped out of band, or the next page)."""
    appending = partial == "event_page"
    context = timeline_results_context(request, query, filterset, appending=appending)
    # The results use nothing of the context processors' but the request.
    context["request"] = request
    if partial == "event_page":
        return render_to_string("timeline/index.html#event_page", context)
    if partial == "results":
        return render_to_string("timeline/index.html#results_swap", {**context, "oob": True})
    return {
        **{
            name: render_to_string(f"timeline/index.html#{name}", context) for name in RESULTS_PARTS
        },
        "active_filters": context["active_filters"],
    }


# What of the timeline a whole page takes from its kept results.
RESULTS_PARTS = ("results", "axis", "count")


@require_safe
@with_data_version
def index(request):
    """The timeline. Its results are rendered once per URL and data version and cached, so a
    repeated view (or the same filter from another reader) costs one small query. The open
    event's panel (``event``) is not part of them: it is rendered for each request, or
    alone when htmx asks for it."""
    partial = requested_partial(
        request, {"results": "results", "more": "event_page", "event-panel": "panel"}
    )
    query = request.GET.copy()
    slug = query.pop("event", [""])[-1]
    if partial == "panel":
        panel = panel_context(request, query, filterset_for(request, query), slug)
        return render(request, "timeline/index.html#panel", panel)
    key = versioning.cache_key(request, "timeline", f"{request.path}?{query.urlencode()}")
    results = cache.get(key)
    filterset = None
    if results is None:
        filterset = filterset_for(request, query)
        results = render_results(request, query, filterset, partial)
        cache.set(key, results, RESULTS_CACHE_SECONDS)
    if partial:
        return HttpResponse(results)  # a cached fragment is sent as it is
    filterset = filterset or filterset_for(request, query)
    context = {
        "filterset": filterset,
        "choices": filterset.snapshot,
        "values": filterset.values,
        **{name: mark_safe(results[name]) for name in RESULTS_PARTS},  # our templates'
        "active_filters": results["active_filters"],
    }
    if slug:
        context.update(panel_context(request, query, filterset, slug))
    return render(request, "timeline/index.html", context)


def panel_context(request, query, filterset, slug):
    """The open event's panel: the event, where it stands among the selected events, and
    the addresses of its neighbours and of the timeline without it."""
    url_for = timeline_urls(query)
    context = {"panel_close_url": url_for(event=None)}
    if not slug:
        return context
    event = panel.open_event(slug)
    if event is None:
        context["panel_notice"] = (
            f"There is no event “{shorten(slug)}”; choose one on the axis or in the list."
        )
        return context
    near = panel.neighbours(filterset, event)
    summary = filterset.selection.summary()
    for side in ("previous", "next"):
        if near[side]:
            near[side]["url"] = url_for(event=near[side]["slug"])
    context.update(
        panel_event=event,
        panel_periods=event.periods_from(filterset.snapshot.periods),
        panel_side=panel.panel_side(event, axis_window(filterset, summary)),
        **{f"panel_{name}": value for name, value in near.items()},
    )
    return context


@require_safe
@with_timeline_view
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
    return render(
        request,
        "timeline/event_detail.html",
        {
            "event": event,
            "periods": periods,
            "timeline_view_url": timeline_view_url(request, event.slug),
        },
    )


@require_safe
@with_data_version
def essay_list(request):
    # Explicit: a query that counts (GROUP BY) drops the model's default ordering.
    essays = Essay.objects.annotate(event_count=Count("citations")).order_by("published", "title")
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
    paginator = CountedPaginator(citations, PAGE_SIZE, figures["total"])
    page = paginator.get_page(request.GET.get("page"))
    axis = None
    if figures["total"] and page.number == 1:
        choices = Snapshot.for_request(request)
        axis = draw_axis(
            events,
            choices.periods,
            figures["first"],
            figures["last"],
            essay_timeline_url(essay),
            choices,
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


def next_page_url(request, page, query=None):
    """This page's address for the next page of its list (with the filters of ``query``, by
    default the request's), or None on the last."""
    if not page.has_next():
        return None
    query = request.GET if query is None else query
    return timeline_url(query, request.path, page=str(page.next_page_number()))


def compare_side(in_a: bool, in_b: bool) -> str:
    return "both" if in_a and in_b else ("a" if in_a else "b")


# What a comparison shows: the shared events first, then each essay's own.
COMPARE_SIDES = {
    "both": Q(in_a=True, in_b=True),
    "a": Q(in_a=True, in_b=False),
    "b": Q(in_a=False, in_b=True),
}


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
    page, rows, axis, counts, show = None, [], None, {}, ""
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
        show = request.GET.get("show", "")
        if show not in COMPARE_SIDES:
            show = ""
        total = counts[show] if show else counts["both"] + counts["a"] + counts["b"]
        listed = events.filter(COMPARE_SIDES[show]) if show else events
        group = Case(
            *(
                When(condition, then=Value(rank))
                for rank, condition in enumerate(COMPARE_SIDES.values())
            )
        )
        paginator = CountedPaginator(
            listed.alias(group=group).order_by("group", "start", "span_end", "title"),
            PAGE_SIZE,
            total,
        )
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
            choices = Snapshot.for_request(request)
            axis = draw_axis(
                events,
                choices.periods,
                counts["first"],
                counts["last"],
                lambda **changes: timeline_url(QueryDict(), **changes),
                choices,
                # Colour says which essay cites the event (static/css/app.css).
                colour_of=lambda row: f"side-{compare_side(row['in_a'], row['in_b'])}",
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
            "show": show,
            "show_links": compare_show_links(request) if chosen["a"] and chosen["b"] else [],
            "notices": notices,
        },
        {"more": "compare_page"},
    )


def compare_show_links(request):
    """(value, address) for each way of showing a comparison: all, or one side only."""
    return [
        (value, timeline_url(request.GET, request.path, show=value or None))
        for value in ("", *COMPARE_SIDES)
    ]


MATRIX_PAGE_SIZE = 50


@require_safe
@with_data_version
def essay_matrix(request):
    queryset = Event.objects.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.only("id", "essay_id", "event_id", "quote"))
    ).order_by("start", "span_end", "title")
    filterset = filterset_for(request, request.GET, queryset)
    choices = filterset.snapshot
    summary = filterset.selection.summary()
    paginator = CountedPaginator(filterset.qs, MATRIX_PAGE_SIZE, summary["total"])
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
        "links",
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
    filterset = filterset_for(request, request.GET, event_page_queryset())
    choices = filterset.snapshot
    events = filterset.qs.order_by("start", "span_end", "title")
    summary = filterset.selection.summary()
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
    filterset = filterset_for(request, request.GET, event_page_queryset())
    summary = filterset.selection.summary()
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
    themes = Snapshot.for_version(version).themes
    # The models refuse any other colour; a row written around them still never becomes CSS.
    themes = [theme for theme in themes if re.fullmatch(COLOUR_PATTERN, theme.colour)]
    rules = "".join(f".{theme.colour_class}{{--theme:{theme.colour}}}\n" for theme in themes)
    response = HttpResponse(rules, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
