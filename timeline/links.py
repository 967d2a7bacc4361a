"""Addresses the pages link to: the timeline under a reader's filters with some of them
changed, the next page of a list, and the views offered for a selection of events."""

import functools
import re
from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from django.urls import reverse

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
    "embed_code": "timeline:embed_code",
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


def next_page_url(request, page, query=None):
    """This page's address for the next page of its list (with the filters of ``query``, by
    default the request's), or None on the last."""
    if not page.has_next():
        return None
    query = request.GET if query is None else query
    return timeline_url(query, request.path, page=str(page.next_page_number()))


def essay_timeline_url(essay):
    """Links on an essay's axis keep the timeline filtered to the essay."""
    query = QueryDict(mutable=True)
    query["essay"] = essay.slug
    return timeline_urls(query)
