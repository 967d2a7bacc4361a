"""Cache headers for the public pages and fragments (every route of the timeline app; the
admin sends its own, private and no-store)."""

from django.utils.cache import patch_vary_headers

# A page, its htmx fragment, a boosted or history-restore request each get a different
# response (and the data-versioned ETag names which), so a cache must key on all four.
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")


def public_caching(get_response):
    def middleware(request):
        response = get_response(request)
        if getattr(request.resolver_match, "app_name", None) == "timeline":
            patch_vary_headers(response, HTMX_HEADERS)
            # A cache may keep a copy but revalidates it each time: a 304 costs one small
            # query, and an edit shows at once. (A versioned /themes.css keeps its year.)
            response.headers.setdefault("Cache-Control", "no-cache")
        return response

    return middleware
