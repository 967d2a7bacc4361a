"""The essays: their list, each essay's cited events, an essay's text with its citations
marked, two essays compared, and the matrix of which essay cites which event."""

from django.db.models import Case, Count, Exists, Max, Min, OuterRef, Prefetch, Q, Value, When
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_safe

from .. import versioning
from ..axis import MAX_MARKS, density_axis
from ..axis_marks import marked_axis
from ..cards import LISTED_FIELDS
from ..essay_reading import read_essay
from ..filters import filterset_for, shorten
from ..htmx import render_for_target
from ..links import essay_timeline_url, next_page_url, timeline_url, view_path
from ..models import Citation, Essay, Event, TextDisplay
from ..paging import counted_page
from ..selection import month_counts, selection_sql
from ..snapshot import Snapshot, event_pieces
from ..suggest import proposals_for_essay
from ..summary_text import summary_text
from ..versioning import with_data_version
from ..zoom import Window

MATRIX_PAGE_SIZE = 50
# What a comparison shows: the shared events first, then each essay's own.
COMPARE_SIDES = {
    "both": Q(in_a=True, in_b=True),
    "a": Q(in_a=True, in_b=False),
    "b": Q(in_a=False, in_b=True),
}


@require_safe
@with_data_version
def essay_list(request):
    # Explicit: a query that counts (GROUP BY) drops the model's default ordering.
    essays = Essay.objects.annotate(event_count=Count("citations")).order_by("published", "title")
    return render(request, "timeline/essay_list.html", {"essays": essays})


def essay_version(request, slug):
    """(tag, time) of the last change to the essay's citations or the events it cites (or
    of everything, for an essay not known): a change to other events keeps its page."""
    scoped = Snapshot.for_request(request).version_of_essay(slug)
    return scoped or versioning.current(request)


@require_safe
@versioning.with_version(essay_version)
def essay_detail(request, slug):
    essay = get_object_or_404(Essay, slug=slug)
    events = Event.objects.cited_by(essay)
    figures = events.aggregate(total=Count("pk"), first=Min("start"), last=Max("span_end"))
    citations = (
        Citation.objects.filter(essay=essay)
        .select_related("event", "event__main_theme")
        .order_by("event__start", "event__span_end", "event__title")
    )
    page = counted_page(citations, figures["total"], request.GET.get("page"))
    axis = None
    if figures["total"] and page.number == 1:
        axis = draw_axis(
            events,
            figures["first"],
            figures["last"],
            essay_timeline_url(essay),
            Snapshot.for_request(request),
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


@require_safe
def essay_read(request, slug):
    """The essay's text with each cited passage marked and linked to its event, the event's
    date in the margin, and the events it cites beside it. A public text for every reader; an
    editors-only text for editors alone (never kept by a cache), with the citations whose
    quotation the text does not hold."""
    essay = get_object_or_404(Essay, slug=slug)
    public = essay.text_display == TextDisplay.PUBLIC
    editor = request.user.is_authenticated and request.user.is_staff
    if not essay.text or not (public or editor):
        response = render(request, "timeline/essay_read.html", {"essay": essay}, status=404)
        patch_vary_headers(response, ["Cookie"])
        return response
    citations = list(
        essay.citations.select_related("event", "event__main_theme").order_by(
            "event__start", "event__span_end", "event__title"
        )
    )
    # Editors also see what is proposed and not yet reviewed (timeline.suggest).
    proposals = proposals_for_essay(essay)[0] if editor else []
    paragraphs, missing = read_essay(essay.text, [*citations, *proposals])
    response = render(
        request,
        "timeline/essay_read.html",
        {
            "essay": essay,
            "paragraphs": paragraphs,
            "citations": citations,
            "missing": missing if editor else [],
            "public": public,
            # In the essay's order, as the margin shows them.
            "proposals": sorted(proposals, key=lambda proposal: proposal.start),
        },
    )
    patch_vary_headers(response, ["Cookie"])
    if editor:
        add_never_cache_headers(response)  # private and no-store
    return response


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
        page = counted_page(
            listed.alias(group=group).order_by("group", "start", "span_end", "title"),
            total,
            request.GET.get("page"),
        )
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
                counts["first"],
                counts["last"],
                lambda **changes: timeline_url(QueryDict(), **changes),
                Snapshot.for_request(request),
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


def compare_side(in_a: bool, in_b: bool) -> str:
    return "both" if in_a and in_b else ("a" if in_a else "b")


def compare_show_links(request):
    """(value, address) for each way of showing a comparison: all, or one side only."""
    return [
        (value, timeline_url(request.GET, request.path, show=value or None))
        for value in ("", *COMPARE_SIDES)
    ]


def draw_axis(events, first_day, last_day, url_for, snapshot, colour_of=None, fields=()):
    """The axis of an essay's events or a comparison's (``events``, a queryset): marks for
    up to MAX_MARKS of them, else their density. ``colour_of(row)`` gives each mark's
    colour class, from its values and ``fields``."""
    if first_day is None or last_day is None:
        return None
    window = Window.around(first_day, last_day)
    rows = list(events.in_time_order().values(*LISTED_FIELDS, *fields)[: MAX_MARKS + 1])
    if len(rows) <= MAX_MARKS:
        pieces = event_pieces(rows, snapshot)
        return marked_axis(rows, pieces, snapshot, window, url_for, colour_of)
    months = month_counts(selection_sql(events))
    return density_axis(months, snapshot.periods, window, url_for)


@require_safe
@with_data_version
def essay_matrix(request):
    queryset = Event.objects.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.only("id", "essay_id", "event_id", "quote"))
    ).in_time_order()
    filterset = filterset_for(request, request.GET, queryset)
    snapshot = filterset.snapshot
    figures = filterset.selection.figures()
    page = counted_page(filterset.qs, figures["total"], request.GET.get("page"), MATRIX_PAGE_SIZE)
    rows = []
    for event in page:
        cited = {citation.essay_id: citation for citation in event.citations.all()}
        rows.append((event, [(essay, cited.get(essay.pk)) for essay in snapshot.essays]))
    path = view_path("timeline:essay_matrix")
    return render(
        request,
        "timeline/essay_matrix.html",
        {
            "filterset": filterset,
            "choices": snapshot,
            "values": filterset.values,
            "notices": filterset.notices,
            "summary_text": summary_text(filterset, figures),
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
