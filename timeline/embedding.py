"""The timeline in another site's frame: the options an embed's address takes besides the
filters, its event links kept inside the frame (or sent to a new tab), the iframe code of a
view, and which of the site's pages an oEmbed consumer may ask for."""

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .cards import event_url_pattern
from .links import view_path
from .models import Essay, Event

# The pages an embed can show (by URL name): the timeline, its embed, a selection's slides
# and handout, an event's page and an essay's.
EMBEDDABLE_PAGES = ("index", "embed", "present", "handout", "event_detail", "essay_detail")
# What an embed's address may hold besides the filters and the open ``event``.
OPTIONS = ("controls", "target", "page")
# The frame's size when nobody says (CSS pixels): wide enough for the axis without scrolling
# (its plot is at least 60rem); narrower columns shrink it (max-width: 100%).
DEFAULT_WIDTH, DEFAULT_HEIGHT = 1000, 640
WIDTHS = (320, 480, 640, 800, 1000, 1200)
HEIGHTS = (400, 520, 640, 800, 1000)


@dataclass(frozen=True)
class EmbedOptions:
    """``controls``: a small search box above the axis. ``new_tab``: events open in a new tab
    on the site rather than inside the frame."""

    controls: bool
    new_tab: bool

    @classmethod
    def of(cls, query) -> "EmbedOptions":
        return cls(controls=query.get("controls") == "1", new_tab=query.get("target") == "top")


def event_link_pattern() -> re.Pattern:
    """The start of an event's link as the timeline's entries and marks write it."""
    prefix, _, suffix = event_url_pattern().partition("slug-placeholder")
    return re.compile(f'<a href="{re.escape(prefix)}([A-Za-z0-9_-]+){re.escape(suffix)}"')


def framed_event_links(html: SafeString, url_for, new_tab: bool) -> SafeString:
    """``html`` (the timeline's entries or axis) with each event's link opening it inside the
    frame (``url_for(event=slug)``) or, ``new_tab``, on the site in a new tab. The entries and
    marks are kept per data version and shared with the timeline: their links are changed
    here, in our own markup, rather than rendered twice."""
    pattern = event_link_pattern()
    if new_tab:
        framed = pattern.sub(lambda match: '<a target="_blank" rel="noopener"' + match[0][2:], html)
    else:
        framed = pattern.sub(lambda match: f'<a href="{escape(url_for(event=match[1]))}"', html)
    return mark_safe(framed)  # safe HTML, with escaped addresses put in


def marked_open(html: SafeString, slug: str) -> SafeString:
    """``html`` (the entries or the axis) with the open event's entry, mark or the "+N" that
    gathers it marked ``is-open``, as the timeline's script marks them on the site: the
    embed has no script to do it."""
    quoted = re.escape(slug)
    pattern = re.compile(
        r'class="([^"]*)"(\s+(?:id="[^"]*"\s+)?(?:data-event-slug="' + quoted + r'"'
        r'|data-gathers="(?:[^"]* )?' + quoted + r'(?: [^"]*)?"))'
    )
    return mark_safe(pattern.sub(r'class="\1 is-open"\2', html))  # safe HTML, a class added


def filters_of(query) -> QueryDict:
    """``query`` without the embed's own options and open event: the view it shows."""
    filters = query.copy()
    for name in (*OPTIONS, "event"):
        filters.pop(name, None)
    return filters


def iframe_code(src: str, width: int, height: int, title: str) -> str:
    """The iframe a host page pastes: ``src`` (absolute) at ``width`` × ``height`` pixels,
    shrinking with a narrower column."""
    return format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" '
        'style="border:0;max-width:100%"></iframe>',
        src,
        width,
        height,
        title,
    )


def embed_query_for(url: str, host: str) -> QueryDict | None:
    """The embed's query (filters and open event) showing the page at ``url``, if it is one
    of this site's (on ``host``) that an embed can show: the timeline or its embed, a
    selection's slides or handout, an event's page or an essay's. Else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    query = QueryDict(parts.query, mutable=True)
    name, slug = match.url_name, match.kwargs.get("slug")
    if name not in EMBEDDABLE_PAGES or match.namespace != "timeline":
        return None
    if name in ("index", "embed", "present", "handout"):
        event = query.get("event")
        filters = filters_of(query)
        if event:
            filters["event"] = event
        return filters
    query = QueryDict(mutable=True)
    if name == "event_detail" and Event.objects.filter(slug=slug).exists():
        query["event"] = slug
        return query
    if name == "essay_detail" and Essay.objects.filter(slug=slug).exists():
        query["essay"] = slug
        return query
    return None


def embed_path(query) -> str:
    return path_with(view_path("timeline:embed"), query)


def preview_path(query) -> str:
    """The picture of the view ``query``'s filters choose (its other parameters left out)."""
    return path_with(view_path("timeline:preview_image"), filters_of(query))


def path_with(path: str, query) -> str:
    encoded = query.urlencode()
    return path + (f"?{encoded}" if encoded else "")
