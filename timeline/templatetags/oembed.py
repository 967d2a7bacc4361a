from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from timeline.embedding import EMBEDDABLE_PAGES
from timeline.links import view_path

register = template.Library()


@register.simple_tag(takes_context=True)
def oembed_link(context) -> str:
    """oEmbed discovery (oembed.com, 4.): on a page the embed can show, the link through
    which WordPress, Canvas and others find its iframe when the page's address is pasted."""
    request = context.get("request")
    match = request and request.resolver_match
    if not match or match.url_name not in EMBEDDABLE_PAGES or match.namespace != "timeline":
        return ""
    query = urlencode({"url": request.build_absolute_uri(), "format": "json"})
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">',
        request.build_absolute_uri(f"{view_path('timeline:oembed')}?{query}"),
        "Relations Timeline",
    )
