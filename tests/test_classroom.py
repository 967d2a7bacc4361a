"""Presenting, handouts and the essays' lens: compare and matrix."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import CitationFactory, EventFactory, EventRelationFactory

pytestmark = pytest.mark.django_db


def test_present_shows_one_event_per_slide_in_date_order(client, small_timeline):
    response = client.get(reverse("timeline:present"), {"theme": "human-rights"})
    assertContains(response, "Slide 1 of 2")
    assertContains(response, 'data-event-slug="usaid"')
    assertNotContains(response, 'data-event-slug="magnitsky-act"')
    response = client.get(reverse("timeline:present"), {"theme": "human-rights", "slide": "2"})
    assertContains(response, "Slide 2 of 2")
    assertContains(response, "After Congress enacted the Act")
    assertContains(response, "Putin&#x27;s return")


def test_slide_links_keep_the_filters_and_exit_returns_to_the_same_event(client, small_timeline):
    response = client.get("/present/", {"theme": "human-rights", "slide": "2"})
    assertContains(response, 'href="/present/?theme=human-rights&amp;slide=1"')
    assertContains(response, 'href="/?theme=human-rights#event-magnitsky-act"')
    assertNotContains(response, 'id="slide-next"')


@pytest.mark.parametrize("slide", ["abc", "-4", "999", ""])
def test_bad_slide_numbers_fall_back_to_a_real_slide(client, small_timeline, slide):
    response = client.get("/present/", {"slide": slide})
    assert response.status_code == 200
    assertContains(response, "of 4")


def test_present_with_no_matching_events_offers_a_way_back(client, small_timeline):
    response = client.get("/present/", {"q": "nothing-matches-this"})
    assertContains(response, "No events to present")


def test_htmx_slide_request_gets_only_the_slide(client, small_timeline):
    response = client.get(
        "/present/", {"slide": "2"}, headers={"HX-Request": "true", "HX-Target": "slide"}
    )
    assert response.content.decode().lstrip().startswith('<section id="slide"')
    assert "HX-Request" in response["Vary"]


def test_slide_shows_discussion_prompt_and_related_events(client, small_timeline):
    events = small_timeline["events"]
    events["magnitsky"].discussion_prompt = "Was the retaliation proportionate?"
    events["magnitsky"].save()
    ban = EventFactory(title="Adoption ban", start=events["magnitsky"].start)
    EventRelationFactory(from_event=ban, to_event=events["magnitsky"])
    response = client.get("/present/", {"q": "Magnitsky"})
    assertContains(response, "Was the retaliation proportionate?")
    assertContains(response, "Adoption ban")
    assertContains(response, "This event was answered in retaliation by")


def test_present_query_count_is_fixed(
    client, small_timeline, django_assert_num_queries, warm_choices
):
    # The summary is added up from the data version's tallies: no query of its own. The
    # slide's event, then one query each for its themes, sources, citations and relations.
    warm_choices()
    with django_assert_num_queries(7):
        client.get("/present/", {"slide": "2"})
    EventFactory.create_batch(25)
    warm_choices()
    with django_assert_num_queries(7):
        client.get("/present/", {"slide": "2"})


def test_handout_lists_events_quotations_and_a_bibliography(client, small_timeline):
    response = client.get(reverse("timeline:handout"), {"theme": "human-rights"})
    assertContains(response, "2 events · 2012 · Human rights")
    assertContains(response, "Moscow’s decision to expel USAID")
    assertContains(response, "The essays")
    assertContains(response, "Russia-US Relations under Obama: Round 2")
    assertNotContains(response, "No Pause for the Reset")


def test_timeline_offers_present_and_handout_for_the_current_view(client, small_timeline):
    response = client.get("/", {"theme": "arms-control"})
    assertContains(response, 'href="/present/?theme=arms-control"')
    assertContains(response, 'href="/handout/?theme=arms-control"')


def test_compare_splits_events_by_who_cites_them(client, small_timeline):
    weitz, valdai = small_timeline["essays"]["weitz"], small_timeline["essays"]["valdai"]
    CitationFactory(essay=valdai, event=small_timeline["events"]["usaid"], quote="Valdai on USAID")
    response = client.get(reverse("timeline:essay_compare"), {"a": weitz.slug, "b": valdai.slug})
    assertContains(response, "Cited by both essays (1)")
    assertContains(response, f"Only in {weitz.short_label} (1)")
    assertContains(response, "Valdai on USAID")
    assertContains(response, "Moscow’s decision to expel USAID")
    # What both cite first, then each essay's own, though New START came first.
    html = response.content.decode()
    order = ['id="event-usaid"', 'id="event-magnitsky-act"', 'id="event-new-start"']
    assert sorted(order, key=html.index) == order
    shared = client.get(
        reverse("timeline:essay_compare"), {"a": weitz.slug, "b": valdai.slug, "show": "both"}
    ).content.decode()
    assert 'id="event-usaid"' in shared and 'id="event-new-start"' not in shared
    unknown = client.get(
        reverse("timeline:essay_compare"), {"a": weitz.slug, "b": valdai.slug, "show": "x"}
    ).content.decode()
    assert all(row in unknown for row in order)


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"a": "nope", "b": "weitz"}, "There is no essay “nope”"),
        ({"a": "weitz", "b": "weitz"}, "Choose two different essays"),
    ],
)
def test_compare_explains_bad_choices(client, small_timeline, params, notice):
    response = client.get(reverse("timeline:essay_compare"), params)
    assert response.status_code == 200
    assertContains(response, notice)


def test_matrix_marks_who_cites_what_and_links_to_the_quotation(client, small_timeline):
    response = client.get(reverse("timeline:essay_matrix"))
    assertContains(response, 'href="/events/usaid/#citation-weitz"')
    assertContains(response, 'href="/events/new-start/#citation-valdai"')
    assertNotContains(response, 'href="/events/new-start/#citation-weitz"')
    response = client.get(reverse("timeline:essay_matrix"), {"theme": "arms-control"})
    assertNotContains(response, 'data-event-slug="usaid"')
    assertContains(response, 'data-event-slug="new-start"')


def test_essay_page_draws_a_mini_timeline_of_what_it_cites(client, small_timeline):
    response = client.get(reverse("timeline:essay_detail", args=["weitz"]))
    assertContains(response, '<ol class="axis-marks"')
    assertContains(response, 'data-event-slug="usaid"><a href="/events/usaid/"')
    assertContains(response, "?essay=weitz&amp;period=")


def cite_many(essay, count, **event_fields):
    events = EventFactory.create_batch(count, **event_fields)
    for event in events:
        CitationFactory(essay=essay, event=event, quote=f"On {event.title}.")
    return events


def test_a_long_essay_page_lists_its_events_a_page_at_a_time(client, small_timeline):
    weitz = small_timeline["essays"]["weitz"]
    cite_many(weitz, 60)  # 62 cited in all
    url = reverse("timeline:essay_detail", args=[weitz.slug])
    first = client.get(url).content.decode()
    assert first.count("<blockquote>") == 50
    assert "Show the 62 events it cites on the timeline" in first
    assert "Show more events (50 of 62 shown)" in first
    # htmx asks for the next page into #more: only the entries, no page around them.
    more = client.get(url, {"page": "2"}, headers={"HX-Request": "true", "HX-Target": "more"})
    fragment = more.content.decode()
    assert fragment.count("<blockquote>") == 12
    assert "<html" not in fragment and 'id="more"' not in fragment
    assert "HX-Request" in more["Vary"]
    # Without JavaScript the same link is a whole page.
    assert "<html" in client.get(url, {"page": "2"}).content.decode()


def test_a_long_comparison_lists_its_events_a_page_at_a_time(
    client, small_timeline, django_assert_num_queries, warm_choices
):
    weitz, valdai = small_timeline["essays"]["weitz"], small_timeline["essays"]["valdai"]
    url = reverse("timeline:essay_compare")
    params = {"a": weitz.slug, "b": valdai.slug}
    warm_choices()
    with django_assert_num_queries(7):
        client.get(url, params)
    cite_many(weitz, 30)
    cite_many(valdai, 30)
    warm_choices()
    with django_assert_num_queries(7):
        first = client.get(url, params).content.decode()
    assert first.count('class="compare-row ') == 50
    assert "Show more events (50 of 63 shown)" in first
    more = client.get(
        url, {**params, "page": "2"}, headers={"HX-Request": "true", "HX-Target": "more"}
    ).content.decode()
    assert more.count('class="compare-row ') == 13
    assert "<html" not in more
