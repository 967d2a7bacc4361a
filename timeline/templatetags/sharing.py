"""What a page tells the sites it is shared on or pasted into: oEmbed discovery, and the
Open Graph and Twitter card meta of its preview."""

from urllib.parse import urlencode

from django import template
from django.http import QueryDict
from django.utils.html import format_html, format_html_join

from timeline.cards import markdown_as_text
from timeline.embedding import EMBEDDABLE_PAGES, preview_path
from timeline.links import view_path
from timeline.models import shorten_title
from timeline.preview_image import HEIGHT, WIDTH

register = template.Library()

SITE_NAME = "Relations Timeline"
DEFAULT_TITLE = "Relations Timeline: U.S.–Russia relations since 1987"
DEFAULT_DESCRIPTION = (
    "An interactive timeline of U.S.–Russia relations since 1987: events by theme and "
    "period, and the policy essays that discuss them, with verbatim quotations."
)
IMAGE_ALT = (
    "A time axis of U.S.–Russia relations: each event a mark in its theme's colour, above "
    "the line for cooperation, on it for mixed, below it for confrontation."
)
# A shared link's description shows a line or two.
DESCRIPTION_LENGTH = 200


def oembed_link(context) -> str:
    """oEmbed discovery (oembed.com, 4.): on a page the embed can show, the link through
    which WordPress, Canvas and others find its iframe when the page's address is pasted."""
    request = context.get("request")
    match = request and request.resolver_match
    if not match or match.url_name not in EMBEDDABLE_PAGES or match.namespace != "timeline":
        return ""  # escaped as it is: nothing
    query = urlencode({"url": request.build_absolute_uri(), "format": "json"})
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">',
        request.build_absolute_uri(f"{view_path('timeline:oembed')}?{query}"),
        SITE_NAME,
    )


@register.simple_tag(takes_context=True)
def share_meta(context, title="", description="", filters=None) -> str:
    """oEmbed discovery, and the Open Graph and Twitter card meta: ``title`` and
    ``description`` (the site's own when not given, Markdown as its words), and the picture
    of the timeline under ``filters`` (a QueryDict or a query string; the whole timeline when
    not given)."""
    request = context["request"]
    description = shorten_title(markdown_as_text(str(description)), DESCRIPTION_LENGTH)
    if not isinstance(filters, QueryDict):
        filters = QueryDict(filters or "")
    image = request.build_absolute_uri(preview_path(filters))
    title, description = title or DEFAULT_TITLE, description or DEFAULT_DESCRIPTION
    properties = [
        ("og:site_name", SITE_NAME),
        ("og:type", "website"),
        ("og:url", request.build_absolute_uri()),
        ("og:title", title),
        ("og:description", description),
        ("og:image", image),
        ("og:image:type", "image/png"),
        ("og:image:width", WIDTH),
        ("og:image:height", HEIGHT),
        ("og:image:alt", IMAGE_ALT),
    ]
    names = [
        ("twitter:card", "summary_large_image"),
        ("twitter:title", title),
        ("twitter:description", description),
        ("twitter:image", image),
    ]
    return format_html(
        "{}{}{}",
        oembed_link(context),
        format_html_join("\n  ", '<meta property="{}" content="{}">', properties),
        format_html_join("", '\n  <meta name="{}" content="{}">', names),
    )
