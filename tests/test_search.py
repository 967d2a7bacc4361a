"""Full-text search (SQLite FTS5 or PostgreSQL), as a reader uses it through `q`."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.factories import CitationFactory, EventFactory
from timeline.axis import MAX_MARKS
from timeline.filters import EventFilter
from timeline.models import Citation, Event
from timeline.snapshot import Snapshot

pytestmark = pytest.mark.django_db


def searched(params):
    return EventFilter(
        QueryDict(urlencode(params, doseq=True)),
        queryset=Event.objects.all(),
        snapshot=Snapshot.load(),
    )


def found(text, themes=()):
    """The events a search for ``text`` (within ``themes``, slugs) lists, best matches first,
    as the timeline asks: after the summary (which finds the best matches in its statement)."""
    filterset = searched({"q": text, "theme": list(themes)})
    filterset.selection.figures()
    return [row["slug"] for row in filterset.selection.ranked_rows(0, 100)]


def test_words_match_as_prefixes_in_any_order(small_timeline):
    assert found("magnit") == ["magnitsky-act"]
    assert found("treaty prague") == ["new-start"]


def test_every_word_must_match(small_timeline):
    assert found("magnitsky prague") == []


def test_quotations_are_searchable_and_follow_their_citations(small_timeline):
    citation = CitationFactory(event=small_timeline["events"]["usaid"], quote="Orphans were used")
    assert found("orphans") == ["usaid"]
    Citation.objects.filter(pk=citation.pk).first().delete()
    assert found("orphans") == []


def test_better_matches_rank_first(small_timeline):
    EventFactory(slug="mentions-once", title="Trade talks", summary="Sanctions were mentioned.")
    EventFactory(
        slug="about-sanctions",
        title="Sanctions on sanctions",
        summary="Sanctions, sanctions and more sanctions.",
    )
    assert found("sanctions")[:2] == ["about-sanctions", "mentions-once"]


@pytest.mark.parametrize(
    "text", ['"', "AND OR NOT", "NEAR(a b)", "*", "title:x", "a' OR 1=1 --", "(((", "^$%"]
)
def test_query_syntax_in_the_search_box_is_just_text(client, small_timeline, text):
    response = client.get("/", {"q": text})
    assert response.status_code == 200


def test_editing_an_event_updates_what_search_finds(small_timeline):
    event = small_timeline["events"]["new_start"]
    event.summary = "Ratified after a long Senate debate."
    event.save()
    assert found("senate") == ["new-start"]


def test_a_search_within_a_theme_finds_the_words_an_edit_gave_an_event(small_timeline):
    event = small_timeline["events"]["new_start"]
    assert found("senate", ["arms-control"]) == []
    event.summary = "Ratified after a long Senate debate."
    event.save()
    assert found("senate", ["arms-control"]) == ["new-start"]
    assert found("senate", ["human-rights"]) == []


def test_a_search_within_a_theme_follows_the_themes_an_event_is_given(small_timeline):
    event, rights = small_timeline["events"]["new_start"], small_timeline["themes"]["rights"]
    event.themes.add(rights)
    assert found("treaty", ["human-rights"]) == ["new-start"]
    event.themes.remove(rights)
    assert found("treaty", ["human-rights"]) == []
    assert found("treaty", ["arms-control"]) == ["new-start"]


def test_search_results_on_the_timeline_come_best_first(client, small_timeline):
    response = client.get("/", {"q": "magnitsky"})
    assert b"Best matches first" in response.content


@pytest.mark.parametrize("themes", [[], ["arms-control", "human-rights"]])
def test_best_matches_found_with_the_summary_list_as_the_ranked_query_does(small_timeline, themes):
    """Equal scores and starts across the MAX_MARKS-th rank, where the title decides: the
    pages the summary's best matches serve (the first MAX_MARKS) and those it does not agree
    with the ranked query run on its own."""
    arms, rights = small_timeline["themes"]["arms"], small_timeline["themes"]["rights"]
    day = datetime.date(2001, 1, 1)
    total = MAX_MARKS + 90
    for number in range(total):
        EventFactory(
            # Titles the other way round from the ids: the title, not the id, decides a tie.
            title=f"Concord {999 - number}" + ("" if number % 3 else " concord"),
            slug=f"concord-{number}",
            summary="A concord was signed.",
            # 40 events on each day: the MAX_MARKS-th rank falls among equal scores and starts.
            start=day + datetime.timedelta(days=number // 40),
            main_theme=arms if number % 2 else rights,
        )
    params = {"q": "concord", "theme": themes}

    def page(offset, limit, summed):
        filterset = searched(params)
        if summed:
            assert filterset.selection.figures()["total"] == total
        return [row["slug"] for row in filterset.selection.ranked_rows(offset, limit)]

    ranked = page(0, total, summed=False)
    # "concord" twice ranks first; on the first day, the first title of those is 39's
    assert len(ranked) == total and ranked[0] == "concord-39"
    for offset, limit in [(0, 50), (50, 50), (100, 50), (150, 50), (0, MAX_MARKS), (200, 50)]:
        assert page(offset, limit, summed=True) == ranked[offset : offset + limit]
    filterset = searched(params)
    filterset.selection.figures()
    # The first pages come from the summary's statement: the first MAX_MARKS and ties.
    assert MAX_MARKS <= len(filterset.selection.best_matches) < total


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's matches are FTS5's")
def test_a_search_of_events_reads_each_match_once_on_postgresql(small_timeline):
    """PostgreSQL keeps the search vector on the event's row: a search with dates and a
    stance matches, filters and scores each event in one pass, rather than joining the
    matches back to the events, which read each match twice."""
    filterset = searched({"q": "treaty", "from": "2009", "to": "2012", "stance": "cooperation"})
    with CaptureQueriesContext(connection) as queries:
        figures = filterset.selection.figures()
        rows = filterset.selection.ranked_rows(0, 10)
    assert [row["slug"] for row in rows] == ["new-start"]
    assert figures["total"] == 1
    reads_of_events = [
        len(re.findall(r'FROM "?timeline_event"?(?![_\w])', query["sql"]))
        for query in queries.captured_queries
    ]
    assert reads_of_events[0] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's matches are FTS5's")
def test_a_search_within_themes_reads_only_their_facets_on_postgresql(small_timeline):
    """PostgreSQL copies the search vector onto each facet: a search within themes matches,
    filters and scores the facets of those themes alone, rather than joining every match of
    the words to every facet of the themes."""
    filterset = searched({"q": "treaty", "theme": ["arms-control", "human-rights"]})
    with CaptureQueriesContext(connection) as queries:
        figures = filterset.selection.figures()
    assert figures["total"] == 1
    assert "timeline_eventfacet.search_vector @@" in queries.captured_queries[0]["sql"]
    assert not re.search(r'FROM "?timeline_event"?(?![_\w])', queries.captured_queries[0]["sql"])
