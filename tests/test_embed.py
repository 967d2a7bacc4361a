"""The timeline in another site: the embed page (/embed/), what may frame it, its iframe code
(/embed/code/) and oEmbed (/oembed) with its discovery links."""

import json
import struct
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html
from pytest_django.asserts import assertContains, assertNotContains

from tests.pages import drawn_slugs, listed_slugs
from timeline.embedding import marked_open


def tree(response):
    return lxml_html.fromstring(response.content.decode())


def event_links(response, slug) -> list[str]:
    """Where the list's entry and the axis's mark of ``slug`` lead."""
    page = tree(response)
    return page.xpath(
        f'//article[@data-event-slug="{slug}"]//h3/a/@href'
        f' | //*[@id="axis"]//li[@data-event-slug="{slug}"]/a/@href'
    )


def test_embed_shows_the_filtered_axis_and_list_without_the_site_around_them(
    client, small_timeline
):
    response = client.get("/embed/", {"theme": "arms-control"})
    assert response.status_code == 200
    assert listed_slugs(response.content) == ["nunn-lugar", "new-start"]
    assert drawn_slugs(response.content) == ["nunn-lugar", "new-start"]
    page = tree(response)
    # No site header, navigation, filter form or footer: the picture and a way to the site.
    assert not page.xpath("//header[@class='site-header'] | //form[@id='filters'] | //footer")
    assertContains(response, "2 events")
    open_link = page.xpath("//a[@class='embed-open']")[0]
    assert open_link.get("href") == "/?theme=arms-control"
    assert open_link.get("target") == "_blank"


def test_choosing_an_event_opens_it_inside_the_frame(client, small_timeline):
    listed = client.get("/embed/", {"theme": "arms-control"})
    links = event_links(listed, "new-start")
    assert len(links) == 2  # the entry and the mark
    for link in links:
        assert urlsplit(link).path == "/embed/"
        assert parse_qs(urlsplit(link).query) == {"theme": ["arms-control"], "event": ["new-start"]}
    opened = client.get(links[0])
    page = tree(opened)
    assert page.xpath("//h1[@id='panel-title']/text()") == ["New START enters into force"]
    # The axis and the list stay below it, and the way back leaves the filters as they were.
    assert listed_slugs(opened.content) == ["nunn-lugar", "new-start"]
    assert page.xpath("//a[@id='embed-back']/@href") == ["/embed/?theme=arms-control"]
    # What lies outside the embed opens in a new tab: the site refuses to be framed.
    outside = page.xpath("//article[@class='embed-event']//a[not(starts-with(@href, '/embed/'))]")
    assert outside and all(link.get("target") == "_blank" for link in outside)


def test_the_event_open_in_the_frame_stands_out_in_the_list_and_on_the_axis(client, small_timeline):
    page = tree(client.get("/embed/", {"theme": "arms-control", "event": "new-start"}))
    marked = page.xpath("//*[contains(concat(' ', @class, ' '), ' is-open ')]")
    assert sorted((element.tag, element.get("data-event-slug")) for element in marked) == [
        ("article", "new-start"),
        ("li", "new-start"),
    ]


def test_with_target_top_events_open_on_the_site_in_a_new_tab(client, small_timeline):
    response = client.get("/embed/", {"theme": "arms-control", "target": "top"})
    page = tree(response)
    for slug in ("nunn-lugar", "new-start"):
        anchors = page.xpath(
            f'//article[@data-event-slug="{slug}"]//h3/a'
            f' | //*[@id="axis"]//li[@data-event-slug="{slug}"]/a'
        )
        assert len(anchors) == 2
        for anchor in anchors:
            assert anchor.get("href") == f"/events/{slug}/"
            assert anchor.get("target") == "_blank"
            assert anchor.get("rel") == "noopener"
    # Moving along the axis stays in the frame, with the option kept.
    zoom = page.xpath("//a[@id='zoom-in']/@href")[0]
    assert zoom.startswith("/embed/?") and "target=top" in zoom


def test_the_search_box_is_there_only_when_asked_for_and_keeps_the_other_filters(
    client, small_timeline
):
    assert not tree(client.get("/embed/", {"theme": "arms-control"})).xpath("//form")
    response = client.get("/embed/", {"theme": "arms-control", "controls": "1"})
    form = tree(response).xpath("//form[@role='search']")[0]
    assert form.get("method") == "get" and form.get("action") == "/embed/"
    hidden = {
        (field.get("name"), field.get("value")) for field in form.xpath(".//input[@type='hidden']")
    }
    assert hidden == {("theme", "arms-control"), ("controls", "1")}
    searched = client.get("/embed/", {"theme": "arms-control", "controls": "1", "q": "START"})
    assert listed_slugs(searched.content) == ["new-start"]


