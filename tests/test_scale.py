"""What keeps the timeline fast at any size must never change what it shows: the facet table
the triggers keep, the month windows that bound a page's query, the two ways of counting
the citing essays."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.http import QueryDict

from tests import pages
from tests.factories import (
    CitationFactory,
    EventFactory,
    ThemeFactory,
    build_small_timeline,
    reseed_fake_text,
)
from timeline import selection
from timeline.filters import EventFilter
from timeline.models import SPAN_CLASS_DAYS, Event, EventFacet, span_class_of
from timeline.snapshot import Snapshot
from timeline.sql_rows import as_date

pytestmark = pytest.mark.django_db


def facets():
    return set(
        EventFacet.objects.values_list(
            "event_id", "theme_id", "start", "span_end", "span_class", "stance"
        )
    )


def facets_expected():
    return {
        (event.pk, theme.pk, event.start, event.span_end, event.span_class, event.stance)
        for event in Event.objects.prefetch_related("themes")
        for theme in event.themes.all()
    }


def test_facets_follow_every_change_to_events_and_their_themes(small_timeline):
    arms, rights = small_timeline["themes"]["arms"], small_timeline["themes"]["rights"]
    event = small_timeline["events"]["new_start"]
    assert facets() == facets_expected() and len(facets()) == 4

    event.themes.add(rights)
    assert (event.pk, rights.pk) in {row[:2] for row in facets()}
    event.start, event.stance = datetime.date(2010, 4, 8), "mixed"
    event.save()
    event.themes.remove(arms)
    assert facets() == facets_expected()
    # Lengthened to years: its class changes, and its facets follow.
    event.end, event.end_precision = datetime.date(2016, 1, 1), "day"
    event.save()
    assert event.span_class == len(SPAN_CLASS_DAYS)
    assert facets() == facets_expected()

    # Bulk writes send no signals: the triggers see them all the same.
    built = [EventFactory.build(main_theme=arms, slug=f"bulk-{n}") for n in range(3)]
    for one in built:
        one.span_end = one.compute_span_end()
        one.span_class = span_class_of(one.start, one.span_end)
    bulk = Event.objects.bulk_create(built)
    Event.themes.through.objects.bulk_create(
        [Event.themes.through(event_id=e.pk, theme_id=arms.pk) for e in bulk]
    )
    Event.objects.filter(pk=bulk[0].pk).update(stance="confrontation")
    assert facets() == facets_expected()

    small_timeline["events"]["magnitsky"].delete()
    Event.objects.filter(pk__in=[e.pk for e in bulk]).delete()
    assert facets() == facets_expected() and len(facets()) == 3


def test_facets_follow_generated_and_deleted_synthetic_events(small_timeline):
    call_command("generate_events", "--count", "40", "--seed", "3", stdout=None)
    assert len(facets()) > 40 and facets() == facets_expected()
    call_command("generate_events", "--delete")
    assert facets() == facets_expected() and len(facets()) == 4


def test_generated_events_are_the_same_for_a_seed_and_titled_like_real_ones(small_timeline):
    def generated():
        call_command("generate_events", "--count", "30", "--seed", "5", stdout=None)
        texts = list(
            Event.objects.filter(synthetic=True).order_by("slug").values_list("title", "summary")
        )
        call_command("generate_events", "--delete")
        return texts

    texts = generated()
    assert generated() == texts
    titles = [set(title.lower().split()) for title, _ in texts]
    # No word in every title, so no search word matches every event.
    assert titles and not set.intersection(*titles)
    assert all(0 < len(title) <= 200 for title, _ in texts)


def listed_slugs(client, params):
    """Every event the timeline lists for ``params``, page after page, as a reader sees."""
    slugs, page = [], 1
    while True:
        html = client.get("/", {**params, "page": page}).content.decode()
        slugs += pages.listed_slugs(html)
        if 'id="more"' not in html:
            return slugs
        page += 1


def expected_slugs(params):
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    filterset = EventFilter(query, queryset=Event.objects.all(), snapshot=Snapshot.load())
    return list(filterset.qs.order_by("start", "span_end", "title").values_list("slug", flat=True))


@pytest.fixture(scope="module")
def crowded_timeline_for_this_module(transaction_for_this_module):
    """Enough events for several pages, with page breaks inside a month, events with both
    themes, one in seven cited, and long ranges that began years before the dates asked
    for: built once for the module's tests, which only read it."""
    reseed_fake_text()
    timeline = build_small_timeline()
    arms, rights = timeline["themes"]["arms"], timeline["themes"]["rights"]
    for n in range(120):
        event = EventFactory(
            slug=f"crowd-{n}",
            title=f"Crowd {n % 7}",  # equal titles and days: the order still holds
            start=datetime.date(2012, 3, 1) + datetime.timedelta(days=n // 3 * 3),
            main_theme=arms if n % 2 else rights,
            themes=[rights] if n % 5 == 0 else [],
            stance=("cooperation", "confrontation", "mixed")[n % 3],
        )
        if n % 7 == 0:
            CitationFactory(essay=timeline["essays"]["weitz"], event=event)
    for n in range(6):
        EventFactory(
            slug=f"long-{n}",
            start=datetime.date(1995 + n, 1, 1),
            end=datetime.date(2013, 6, 30),
            end_precision="day",
            main_theme=arms,
        )
    return timeline


@pytest.fixture
def crowded_timeline(crowded_timeline_for_this_module, db):
    """The module's crowded timeline; a test's writes are undone after it."""
    return crowded_timeline_for_this_module


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"theme": ["arms-control", "human-rights"]},
        {"theme": "arms-control", "from": "2012-04"},
        {"from": "2012-05", "to": "2013", "stance": "confrontation"},
        {"period": "putins-return", "theme": "human-rights"},
        {"essay": "weitz", "theme": "human-rights"},
    ],
)
def test_every_page_lists_each_selected_event_once_in_time_order(client, crowded_timeline, params):
    expected = expected_slugs(params)
    assert len(expected) > 3
    assert listed_slugs(client, params) == expected


