"""An event's page links back to the view of the timeline the reader came from."""

import pytest
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


def back_link(response):
    return (
        lxml_html.fromstring(response.content.decode())
        .get_element_by_id("back-to-timeline")
        .get("href")
    )


def test_back_link_keeps_the_timelines_filters_and_opens_the_event(client, small_timeline):
    referer = "http://testserver/?theme=arms-control&from=2009&page=2&event=nunn-lugar&junk=1"
    response = client.get("/events/new-start/", HTTP_REFERER=referer)
    assert back_link(response) == "/?theme=arms-control&from=2009&event=new-start"
    assert "Referer" in response["Vary"]


@pytest.mark.parametrize(
    "referer",
    [None, "http://elsewhere.example/?theme=arms-control", "http://testserver/essays/weitz/"],
)
def test_back_link_from_elsewhere_opens_the_event_on_the_whole_timeline(
    client, small_timeline, referer
):
    headers = {"HTTP_REFERER": referer} if referer else {}
    response = client.get("/events/new-start/", **headers)
    assert back_link(response) == "/?event=new-start"


def test_a_cached_copy_is_not_reused_for_another_view(client, small_timeline):
    from_arms = {"HTTP_REFERER": "http://testserver/?theme=arms-control"}
    first = client.get("/events/new-start/", **from_arms)
    again = client.get("/events/new-start/", HTTP_IF_NONE_MATCH=first["ETag"], **from_arms)
    assert again.status_code == 304
    from_rights = {"HTTP_REFERER": "http://testserver/?theme=human-rights"}
    other = client.get("/events/new-start/", HTTP_IF_NONE_MATCH=first["ETag"], **from_rights)
    assert other.status_code == 200
    assert back_link(other) == "/?theme=human-rights&event=new-start"