def test_only_the_embed_may_be_framed_and_it_sets_no_cookies(client, small_timeline):
    embedded = client.get("/embed/", {"theme": "arms-control", "controls": "1"})
    assert "frame-ancestors *" in embedded["Content-Security-Policy"]
    assert "X-Frame-Options" not in embedded
    assert not embedded.cookies
    policy = embedded["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for path in ("/", "/embed/code/", "/events/new-start/", "/essays/", "/oembed?url=x"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path
        assert response["X-Frame-Options"] == "DENY", path


def test_a_repeat_view_of_the_embed_answered_not_modified_may_be_framed_too(client, small_timeline):
    first = client.get("/embed/", {"theme": "arms-control"})
    repeat = client.get(
        "/embed/", {"theme": "arms-control"}, headers={"If-None-Match": first["ETag"]}
    )
    assert repeat.status_code == 304
    assert "frame-ancestors *" in repeat["Content-Security-Policy"]
    assert "X-Frame-Options" not in repeat


def test_a_bad_filter_in_an_embed_is_explained_not_an_error(client, small_timeline):
    response = client.get("/embed/", {"from": "someday", "theme": "arms-control"})
    assert response.status_code == 200
    assertContains(response, 'class="notices"')


def test_embed_code_gives_the_iframe_of_the_view_at_the_chosen_size(client, small_timeline):
    response = client.get(
        "/embed/code/", {"theme": "arms-control", "width": "640", "height": "520", "target": "top"}
    )
    code = tree(response).xpath("//textarea[@id='embed-code-text']/text()")[0]
    frame = lxml_html.fragment_fromstring(code)
    assert frame.tag == "iframe"
    assert frame.get("src") == "http://testserver/embed/?theme=arms-control&target=top"
    assert (frame.get("width"), frame.get("height")) == ("640", "520")
    assert frame.get("title").startswith("Relations Timeline: 2 events")
    preview = tree(response).xpath("//div[@class='embed-preview']/iframe")[0]
    assert preview.get("src") == frame.get("src")
    # A size not offered falls back to the default rather than failing.
    odd = client.get("/embed/code/", {"width": "99999", "height": "tall"})
    assert odd.status_code == 200
    assertContains(odd, 'width="1000" height="640"')


def test_embed_code_is_the_dialogs_body_for_htmx(client, small_timeline):
    response = client.get(
        "/embed/code/",
        {"theme": "arms-control"},
        headers={"HX-Request": "true", "HX-Target": "embed-dialog-body"},
    )
    assertNotContains(response, "<html")
    assertContains(response, 'id="embed-code-text"')


def test_the_timeline_offers_its_view_to_embed(client, small_timeline):
    response = client.get("/", {"theme": "arms-control"})
    link = tree(response).xpath("//a[@class='embed-link']")[0]
    assert link.get("href") == "/embed/code/?theme=arms-control"


def oembed(client, **params):
    return client.get("/oembed", params)


def test_oembed_answers_a_timeline_address_with_a_rich_iframe(client, small_timeline):
    response = oembed(client, url="http://testserver/?theme=arms-control&page=2", format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = json.loads(response.content)
    # The spec's required fields for every answer, and for the rich type.
    for field in ("type", "version", "html", "width", "height"):
        assert field in answer
    assert answer["type"] == "rich" and answer["version"] == "1.0"
    assert answer["provider_name"] == "Relations Timeline"
    assert (
        answer["title"]
        == "Relations Timeline: 2 events · 1992–2013 · Arms control · cited by 1 essay"
    )
    frame = lxml_html.fragment_fromstring(answer["html"])
    assert frame.get("src") == "http://testserver/embed/?theme=arms-control"
    assert (int(frame.get("width")), int(frame.get("height"))) == (
        answer["width"],
        answer["height"],
    )


def test_oembed_honours_maxwidth_and_maxheight(client, small_timeline):
    answer = json.loads(
        oembed(client, url="http://testserver/", maxwidth="500", maxheight="300").content
    )
    assert answer["width"] <= 500 and answer["height"] <= 300
    frame = lxml_html.fragment_fromstring(answer["html"])
    assert (frame.get("width"), frame.get("height")) == (
        str(answer["width"]),
        str(answer["height"]),
    )


def test_oembed_embeds_an_event_or_an_essay_page_as_the_timeline_showing_it(client, small_timeline):
    event = json.loads(oembed(client, url="http://testserver/events/new-start/").content)
    assert 'src="http://testserver/embed/?event=new-start"' in event["html"]
    essay = json.loads(oembed(client, url="http://testserver/essays/weitz/").content)
    assert 'src="http://testserver/embed/?essay=weitz"' in essay["html"]


@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example/?theme=arms-control",
        "http://testserver/essays/",
        "http://testserver/events/no-such-event/",
        "http://testserver/admin/",
        "javascript:alert(1)",
        "",
    ],
    ids=["another site", "not a view", "no such event", "the admin", "not http", "none"],
)
def test_oembed_refuses_what_it_cannot_embed_with_404(client, small_timeline, url):
    assert oembed(client, url=url).status_code == 404


