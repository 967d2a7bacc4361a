"""The timeline: the axis and list of the events the filters select, and the panel of the
event opened beside them."""

import datetime
from operator import itemgetter

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from .. import dates, exports, panel, versioning
from ..axis import MAX_MARKS, density_axis
from ..axis_marks import marked_axis
from ..cards import event_entries
from ..filters import filterset_for, shorten
from ..htmx import requested_partial
from ..links import (
    next_page_url,
    selection_links,
    timeline_url,
    timeline_urls,
    view_path,
    without_value,
)
from ..paging import counted_page
from ..snapshot import CITED, Snapshot, event_pieces
from ..summary_text import summary_text
from ..zoom import Window

RESULTS_CACHE_SECONDS = 3600
# What of the timeline a whole page takes from its kept results.
RESULTS_PARTS = ("results", "axis", "count")
# The parts of the page htmx may ask for (target id → partial).
PARTIALS = {"results": "results", "more": "event_page", "event-panel": "panel"}


def results_version(request):
    """(tag, time) of the last change that could show in the results of the request's
    filters (not the open event's panel, rendered apart): a change elsewhere keeps them."""
    if not hasattr(request, "_results_version"):
        snapshot = Snapshot.for_request(request)
        scoped = snapshot.version_of_timeline(request.GET)
        request._results_version = scoped or versioning.current(request)
    return request._results_version


def shown_version(request):
    """(tag, time) of what the response shows: an htmx fragment of the results, only the
    results; a whole page or the panel, the event and the filters' choices too."""
    if requested_partial(request, PARTIALS) in ("results", "event_page"):
        return results_version(request)
    return versioning.current(request)


@require_safe
@versioning.with_version(shown_version)
def index(request):
    """The timeline. Its results are rendered once per URL and the last data version that
    could show in them, and cached, so a repeated view (or the same filter from another
    reader, or after a change elsewhere in time) costs one small query. The open event's
    panel (``event``) is not part of them: it is rendered for each request, or alone when
    htmx asks for it."""
    partial = requested_partial(request, PARTIALS)
    query = request.GET.copy()
    slug = query.pop("event", [""])[-1]
    if partial == "panel":
        context = panel_context(request, query, filterset_for(request, query), slug)
        return render(request, "timeline/index.html#panel", context)
    key = versioning.cache_key(
        request,
        "timeline",
        f"{request.path}?{query.urlencode()}",
        version=results_version(request)[0],
    )
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
        # Results kept by a release before this one have none: a shared link then says less.
        "summary_text": results.get("summary_text", ""),
    }
    if slug:
        context.update(panel_context(request, query, filterset, slug))
    return render(request, "timeline/index.html", context)


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
        "summary_text": context["summary_text"],
    }


def timeline_results_context(request, query, filterset, appending=False, path=None):
    """The timeline's results for the filters of ``query`` (the request's, without the open
    event). ``appending``: the page goes after the one before it ("Show more"), so it does
    not repeat that page's last year heading. ``path``: the page the axis's links go to (the
    timeline by default)."""
    ranked = bool(filterset.values.get("q"))
    figures = filterset.selection.figures()
    page = counted_page([], figures["total"], query.get("page"))
    first, last = page.start_index() - 1, page.end_index()  # this page's slice of them all
    continued_year, rows, drawn = None, [], None
    if page.number == 1 and 0 < figures["total"] <= MAX_MARKS:
        # Few enough to draw: the axis's marks and this page's list come from one query,
        # the best matches first when searching (the marks are then put in time order).
        if ranked:
            rows = filterset.selection.ranked_rows(0, figures["total"])
            drawn = sorted(rows, key=itemgetter("start", "span_end", "title"))
        else:
            rows = drawn = filterset.selection.list_rows(
                figures["first"], figures["last"], 0, figures["total"]
            )
        rows = rows[first:last]
    elif figures["total"] and ranked:
        rows = filterset.selection.ranked_rows(first, last - first)
    elif figures["total"]:
        first_day, last_day, before = page_months(figures["months"], first, last - 1)
        rows = filterset.selection.list_rows(first_day, last_day, first - before, last - first)
        if appending and first:
            continued_year = page_months(figures["months"], first - 1, first - 1)[0].year
    # One query reads what is not kept yet of the listed and the drawn events.
    pieces = event_pieces(drawn if drawn is not None else rows, filterset.snapshot)
    entries = event_entries(
        rows, pieces, filterset.snapshot, ranked, page.number == 1, continued_year
    )
    window = axis_window(filterset, figures) if page.number == 1 else None
    url_for = timeline_urls(query, path)
    axis = axis_for(filterset, figures, window, url_for, drawn, pieces)
    text = summary_text(filterset, figures)
    count_text, _, count_more = text.partition(" · ")
    return {
        "filterset": filterset,
        "values": filterset.values,
        "notices": filterset.notices,
        "figures": figures,
        "summary_text": text,
        # Beside the filters: how many events, then the rest of the summary.
        "count_text": count_text,
        "count_more": count_more,
        "chips": active_chips(query, filterset),
        "active_filters": active_filter_count(filterset.values),
        "page": page,
        "axis": axis,
        "zoom": zoom_links(window, filterset.snapshot, url_for, query),
        "next_url": next_page_url(request, page, query),
        "clear_url": view_path("timeline:index"),
        "links": selection_links(query),
        "entries": entries,
        "export_limit": exports.MAX_EXPORT_EVENTS,
    }


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


def axis_window(filterset, figures) -> Window | None:
    """The span the axis shows: what the date filters ask for, else the selection's own."""
    if not figures["total"]:
        return None
    first_day, last_day = filterset.date_bounds()
    return Window.around(first_day or figures["first"], last_day or figures["last"])


def axis_for(filterset, figures, window, url_for, drawn, pieces):
    """The timeline's axis on ``window``: a mark for each of ``drawn`` (every selected event
    as a row of LISTED_FIELDS when they are few enough to draw; else None), or the density
    of the figures' months. ``url_for``: the timeline's address with filters changed."""
    if window is None:
        return None
    snapshot = filterset.snapshot
    if drawn is not None:
        return marked_axis(drawn, pieces, snapshot, window, url_for)
    return density_axis(figures["months"], snapshot.periods, window, url_for)


def zoom_links(window, snapshot, url_for, query) -> dict:
    """Addresses (``url_for`` the filters of ``query`` changed) of the timeline zoomed in and
    out, moved earlier and later, and shown whole (None where there is nowhere to go)."""
    if window is None or snapshot.first_day is None:
        return {}
    extent = Window.around(snapshot.first_day, snapshot.last_day)
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


def active_filter_count(values) -> int:
    """How many filter values are set: each theme counts."""
    return len(values.get("theme") or []) + sum(
        bool(values.get(name)) for name in ("period", "from", "to", "essay", "cited", "stance", "q")
    )


def panel_context(request, query, filterset, slug, path=None):
    """The open event's panel: the event, where it stands among the selected events, and
    the addresses (on ``path``, the timeline by default) of its neighbours and of the
    timeline without it."""
    url_for = timeline_urls(query, path)
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
    figures = filterset.selection.figures()
    for side in ("previous", "next"):
        if near[side]:
            near[side]["url"] = url_for(event=near[side]["slug"])
    context.update(
        panel_event=event,
        panel_periods=event.periods_from(filterset.snapshot.periods),
        panel_side=panel.panel_side(event, axis_window(filterset, figures)),
        **{f"panel_{name}": value for name, value in near.items()},
    )
    return context
