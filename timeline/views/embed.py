"""The timeline in other sites: the page made for a frame (/embed/), its iframe code to copy
(/embed/code/), the oEmbed answer for a pasted link (/oembed) and the picture a shared link
shows (/preview.png)."""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from .. import versioning
from ..embedding import (
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    HEIGHTS,
    WIDTHS,
    EmbedOptions,
    embed_path,
    embed_query_for,
    filters_of,
    framed_event_links,
    iframe_code,
    marked_open,
    preview_path,
)
from ..filters import filterset_for
from ..htmx import render_for_target
from ..links import timeline_url, timeline_urls, view_path
from ..preview_image import HEIGHT as PREVIEW_HEIGHT
from ..preview_image import WIDTH as PREVIEW_WIDTH
from ..preview_image import preview_png
from ..summary_text import counted_parts, summary_text, view_parts
from ..versioning import with_data_version
from .timeline import RESULTS_CACHE_SECONDS, panel_context, timeline_results_context

# The embed alone may be framed, by the origins the operator allows (DJANGO_EMBED_ORIGINS).
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": settings.EMBED_ORIGINS}
PROVIDER_NAME = "Relations Timeline"


# Outermost: a 304 for a repeat view may be framed too.
@xframe_options_exempt
@csp_override(EMBED_CSP)
@require_safe
@with_data_version
def embed(request):
    """The timeline of the filters in the address, for a frame: the labelled axis and the
    list, the view's summary and a link to it on the site; an event chosen opens above them
    (or on the site, in a new tab, with ``target=top``); ``controls=1`` adds a search box."""
    query = request.GET.copy()
    slug = query.pop("event", [""])[-1]
    options = EmbedOptions.of(query)
    filterset = filterset_for(request, query)
    path = view_path("timeline:embed")
    context = timeline_results_context(request, query, filterset, path=path)
    url_for = timeline_urls(query, path)
    axis = context["axis"]
    context.update(
        options=options,
        embed_path=path,
        axis_html=axis and framed_event_links(axis.html, url_for, options.new_tab),
        entries=framed_event_links(context["entries"], url_for, options.new_tab),
        site_url=timeline_url(filters_of(query), event=slug or None),
        # The search box keeps every other choice of the address.
        kept_fields=[
            (name, value)
            for name, values in query.lists()
            if name not in ("q", "page")
            for value in values
        ],
    )
    if slug:
        context.update(panel_context(request, query, filterset, slug, path))
        context["entries"] = marked_open(context["entries"], slug)
        if axis:
            context["axis_html"] = marked_open(context["axis_html"], slug)
    return render(request, "timeline/embed.html", context)


@require_safe
@with_data_version
def embed_code(request):
    """The iframe code of the view in the address, at a width and height the reader
    chooses, with a live preview: a page, or the dialog's body for htmx."""
    query = request.GET.copy()
    width = choice_of(query.pop("width", [""])[-1], WIDTHS, DEFAULT_WIDTH)
    height = choice_of(query.pop("height", [""])[-1], HEIGHTS, DEFAULT_HEIGHT)
    options, filters = EmbedOptions.of(query), filters_of(query)
    embedded = filters.copy()
    if options.controls:
        embedded["controls"] = "1"
    if options.new_tab:
        embedded["target"] = "top"
    filterset = filterset_for(request, filters)
    summary = summary_text(filterset, filterset.selection.figures())
    src = request.build_absolute_uri(embed_path(embedded))
    context = {
        "summary": summary,
        "width": width,
        "height": height,
        "widths": WIDTHS,
        "heights": HEIGHTS,
        "options": options,
        "filter_fields": [(name, value) for name, values in filters.lists() for value in values],
        "embed_src": src,
        "code": iframe_code(src, width, height, f"Relations Timeline: {summary}"),
        "origin": request.build_absolute_uri("/").rstrip("/"),
        "site_url": request.build_absolute_uri(timeline_url(filters)),
    }
    return render_for_target(
        request, "timeline/embed_code.html", context, {"embed-dialog-body": "code"}
    )


def choice_of(value: str, choices, default: int) -> int:
    """``value`` as one of ``choices`` (whole numbers), else ``default``."""
    return int(value) if value.isdigit() and int(value) in choices else default


@require_safe
def oembed(request):
    """oEmbed (oembed.com) for this site's timeline, event and essay addresses: a ``rich``
    answer with the embed's iframe. Another site's address, or one with nothing to embed, is
    404; a format other than JSON 501; ``maxwidth`` and ``maxheight`` are honoured."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse(
            "Only format=json is offered.", status=501, content_type="text/plain; charset=utf-8"
        )
    limits = {}
    for name in ("maxwidth", "maxheight"):
        value = request.GET.get(name, "")
        if value and (not value.isdigit() or int(value) == 0):
            return HttpResponse(
                f"{name} must be a positive whole number of pixels.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        limits[name] = int(value) if value else None
    query = embed_query_for(request.GET.get("url", ""), request.get_host())
    if query is None:
        raise Http404("Only this site's timeline, event and essay addresses can be embedded.")
    width = min(DEFAULT_WIDTH, limits["maxwidth"] or DEFAULT_WIDTH)
    height = min(DEFAULT_HEIGHT, limits["maxheight"] or DEFAULT_HEIGHT)
    filters = query.copy()
    filters.pop("event", None)
    filterset = filterset_for(request, filters)
    title = f"Relations Timeline: {summary_text(filterset, filterset.selection.figures())}"
    src = request.build_absolute_uri(embed_path(query))
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": title,
            "provider_name": PROVIDER_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "html": iframe_code(src, width, height, title),
            "width": width,
            "height": height,
            "thumbnail_url": request.build_absolute_uri(preview_path(filters)),
            "thumbnail_width": PREVIEW_WIDTH,
            "thumbnail_height": PREVIEW_HEIGHT,
            "cache_age": 3600,
        }
    )
    # Consumers fetch it from their servers, and editors' browsers may preview it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@with_data_version
def preview_image(request):
    """The picture of the view the filters in the address choose (PNG, 1200 × 630), for
    Open Graph, Twitter cards and oEmbed: drawn once per view and data version."""
    query = filters_of(request.GET)
    key = versioning.cache_key(request, "preview", f"{request.path}?{query.urlencode()}")
    png = cache.get(key)
    if png is None:
        filterset = filterset_for(request, query)
        context = timeline_results_context(request, query, filterset)
        headline = " · ".join(view_parts(filterset)) or "U.S.–Russia relations"
        if context["axis"]:
            headline += f", {context['axis'].window.label}"
        colours = {theme.colour_class: theme.colour for theme in filterset.snapshot.themes}
        facts = " · ".join(counted_parts(context["figures"]))
        png = preview_png(context["axis"], headline, facts, colours)
        cache.set(key, png, RESULTS_CACHE_SECONDS)
    return HttpResponse(png, content_type="image/png")
