"""The site's own files: its health check, robots.txt and the themes' colours."""

import re

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from .. import versioning
from ..models import COLOUR_PATTERN
from ..snapshot import Snapshot


@require_safe
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\n", content_type="text/plain")


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
