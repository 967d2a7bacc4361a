"""Downloads made once per data version and selection, and at most one at a time per
process, with at most one more request waiting for it: a repeat costs a cache read, and
clients pulling large files hold at most two of a worker's threads, never every one the
readers of the timeline's pages need.

The cache key holds only what selects the events (the filters, each value once, in a fixed
order) and the site's address, so extra or reordered parameters find the same file.
"""

import functools
import threading
from urllib.parse import urlencode

from django.core.cache import caches
from django.http import HttpResponse
from django.shortcuts import render

from . import versioning
from .filters import EventFilter

# Past this size a file is made again on each request rather than held in memory.
MAX_CACHED_BYTES = 8 * 1024 * 1024
# How long a request waits for another download to be made before it is asked to retry.
WAIT_SECONDS = 10
RETRY_AFTER_SECONDS = 5
_building = threading.BoundedSemaphore(1)
# The one request allowed to wait for _building; any other is asked to retry at once.
_waiting = threading.BoundedSemaphore(1)


def selection(request) -> str:
    """The request's filters, normalised: the same events, the same text."""
    pairs = sorted(
        {
            (name, value.strip())
            for name in EventFilter.base_filters
            for value in request.GET.getlist(name)
            if value.strip()
        }
    )
    return urlencode(pairs)


def made_once(name: str):
    """Cache the download a view makes (its content, type and file name) per data version and
    selection; make at most one at a time in this process."""

    def decorator(view):
        @functools.wraps(view)
        def cached_view(request, *args, **kwargs):
            store = caches["exports"]
            # The site's address too: the files hold absolute links to the events.
            site = request.build_absolute_uri("/")
            key = versioning.cache_key(request, f"export-{name}", f"{site}?{selection(request)}")
            if (made := store.get(key)) is None:
                if not _building.acquire(blocking=False):
                    if not _waiting.acquire(blocking=False):
                        return busy(request)
                    try:
                        if not _building.acquire(timeout=WAIT_SECONDS):
                            return busy(request)
                    finally:
                        _waiting.release()
                try:
                    # Another request may have made it while this one waited.
                    if (made := store.get(key)) is None:
                        response = view(request, *args, **kwargs)
                        if response.status_code != 200:
                            return response
                        made = (
                            response["Content-Type"],
                            response["Content-Disposition"],
                            response.content,
                        )
                        if len(made[2]) <= MAX_CACHED_BYTES:
                            store.set(key, made)
                finally:
                    _building.release()
            content_type, disposition, content = made
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = disposition
            return response

        return cached_view

    return decorator


def busy(request):
    response = render(
        request, "timeline/export_busy.html", {"retry": RETRY_AFTER_SECONDS}, status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
