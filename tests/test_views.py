import datetime
import gzip
import re

import factory
import pytest
from django.db import connection
from django.urls import reverse
from lxml import html as lxml_html
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import (
    CitationFactory,
    EssayFactory,
    EventFactory,
    EventRelationFactory,
    ThemeFactory,
)
from tests.pages import drawn_slugs, listed_slugs
from timeline import selection, snapshot
from timeline.axis import MAX_MARKS
from timeline.models import Event, Theme
from timeline.paging import PAGE_SIZE

pytestmark = pytest.mark.django_db


def slugs_in(response):
    return listed_slugs(response.content)


def test_timeline_lists_events_in_date_order_grouped_by_year(client, small_timeline):
    response = client.get(reverse("timeline:index"))
    assert response.status_code == 200
    assert slugs_in(response) == ["nunn-lugar", "new-start", "usaid", "magnitsky-act"]
    html = response.content.decode()
    assert html.index(">2011</h2>") < html.index(">2012</h2>")
    assertContains(response, "5 Feb 2011")
    assertContains(response, "Sep 2012")
    assertContains(response, "1992–2013")


def test_each_event_links_to_its_page(client, small_timeline):
    response = client.get(reverse("timeline:index"))
    assertContains(response, 'href="/events/new-start/"')


def test_each_entry_says_its_stance_how_many_essays_cite_it_and_its_themes_main_first(
    client, small_timeline
):
    small_timeline["events"]["usaid"].themes.add(small_timeline["themes"]["arms"])
    response = client.get(reverse("timeline:index"))
    # (A no-break space after each "·": no line of an entry ends in one.)
    text = re.sub(r"<[^>]+>", "", response.content.decode()).replace("\u00a0", " ")
    assert "Cooperation · not cited by an essay · Arms control" in text
    # Its main theme first, though "Arms control" comes first among the themes.
    assert "Confrontation · cited by 1 essay · Human rights, Arms control" in text


def test_theme_filter_narrows_results(client, small_timeline):
    response = client.get(reverse("timeline:index"), {"theme": "human-rights"})
    assert slugs_in(response) == ["usaid", "magnitsky-act"]
    assertContains(response, "2 events · 2012 · Human rights · cited by 1 essay")


def test_htmx_filter_request_gets_only_the_results_fragment(client, small_timeline, htmx_headers):
    response = client.get(
        reverse("timeline:index"), {"theme": "arms-control"}, headers=htmx_headers
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert slugs_in(response) == ["nunn-lugar", "new-start"]
    assert "HX-Request" in response["Vary"]


def test_history_restore_and_boosted_requests_get_the_full_page(client, small_timeline):
    for headers in (
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-Target": "something-else"},
    ):
        response = client.get(reverse("timeline:index"), headers=headers)
        assertContains(response, "<html")
        assert "HX-Request" in response["Vary"]


def test_period_filter_uses_dates(client, small_timeline):
    response = client.get(reverse("timeline:index"), {"period": "the-reset"})
    assert slugs_in(response) == ["nunn-lugar", "new-start"]


def test_search_finds_aliases_and_quotations(client, small_timeline):
    assert slugs_in(client.get("/", {"q": "prague"})) == ["new-start"]
    assert slugs_in(client.get("/", {"q": "expel usaid"})) == ["usaid"]


def test_essay_filter_shows_events_it_cites(client, small_timeline):
    assert slugs_in(client.get("/", {"essay": "weitz"})) == ["usaid", "magnitsky-act"]


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"theme": "no-such-theme"}, "There is no theme “no-such-theme”"),
        ({"from": "abc"}, "“abc” is not a year"),
        ({"from": "2014", "to": "2010"}, "“To” was before “from”"),
        ({"q": "x" * 5000}, "The search text was cut"),
        ({"period": "<script>alert(1)</script>"}, "There is no period"),
    ],
)
def test_bad_input_gets_a_notice_not_an_error(client, small_timeline, params, notice):
    response = client.get(reverse("timeline:index"), params)
    assert response.status_code == 200
    assertContains(response, notice)
    assertNotContains(response, "<script>alert(1)</script>")


