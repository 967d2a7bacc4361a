"""The way back from an event's page to the view of the timeline the reader came from.

The timeline's lists and axes are cached and shared by every view that shows the same
events, so their links to an event cannot carry the filters; the event page reads them from
the Referer instead (sent in full within the site: SECURE_REFERRER_POLICY is "same-origin").
"""

import functools
import hashlib
from urllib.parse import urlsplit

from django.http import QueryDict
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition

from . import versioning
from .filters import EventFilter


def timeline_view_url(request, slug: str) -> str:
    """The timeline under the filters of the page that linked here, if that was the
    timeline, with this event open in its panel."""
    query = QueryDict(mutable=True)
    for name, values in referring_filters(request):
        query.setlist(name, values)
    query["event"] = slug
    return f"{reverse('timeline:index')}?{query.urlencode()}"


def referring_filters(request) -> list[tuple[str, list[str]]]:
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc != request.get_host() or referer.path != reverse("timeline:index"):
        return []
    query = QueryDict(referer.query)
    return [(name, query.getlist(name)) for name in EventFilter.base_filters if name in query]


def _etag(request, slug):
    back = timeline_view_url(request, slug).encode()
    return f"{versioning.etag(request)}-{hashlib.sha256(back).hexdigest()[:12]}"


def with_timeline_view(view):
    """The data version's ETag, told apart by the filters the page links back to (a cached
    copy must not link back to another view), and Vary: Referer."""

    conditional = condition(etag_func=_etag)(view)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        patch_vary_headers(response, ["Referer"])  # a 304 too
        return response

    return wrapped
