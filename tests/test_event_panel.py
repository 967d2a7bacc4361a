"""The event panel of the timeline (``?event=<slug>``) and what the filters around it show."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import CitationFactory, EventFactory
from tests.pages import listed_slugs

pytestmark = pytest.mark.django_db

PANEL_HEADERS = {"HX-Request": "true", "HX-Target": "event-panel"}


def test_a_shared_address_opens_the_event_beside_the_timeline(client, small_timeline):
    response = client.get("/", {"theme": "human-rights", "event": "magnitsky-act"})
    assertContains(
        response, '<h2 class="panel-title" id="panel-title" tabindex="-1">Magnitsky Act</h2>'
    )
    assertContains(response, "After Congress enacted the Act")  # its quotation
    assertContains(response, 'href="/events/magnitsky-act/">Open the event’s own page</a>')
    # Its place among the events the filters select, and its neighbours there.
    assertContains(response, '<p class="panel-position">2 of 2</p>')
    assertContains(
        response, 'id="panel-previous" rel="prev" href="/?theme=human-rights&amp;event=usaid"'
    )
    assertNotContains(response, 'id="panel-next"')
    assertContains(response, 'id="panel-close" href="/?theme=human-rights"')
    # The list around it is the timeline's, unchanged.
    assert listed_slugs(response.content) == ["usaid", "magnitsky-act"]


def test_htmx_asks_for_the_panel_alone(client, small_timeline):
    response = client.get("/", {"event": "new-start"}, headers=PANEL_HEADERS)
    html = response.content.decode()
    assert html.lstrip().startswith('<aside id="event-panel"')
    assert "<html" not in html and 'id="results"' not in html
    assert 'data-open-event="new-start"' in html
    assert "The New START Treaty, which entered" in html
    assert {"HX-Request", "HX-Target"} <= {name.strip() for name in response["Vary"].split(",")}


def test_the_panel_closes_without_an_event(client, small_timeline):
    html = client.get("/", {"theme": "arms-control"}, headers=PANEL_HEADERS).content.decode()
    assert html.lstrip().startswith('<aside id="event-panel"')
    assert " hidden>" in html
    assert 'id="panel-title"' not in html


def test_an_unknown_event_gets_a_notice_and_the_timeline_still_shows(client, small_timeline):
    response = client.get("/", {"event": "<b>nope</b>"})
    assert response.status_code == 200
    assertContains(response, "There is no event “&lt;b&gt;nope&lt;/b&gt;”")
    assert listed_slugs(response.content) == ["nunn-lugar", "new-start", "usaid", "magnitsky-act"]


@pytest.mark.parametrize("slug", ["\x00", "a b", "../x", "<i>"])
def test_an_address_that_is_no_slug_gets_the_notice_too(client, small_timeline, slug):
    response = client.get("/", {"event": slug}, headers=PANEL_HEADERS)
    assert response.status_code == 200
    assertContains(response, "There is no event")


def test_an_event_the_filters_leave_out_still_opens_and_says_so(client, small_timeline):
    response = client.get(
        "/", {"theme": "human-rights", "event": "new-start"}, headers=PANEL_HEADERS
    )
    assertContains(response, "Not among these 2")
    # Its neighbours in time among the selected events.
    assertContains(
        response, 'id="panel-next" rel="next" href="/?theme=human-rights&amp;event=usaid"'
    )


def test_neighbours_follow_the_timelines_order_when_events_share_a_day(client, small_timeline):
    day = small_timeline["events"]["magnitsky"].start
    twins = [
        EventFactory(title=title, slug=title.lower(), start=day) for title in ("Beta", "Alpha")
    ]
    html = client.get("/", {"event": "alpha"}, headers=PANEL_HEADERS).content.decode()
    assert 'rel="prev" href="/?event=usaid"' in html
    assert 'rel="next" href="/?event=beta"' in html
    html = client.get("/", {"event": "beta"}, headers=PANEL_HEADERS).content.decode()
    assert 'rel="next" href="/?event=magnitsky-act"' in html
    assert twins


def test_the_open_event_does_not_split_the_kept_results(
    client, small_timeline, django_assert_num_queries
):
    client.get("/", {"theme": "human-rights"})
    # The results come from the cache; the panel costs its own queries only (the data
    # version; the event, its themes and citations; its place and its two neighbours).
    with django_assert_num_queries(7):
        response = client.get("/", {"theme": "human-rights", "event": "usaid"})
    assert listed_slugs(response.content) == ["usaid", "magnitsky-act"]


def test_the_panels_queries_do_not_grow_with_the_events(
    client, small_timeline, django_assert_num_queries, warm_choices
):
    weitz = small_timeline["essays"]["weitz"]
    for size in ("small", "larger"):
        if size == "larger":
            for event in EventFactory.create_batch(40):
                CitationFactory(essay=weitz, event=event)
        warm_choices()
        # Data version; the event, its themes and citations; where it stands and its two
        # neighbours; the essay's selection summed up, for the side it opens on.
        with django_assert_num_queries(8):
            client.get("/", {"essay": "weitz", "event": "usaid"}, headers=PANEL_HEADERS)


def test_a_filter_change_closes_the_panel_and_updates_the_count_beside_the_filters(
    client, small_timeline, htmx_headers
):
    html = client.get("/", {"theme": "human-rights"}, headers=htmx_headers).content.decode()
    assert html.lstrip().startswith('<section id="results"')
    closed = 'class="event-panel" aria-labelledby="panel-title" hidden hx-swap-oob="true">'
    assert f'<aside id="event-panel" {closed}</aside>' in html
    count = 'id="filter-count" role="status" hx-swap-oob="innerHTML"><b>2 events</b>'
    assert f'<p class="filters-count" {count}' in html
    assert '<span id="filters-active" hx-swap-oob="innerHTML">(1 active)</span>' in html
    assert '<figure id="axis"' in html and 'hx-swap-oob="true"' in html


def test_the_stance_filter_offers_every_stance_on_every_request(client, small_timeline):
    # The filter form's class is built once per data version; each request after the first
    # must still offer the stances (it offered only "Any stance").
    for path in ("/", "/", "/?stance=mixed", "/essays/matrix/", "/essays/matrix/"):
        response = client.get(path)
        for value, label in (("cooperation", "Cooperation"), ("confrontation", "Confrontation")):
            assertContains(response, f'<option value="{value}"', msg_prefix=path)
            assertContains(response, f">{label}</option>", msg_prefix=path)
    assertContains(client.get("/?stance=mixed"), '<option value="mixed" selected>Mixed</option>')


def test_more_filters_open_by_themselves_when_one_is_set(client, small_timeline):
    closed = client.get("/", {"theme": "arms-control", "q": "treaty"}).content.decode()
    assert '<details class="more-filters">' in closed
    for params in (
        {"period": "the-reset"},
        {"from": "2012"},
        {"stance": "mixed"},
        {"essay": "weitz"},
    ):
        html = client.get("/", params).content.decode()
        assert '<details class="more-filters" open>' in html, params