def test_a_range_that_began_long_before_the_dates_asked_for_is_listed(client, small_timeline):
    EventFactory(
        slug="cold-peace",
        start=datetime.date(1988, 1, 1),
        end=datetime.date(2020, 1, 1),
        end_precision="day",
        main_theme=small_timeline["themes"]["arms"],
    )
    for params in (
        {"from": "2019"},
        {"from": "2019", "theme": "arms-control"},
        # The other theme's events are all short: the longer bound of the two must serve.
        {"from": "2019", "theme": ["human-rights", "arms-control"]},
        {"period": "putins-return", "theme": ["human-rights", "arms-control"]},
    ):
        assert "cold-peace" in listed_slugs(client, params)


@pytest.mark.parametrize(
    "one_statement_up_to, from_citations_up_to",
    [(10_000, 0), (0, 10_000), (0, 0)],
    ids=["one statement", "from the citations", "essay by essay"],
)
def test_the_summary_counts_the_essays_citing_the_selected_events_every_way(
    client, crowded_timeline, monkeypatch, one_statement_up_to, from_citations_up_to
):
    monkeypatch.setattr(selection, "ONE_STATEMENT_UP_TO", one_statement_up_to)
    monkeypatch.setattr(selection, "ESSAYS_FROM_CITATIONS_UP_TO", from_citations_up_to)
    cases = [
        {},
        {"theme": "arms-control"},
        {"theme": "human-rights"},
        {"to": "2011"},
        {"q": "crowd"},
        {"q": "crowd", "from": "2012-04"},
    ]
    counted = [
        re.search(r"cited by (\d+) essays?", client.get("/", params).content.decode())[1]
        for params in cases
    ]
    assert counted == ["2", "2", "1", "1", "1", "1"]