def test_unknown_theme_is_dropped_but_known_one_kept(client, small_timeline):
    response = client.get("/", {"theme": ["arms-control", "bogus"]})
    assert slugs_in(response) == ["nunn-lugar", "new-start"]


def test_empty_state_offers_a_way_back(client, small_timeline):
    response = client.get("/", {"q": "zzzz-nothing"})
    assertContains(response, "No events match these filters")
    assertContains(response, 'href="/"')


@pytest.mark.parametrize(
    "params, one_statement_up_to, summary_statements",
    [
        ({}, 10_000, 0),
        ({"q": "event"}, 0, 1),
        ({"theme": ["arms-control", "human-rights", "sanctions"]}, 10_000, 1),
        ({"theme": ["arms-control", "human-rights", "sanctions"]}, 0, 2),
    ],
    ids=[
        "months and essays added up: none",
        "searched, however many events in all: one statement",
        "three themes, few events in all: one statement",
        "three themes, many events in all: counts, then essays",
    ],
)
def test_query_count_of_timeline_does_not_grow_with_events(
    client,
    small_timeline,
    django_assert_num_queries,
    django_assert_max_num_queries,
    htmx_headers,
    warm_choices,
    monkeypatch,
    params,
    one_statement_up_to,
    summary_statements,
):
    monkeypatch.setattr(selection, "ONE_STATEMENT_UP_TO", one_statement_up_to)
    theme = small_timeline["themes"]["arms"]
    ThemeFactory(name="Sanctions", slug="sanctions")
    EventFactory.create_batch(5, main_theme=theme)
    for size in ("small", "larger"):
        if size == "larger":
            # More events than the axis draws one by one: it shows their density instead.
            EventFactory.create_batch(MAX_MARKS + 20, main_theme=theme)
        warm_choices()
        # Data version; the summary (counts per month, citing essays: from the tallies
        # with none, else one statement or two); the page's events (the axis's marks when
        # few); their themes and citation counts. With dates, the tallies' edges take one.
        with django_assert_num_queries(3 + summary_statements):
            page = client.get("/", params)
        # The same events as a fragment: their entries are kept for this data version.
        with django_assert_num_queries(2 + summary_statements):
            fragment = client.get("/", params, headers=htmx_headers)
        with django_assert_max_num_queries(4 + summary_statements):
            filtered = client.get(
                "/", {**params, "theme": theme.slug, "from": "1991-02-03"}, headers=htmx_headers
            )
        drawn_as = "axis-density" if size == "larger" else "axis-marks"
        for response in (page, fragment, filtered):
            assertContains(response, f'<ol class="{drawn_as}"')
        page_entries, fragment_entries = (
            re.findall(r"<article .*?</article>", response.content.decode())
            for response in (page, fragment)
        )
        assert page_entries == fragment_entries
        # (Any event's random summary may hold a word starting "event" too.)
        listed = Event.objects.search(params["q"]) if "q" in params else Event.objects
        assert len(page_entries) == min(PAGE_SIZE, listed.count())


def test_repeat_views_are_served_from_cache_and_revalidate_with_a_304(
    client, small_timeline, django_assert_num_queries, htmx_headers
):
    first = client.get("/", {"theme": "arms-control"}, headers=htmx_headers)
    with django_assert_num_queries(1):
        again = client.get("/", {"theme": "arms-control"}, headers=htmx_headers)
    assert again.content == first.content
    etag = first["ETag"]
    assert first["Last-Modified"]
    with django_assert_num_queries(1):
        not_modified = client.get(
            "/", {"theme": "arms-control"}, headers={**htmx_headers, "If-None-Match": etag}
        )
    assert not_modified.status_code == 304
    assert client.get("/", {"theme": "arms-control"})["ETag"] != etag  # full page differs


