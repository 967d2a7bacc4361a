"""Every public page and fragment tells caches what it varies on and to revalidate it; the
admin stays private and uncached."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from timeline.models import Essay, Event, Theme
from timeline.public_caching import HTMX_HEADERS

pytestmark = pytest.mark.django_db

# The small timeline's objects for the routes that name one.
ROUTE_ARGS = {
    "timeline:event_detail": ["new-start"],
    "timeline:essay_detail": ["weitz"],
    "timeline:essay_read": ["weitz"],
}
# The routes that answer only with a query.
ROUTE_QUERIES = {"timeline:oembed": "?url=http://testserver/"}


def public_routes() -> list[str]:
    """The name of every route outside the admin, read from the URLconf."""
    return [
        f"{entry.namespace}:{pattern.name}"
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace != "admin"
        for pattern in entry.url_patterns
    ]


def vary(response) -> set[str]:
    return {name.strip() for name in response.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("name", public_routes())
def test_every_public_page_varies_on_htmx_and_is_revalidated(
    client, small_timeline, htmx_headers, name
):
    Essay.objects.filter(slug="weitz").update(text="A public text.", text_display="public")
    url = reverse(name, args=ROUTE_ARGS.get(name, [])) + ROUTE_QUERIES.get(name, "")
    page = client.get(url)
    fragment = client.get(url, headers=htmx_headers)
    responses = [page, fragment]
    if page.has_header("ETag"):
        responses.append(client.get(url, headers={"If-None-Match": page["ETag"]}))
        assert responses[-1].status_code == 304
    for response in responses:
        assert response.status_code in (200, 304)
        assert set(HTMX_HEADERS) <= vary(response)
        assert response["Cache-Control"] == "no-cache"


def test_an_event_page_still_varies_on_the_page_it_was_reached_from(client, small_timeline):
    response = client.get(reverse("timeline:event_detail", args=["new-start"]))
    assert {"Referer", *HTMX_HEADERS} <= vary(response)


def test_versioned_theme_colours_stay_cached_for_a_year(client, small_timeline):
    version = client.get(reverse("timeline:index")).context["themes_version"]
    response = client.get(reverse("timeline:themes_css"), {"v": str(version)})
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_colours_address_changes_with_the_colours_alone(client, small_timeline):
    """A page names the colours it links to by the colours themselves: an event's edit
    leaves the address (and a browser's year-long copy) as it was; a new colour changes it."""
    index = reverse("timeline:index")
    before = client.get(index).context["themes_version"]
    event = Event.objects.get(slug="new-start")
    event.title = "New START, retitled"
    event.save()
    assert client.get(index).context["themes_version"] == before
    theme = Theme.objects.order_by("pk").first()
    theme.colour = "#123456"
    theme.save()
    after = client.get(index).context["themes_version"]
    assert after != before
    css = client.get(reverse("timeline:themes_css"), {"v": after})
    assert b"#123456" in css.content
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"
    # The old address is still answered, with today's colours, and not kept for a year.
    assert client.get(reverse("timeline:themes_css"), {"v": before})["Cache-Control"] == "no-cache"


def test_the_admin_stays_private_and_uncached(admin_client, small_timeline):
    response = admin_client.get(reverse("admin:index"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert not set(HTMX_HEADERS) & vary(response)