@pytest.mark.parametrize("days", [0, 31, 32, 366, 367, 1461, 1462, 9000])
@pytest.mark.parametrize("themed", [False, True], ids=["all themes", "one theme"])
def test_an_event_of_any_length_is_found_from_its_last_day(client, small_timeline, days, themed):
    """At the bounds of every span class: an event is found by a date filter starting on
    the last day it covers, however long before that it began."""
    last_day = datetime.date(2019, 6, 14)
    EventFactory(
        slug="lasting",
        start=last_day - datetime.timedelta(days=days),
        end=last_day,
        end_precision="day",
        main_theme=small_timeline["themes"]["rights"],
    )
    params = {"from": last_day.isoformat(), **({"theme": "human-rights"} if themed else {})}
    assert listed_slugs(client, params) == ["lasting"]
    page = client.get("/", params).content.decode()
    assert re.search(r"\b1 event\b", page)
    params["from"] = (last_day + datetime.timedelta(days=1)).isoformat()
    assert listed_slugs(client, params) == []


def test_a_theme_added_later_gets_its_own_facets(client, small_timeline):
    cyber = ThemeFactory(name="Cyber", slug="cyber")
    event = small_timeline["events"]["magnitsky"]
    event.themes.add(cyber)
    assert listed_slugs(client, {"theme": "cyber"}) == ["magnitsky-act"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"stance": "mixed"},
        {"theme": "arms-control"},
        # Events tagged with both themes are counted once.
        {"theme": ["arms-control", "human-rights"]},
        {"theme": ["arms-control", "human-rights"], "stance": "confrontation"},
        # Whole years, part months at either end, a long range begun before the first day.
        {"from": "2012", "to": "2012"},
        {"from": "2012-03-16", "to": "2012-07-04", "theme": "human-rights"},
        {"from": "2000-02", "theme": ["arms-control", "human-rights"]},
        {"to": "2012-05-10", "stance": "cooperation"},
        {"period": "putins-return", "theme": "arms-control"},
        # The essays citing events only at the edges, or only in whole months.
        {"from": "2012-03-02", "to": "2012-04-30", "theme": "human-rights"},
        {"from": "2012-04", "to": "2012-05", "stance": "mixed"},
        {"to": "2011"},
    ],
)
def test_summaries_added_up_from_month_tallies_match_counting_every_event(crowded_timeline, params):
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    snapshot = Snapshot.load()
    tallied = EventFilter(query, snapshot=snapshot).selection.tallied_figures()
    assert tallied is not None
    counted = EventFilter(query, snapshot=snapshot).selection.counted_figures()
    months, first, last, essays = tallied
    assert sum(months.values()) == len(expected_slugs(params)) > 0
    assert (months, as_date(first), as_date(last), essays) == (
        counted[0],
        as_date(counted[1]),
        as_date(counted[2]),
        counted[3],
    )


@pytest.mark.parametrize("themed", [False, True], ids=["all themes", "one theme"])
def test_essays_citing_only_events_at_the_edges_of_the_months_are_counted(
    client, small_timeline, themed
):
    rights = small_timeline["themes"]["rights"]
    began_before = EventFactory(
        start=datetime.date(2016, 1, 1),
        end=datetime.date(2020, 6, 30),
        end_precision="day",
        main_theme=rights,
    )
    late_in_a_part_month = EventFactory(start=datetime.date(2019, 12, 10), main_theme=rights)
    CitationFactory(essay=small_timeline["essays"]["weitz"], event=began_before)
    CitationFactory(essay=small_timeline["essays"]["valdai"], event=late_in_a_part_month)
    params = {
        "from": "2019-03-05",
        "to": "2019-12-15",
        **({"theme": "human-rights"} if themed else {}),
    }
    html = client.get("/", params).content.decode()
    assert listed_slugs(client, params) == [began_before.slug, late_in_a_part_month.slug]
    assert re.search(r"2 events · 2016–2020 · .*cited by 2 essays", html)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "crowd"},
        {"essay": "weitz"},
        {"theme": ["arms-control", "human-rights", "sanctions"]},
        {"from": "2012-03-02", "to": "2012-03-30"},
    ],
)
def test_searches_essays_three_themes_and_part_months_are_counted_event_by_event(
    crowded_timeline, params
):
    ThemeFactory(name="Sanctions", slug="sanctions")
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    filterset = EventFilter(query, snapshot=Snapshot.load())
    assert filterset.selection.tallied_figures() is None
    assert filterset.selection.figures()["total"] == len(expected_slugs(params)) > 0
