"""The site's own files: its health check, robots.txt and the themes' colours."""

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.http import require_safe

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
    """Each theme's colour as a CSS custom property; the URL names these colours, so
    browsers may keep it for a year."""
    snapshot = Snapshot.for_request(request)
    response = HttpResponse(snapshot.themes_css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == snapshot.themes_version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