def test_an_edit_invalidates_cached_results_and_etags(client, small_timeline):
    first = client.get("/", {"theme": "arms-control"})
    event = small_timeline["events"]["new_start"]
    event.title = "New START, renamed by an editor"
    event.save()
    second = client.get("/", {"theme": "arms-control"}, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    # The list entry too, not only the axis: entries are rendered once per data version.
    assertContains(
        second, '<a href="/events/new-start/">New START, renamed by an editor</a>', html=True
    )


def test_event_page_shows_citing_essays_with_quotations(client, small_timeline):
    response = client.get(reverse("timeline:event_detail", args=["magnitsky-act"]))
    assertContains(response, "After Congress enacted the Act")
    assertContains(response, "Russia-US Relations under Obama: Round 2")
    assertContains(response, "Putin&#x27;s return")


def test_unknown_event_is_404(client, db):
    assert client.get("/events/nope/").status_code == 404


def test_essay_pages_list_essays_and_cited_events(client, small_timeline):
    response = client.get(reverse("timeline:essay_list"))
    assertContains(response, "No Pause for the Reset")
    response = client.get(reverse("timeline:essay_detail", args=["weitz"]))
    assertContains(response, "Moscow’s decision to expel USAID")
    assertContains(response, "/?essay=weitz")


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_json_export_has_the_documented_shape(client, small_timeline):
    response = client.get(reverse("timeline:export_events_json"))
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 4 == len(data["events"])
    magnitsky = next(e for e in data["events"] if e["slug"] == "magnitsky-act")
    assert magnitsky == {
        "slug": "magnitsky-act",
        "title": "Magnitsky Act",
        "start": "2012-12-14",
        "start_precision": "day",
        "end": None,
        "end_precision": None,
        "approximate": False,
        "stance": "confrontation",
        "themes": ["human-rights"],
        "periods": ["putins-return"],
        "url": "http://testserver/events/magnitsky-act/",
        "citations": [
            {
                "essay": {
                    "slug": "weitz",
                    "title": "Russia-US Relations under Obama: Round 2",
                    "authors": [small_timeline["essays"]["weitz"].authors],
                },
                "quote": "After Congress enacted the Act",
            }
        ],
    }
    nunn_lugar = next(e for e in data["events"] if e["slug"] == "nunn-lugar")
    assert (nunn_lugar["start"], nunn_lugar["end"], nunn_lugar["end_precision"]) == (
        "1992-01-01",
        "2013-01-01",
        "year",
    )


def test_json_export_accepts_the_timeline_filters(client, small_timeline):
    data = client.get("/export/events.json", {"theme": "arms-control", "from": "2000"}).json()
    assert [e["slug"] for e in data["events"]] == ["nunn-lugar", "new-start"]
    data = client.get("/export/events.json", {"essay": "weitz", "q": "magnitsky"}).json()
    assert [e["slug"] for e in data["events"]] == ["magnitsky-act"]


def test_json_export_query_count_does_not_grow(
    client, small_timeline, django_assert_num_queries, warm_choices
):
    warm_choices()
    with django_assert_num_queries(5):
        client.get("/export/events.json")
    EventFactory.create_batch(20)
    warm_choices()
    with django_assert_num_queries(5):
        client.get("/export/events.json")


def test_pages_and_fragments_travel_compressed_to_browsers_that_accept_it(
    client, small_timeline, htmx_headers
):
    plain = client.get("/", {"theme": "arms-control"}, headers=htmx_headers)
    packed = client.get(
        "/", {"theme": "arms-control"}, headers={**htmx_headers, "Accept-Encoding": "gzip"}
    )
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    # Compression weakens the ETag; a browser sending it back still gets a 304.
    revalidated = client.get(
        "/",
        {"theme": "arms-control"},
        headers={**htmx_headers, "Accept-Encoding": "gzip", "If-None-Match": packed["ETag"]},
    )
    assert revalidated.status_code == 304


def test_the_heaviest_filter_fragment_reaches_the_browser_in_under_30_kb(client, htmx_headers):
    """The most a fragment holds: every event drawn on the axis and a full page listed, with
    titles as long and varied as real ones, ranges and two themes each."""
    arms, rights = ThemeFactory(slug="arms-control"), ThemeFactory(slug="human-rights")
    for event in EventFactory.create_batch(
        MAX_MARKS,
        main_theme=arms,
        title=factory.Faker("sentence", nb_words=9),
        end=factory.LazyAttribute(lambda event: event.start + datetime.timedelta(days=400)),
        end_precision="day",
    ):
        event.themes.add(rights)
    packed = client.get(
        "/", {"theme": "arms-control"}, headers={**htmx_headers, "Accept-Encoding": "gzip"}
    )
    html = gzip.decompress(packed.content).decode()
    drawn = len(drawn_slugs(html))
    gathered = sum(
        int(count) for count in re.findall(r'<li class="cluster[^>]*><a [^>]*>\+(\d+)<', html)
    )
    assert drawn + gathered == MAX_MARKS and drawn >= 30
    assert html.count("<article") == PAGE_SIZE
    assert len(packed.content) < 30_000


def test_robots_txt_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    assert b"Disallow: /admin/" in response.content


def test_unknown_page_gets_a_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assertContains(response, "Page not found", status_code=404)


def test_axis_shows_density_when_events_are_too_many_to_draw(client, small_timeline, monkeypatch):
    monkeypatch.setattr("timeline.views.timeline.MAX_MARKS", 2)
    response = client.get("/")
    assertContains(response, '<ol class="axis-density"')
    assertContains(response, 'aria-label="2012: 2 events, choose to show them"')
    assertContains(response, 'href="/?from=2012&amp;to=2012"')
    # Events that began before the axis does get no bar of their own.
    response = client.get("/", {"from": "2011", "to": "2013"})
    assertContains(response, 'aria-label="2012: 2 events, choose to show them"')
    assertNotContains(response, 'aria-label="1992')
    # Zoomed in to a year, the same events are counted per month.
    response = client.get("/", {"from": "2012", "to": "2012"})
    assertContains(response, 'aria-label="Sep 2012: 1 event, choose to show them"')
    assertContains(response, 'aria-label="Dec 2012: 1 event, choose to show them"')
    # Few enough to draw: the events themselves.
    response = client.get("/", {"from": "2012-12", "to": "2012-12"})
    assertNotContains(response, '<ol class="axis-density"')
    assert drawn_slugs(response.content) == ["nunn-lugar", "magnitsky-act"]


def test_event_and_essay_pages_run_a_fixed_number_of_queries(
    client, small_timeline, django_assert_num_queries, warm_choices
):
    weitz = small_timeline["essays"]["weitz"]
    event_url = reverse("timeline:event_detail", args=["magnitsky-act"])
    essay_url = reverse("timeline:essay_detail", args=["weitz"])
    for size in ("small", "larger"):
        if size == "larger":
            for event in EventFactory.create_batch(30):
                CitationFactory(essay=weitz, event=event)
                EventRelationFactory(
                    from_event=event, to_event=small_timeline["events"]["magnitsky"]
                )
        # The page names the themes' colours from this version's snapshot (once a version).
        warm_choices()
        with django_assert_num_queries(8):
            assert client.get(event_url).status_code == 200
        warm_choices()
        # The essay, its figures, the citations listed, the axis's events and their themes,
        # citations and summaries (for the marks' cards).
        with django_assert_num_queries(6):
            assert client.get(essay_url).status_code == 200


def test_show_more_continues_the_year_the_page_before_ended_in(client, small_timeline):
    for day in range(55):
        EventFactory(start=datetime.date(2015, 1, 1) + datetime.timedelta(days=day))
    heading = '<h2 class="year-heading">2015</h2>'
    first = client.get("/", {"from": "2015", "to": "2015"}).content.decode()
    assert first.count(heading) == 1
    more = client.get(
        "/",
        {"from": "2015", "to": "2015", "page": "2"},
        headers={"HX-Request": "true", "HX-Target": "more"},
    ).content.decode()
    assert len(listed_slugs(more)) == 5
    assert heading not in more
    # Without JavaScript page 2 is a page of its own, under its own heading.
    assert heading in client.get("/", {"from": "2015", "to": "2015", "page": "2"}).content.decode()


def test_pages_keep_listing_when_the_kept_entries_fill_up(client, small_timeline, monkeypatch):
    monkeypatch.setattr(snapshot, "MAX_KEPT_EVENTS", 3)
    assert slugs_in(client.get("/", {"theme": "arms-control"})) == ["nunn-lugar", "new-start"]
    # Two of these four are kept, two are not: together over the limit, all are built anew.
    whole = client.get("/")
    assert slugs_in(whole) == ["nunn-lugar", "new-start", "usaid", "magnitsky-act"]
    assert slugs_in(client.get("/", {"theme": "human-rights"})) == ["usaid", "magnitsky-act"]


def test_essays_are_listed_by_publication_date(client, db):
    for slug, published in [("b", "2021-01-01"), ("a", "2013-06-01"), ("c", "2011-03-01")]:
        EssayFactory(slug=slug, title=f"Essay {slug}", published=published)
    response = client.get(reverse("timeline:essay_list"))
    links = lxml_html.fromstring(response.text).xpath("//li[@class='essay-card']/h2/a/@href")
    assert links == ["/essays/c/", "/essays/a/", "/essays/b/"]


def test_event_page_and_slide_show_sources_linked_only_where_an_address_is_known(
    client, small_timeline
):
    event = small_timeline["events"]["magnitsky"]
    event.links.create(title="Public Law 112-208", url="", position=0)
    event.links.create(
        title="H.R. 6156",
        url="https://www.congress.gov/bill/112th-congress/house-bill/6156",
        position=1,
    )
    for path, params in ((event.get_absolute_url(), {}), ("/present/", {"q": "Magnitsky"})):
        tree = lxml_html.fromstring(client.get(path, params).content.decode())
        sources = tree.xpath("//ul[@class='sources']/li | //p[@class='slide-sources']")
        text = " ".join(" ".join(node.text_content().split()) for node in sources)
        assert "Public Law 112-208" in text and "H.R. 6156" in text
        hrefs = [a.get("href") for node in sources for a in node.xpath(".//a")]
        assert hrefs == ["https://www.congress.gov/bill/112th-congress/house-bill/6156"]


def test_citation_filter_shows_what_the_essays_leave_out(client, small_timeline):
    uncited = EventFactory(title="Nobody writes about this", slug="uncited")
    cited = {"new-start", "magnitsky-act", "usaid"}
    assert set(listed_slugs(client.get("/", {"cited": "none"}).content)) == {
        "nunn-lugar",
        "uncited",
    }
    assert set(listed_slugs(client.get("/", {"cited": "any"}).content)) == cited
    response = client.get("/", {"cited": "none", "theme": "arms-control"})
    assert listed_slugs(response.content) == ["nunn-lugar"]
    assertContains(response, "Cited by no essay")  # its chip, to remove it
    assert set(drawn_slugs(client.get("/", {"cited": "none"}).content)) == {
        "nunn-lugar",
        uncited.slug,
    }
    # The downloads follow the same filter.
    data = client.get("/export/events.json", {"cited": "none"}).json()
    assert {event["slug"] for event in data["events"]} == {"nunn-lugar", "uncited"}
    # An unknown value is left out, with a word.
    response = client.get("/", {"cited": "sometimes"})
    assert len(listed_slugs(response.content)) == 5
    assertContains(response, "sometimes")


def test_themes_css_never_writes_a_colour_that_is_not_hex(client, small_timeline):
    hostile = "}*{x:y}"
    # Written around the models and the database's check, as an old backup might hold it.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:
            cursor.execute(
                "ALTER TABLE timeline_theme DROP CONSTRAINT IF EXISTS theme_colour_is_hex"
            )
        Theme.objects.filter(slug="arms-control").update(colour=hostile)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    css = client.get(reverse("timeline:themes_css")).content.decode()
    assert hostile not in css
    assert "--theme:#a3211b" in css
