"""The downloads of the selected events, each named for what it holds; what goes in each
file is made by timeline/exports.py."""

import csv
import functools

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from .. import exports
from ..export_cache import made_once, selection
from ..export_rows import exported_events
from ..formula_cells import neutralised
from ..links import timeline_url, view_path
from ..versioning import with_data_version

# The longest stem of a download's name, filters included.
MAX_STEM = 100


def refuse_large_selections(view):
    """Answer an export of too many events with a 400 page that says how to narrow it."""

    @functools.wraps(view)
    def refusing_view(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except exports.SelectionTooLarge as refusal:
            return render(
                request,
                "timeline/export_too_large.html",
                {
                    "total": refusal.filterset.qs.count(),
                    "limit": exports.MAX_EXPORT_EVENTS,
                    "timeline_link": timeline_url(request.GET),
                },
                status=400,
            )

    return refusing_view


@require_safe
@with_data_version
@made_once("events.csv")
@refuse_large_selections
def export_events_csv(request):
    filterset, events = exports.selected_events(request)
    rows = map(exports.event_csv_row, exported_events(request, events, filterset.snapshot))
    return csv_response(download_name(request, ".csv"), exports.EVENT_COLUMNS, rows)


@require_safe
@with_data_version
@made_once("citations.csv")
@refuse_large_selections
def export_citations_csv(request):
    _, events = exports.selected_events(request)
    rows = exports.citation_csv_rows(events)
    return csv_response(download_name(request, "-citations.csv"), exports.CITATION_COLUMNS, rows)


@require_safe
@with_data_version
@made_once("events.json")
@refuse_large_selections
def export_events_json(request):
    filterset, events = exports.selected_events(request)
    rows = exported_events(request, events, filterset.snapshot, citations=True)
    payload = exports.events_json(rows, filterset.snapshot.periods, filterset.notices)
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return attachment(response, download_name(request, ".json"))


@require_safe
@with_data_version
@made_once("events.ics")
@refuse_large_selections
def export_events_ics(request):
    filterset, events = exports.selected_events(request)
    calendar = exports.events_calendar(exported_events(request, events, filterset.snapshot))
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    return attachment(response, download_name(request, ".ics"))


@require_safe
@with_data_version
@made_once("timelinejs.json")
@refuse_large_selections
def export_timelinejs(request):
    filterset, events = exports.selected_events(request)
    rows = exported_events(request, events, filterset.snapshot)
    # The filters alone, as in the cache's key: the file is made once for every request
    # that selects the same events, so nothing else of this request may show in it.
    query = selection(request)
    view_url = request.build_absolute_uri(
        view_path("timeline:index") + (f"?{query}" if query else "")
    )
    payload = exports.timelinejs_file(rows, filterset.snapshot.periods, view_url)
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return attachment(response, download_name(request, "-timelinejs.json"))


@require_safe
@with_data_version
def export_essays_bibtex(request):
    filterset, events = exports.selected_events(request, capped=False)
    essays = exports.citing_essays(filterset, events)
    response = HttpResponse(
        exports.bibtex_file(essays, request.build_absolute_uri()),
        content_type="application/x-bibtex; charset=utf-8",
    )
    return attachment(response, download_name(request, "-essays.bib"))


@require_safe
@with_data_version
def export_essays_csl(request):
    filterset, events = exports.selected_events(request, capped=False)
    response = HttpResponse(
        exports.csl_file(exports.citing_essays(filterset, events)),
        content_type="application/vnd.citationstyles.csl+json; charset=utf-8",
    )
    return attachment(response, download_name(request, "-essays.csl.json"))


def download_name(request, suffix: str) -> str:
    """What a download holds, in its name: the site, the filters (themes, period, essay,
    stance, search words, years), then ``suffix``: relations-timeline-arms-control-2009-2012.csv
    for the events, …-citations.csv for their citations."""
    query = request.GET
    parts = ["relations-timeline"]
    for name in ("theme", "period", "essay", "stance", "q"):
        parts += [slugify(value) for value in query.getlist(name)]
    start, end = slugify(query.get("from", "")), slugify(query.get("to", ""))
    if start or end:
        parts.append(
            f"{start}-{end}" if start and end else f"from-{start}" if start else f"to-{end}"
        )
    stem = "-".join(part for part in parts if part)[:MAX_STEM].rstrip("-")
    return stem + suffix


def csv_response(filename, columns, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.DictWriter(response, fieldnames=columns)
    writer.writeheader()
    writer.writerows({name: neutralised(value) for name, value in row.items()} for row in rows)
    return attachment(response, filename)


def attachment(response, filename):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