def test_oembed_offers_json_only_and_needs_whole_pixel_limits(client, small_timeline):
    assert oembed(client, url="http://testserver/", format="xml").status_code == 501
    for bad in ("-5", "wide", "0"):
        response = oembed(client, url="http://testserver/", maxwidth=bad)
        assert response.status_code == 400
        assertContains(response, "maxwidth", status_code=400)


@pytest.mark.parametrize(
    "path, linked",
    [
        ("/?theme=arms-control", True),
        ("/events/new-start/", True),
        ("/essays/weitz/", True),
        ("/essays/", False),
    ],
)
def test_pages_that_can_be_embedded_announce_their_oembed(client, small_timeline, path, linked):
    response = client.get(path)
    links = tree(response).xpath("//link[@type='application/json+oembed']/@href")
    if not linked:
        assert links == []
        return
    (href,) = links
    asked = parse_qs(urlsplit(href).query)
    assert asked["url"] == [f"http://testserver{path}"]
    assert oembed(client, url=asked["url"][0]).status_code == 200


def decoded_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, pixel rows) of a PNG, every chunk's checksum verified and its image
    data inflated: a picture a browser or a chat app can read."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    rows = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(rows) == height * (1 + width * channels * depth // 8)
    return width, height, rows


def test_a_views_preview_is_a_1200_by_630_png_of_its_axis(client, small_timeline):
    response = client.get("/preview.png", {"theme": "arms-control", "event": "x", "page": "2"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    width, height, _ = decoded_png(response.content)
    assert (width, height) == (1200, 630)
    other = client.get("/preview.png", {"theme": "human-rights"})
    assert decoded_png(other.content)[2] != decoded_png(response.content)[2]
    # No events: still a picture, saying so.
    none = client.get("/preview.png", {"q": "zzzz-nothing"})
    assert decoded_png(none.content)[:2] == (1200, 630)


def test_a_preview_is_drawn_once_per_view_and_data_version(
    client, small_timeline, django_assert_num_queries
):
    first = client.get("/preview.png", {"theme": "arms-control"})
    with django_assert_num_queries(1):  # the data version: the picture is kept
        again = client.get("/preview.png", {"theme": "arms-control"})
    assert again.content == first.content
    repeat = client.get(
        "/preview.png", {"theme": "arms-control"}, headers={"If-None-Match": first["ETag"]}
    )
    assert repeat.status_code == 304


def meta(response) -> dict[str, str]:
    page = tree(response)
    found = {
        element.get("property"): element.get("content")
        for element in page.xpath("//meta[@property]")
    }
    found.update(
        {element.get("name"): element.get("content") for element in page.xpath("//meta[@name]")}
    )
    return found


def test_a_shared_timeline_link_shows_its_view_in_words_and_picture(client, small_timeline):
    response = client.get("/", {"theme": "arms-control", "event": "new-start"})
    shared = meta(response)
    assert shared["og:description"] == "2 events · 1992–2013 · Arms control · cited by 1 essay"
    assert shared["twitter:description"] == shared["og:description"]
    assert shared["og:image"] == "http://testserver/preview.png?theme=arms-control"
    assert shared["twitter:card"] == "summary_large_image"
    assert (shared["og:image:width"], shared["og:image:height"]) == ("1200", "630")
    assert shared["og:url"] == "http://testserver/?theme=arms-control&event=new-start"
    image = client.get(urlsplit(shared["og:image"]).path + "?" + urlsplit(shared["og:image"]).query)
    assert decoded_png(image.content)[:2] == (1200, 630)


def test_an_event_or_essay_page_shared_shows_its_title_and_words(client, small_timeline):
    event = meta(client.get("/events/new-start/"))
    assert event["og:title"] == "New START enters into force"
    assert event["og:description"] and "*" not in event["og:description"]
    essay = meta(client.get("/essays/weitz/"))
    assert essay["og:title"] == "Russia-US Relations under Obama: Round 2"
    assert essay["og:image"] == "http://testserver/preview.png?essay=weitz"


def test_oembed_gives_the_views_picture_as_its_thumbnail(client, small_timeline):
    answer = json.loads(oembed(client, url="http://testserver/?theme=arms-control").content)
    assert answer["thumbnail_url"] == "http://testserver/preview.png?theme=arms-control"
    assert (answer["thumbnail_width"], answer["thumbnail_height"]) == (1200, 630)


def test_the_plus_that_gathers_the_open_event_stands_out_and_no_other_does():
    html = (
        '<li class="cluster z-up" data-gathers="magnitsky-act new-start usaid"><a>+3</a></li>'
        '<li class="cluster z-up" data-gathers="new-start-signed"><a>+1</a></li>'
        '<li class="mark z-up" data-event-slug="new-start-extended"><a>x</a></li>'
    )
    marked = lxml_html.fragment_fromstring(marked_open(html, "new-start"), create_parent=True)
    assert [element.get("class") for element in marked] == [
        "cluster z-up is-open",
        "cluster z-up",
        "mark z-up",
    ]
