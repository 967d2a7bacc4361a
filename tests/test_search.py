"""Full-text search (SQLite FTS5 or PostgreSQL), as a reader uses it through `q`."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from tests.factories import CitationFactory, EventFactory
from timeline.filters import EventFilter, TimelineChoices
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db


def found(text):
    """The events a search for ``text`` lists, best matches first, as the timeline asks."""
    filterset = EventFilter(
        QueryDict(urlencode({"q": text})),
        queryset=Event.objects.all(),
        choices=TimelineChoices.load(),
    )
    return [row["slug"] for row in filterset.ranked_rows(0, 100)]


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


def test_search_results_on_the_timeline_come_best_first(client, small_timeline):
    response = client.get("/", {"q": "magnitsky"})
    assert b"Best matches first" in response.content
