"""Every relation kind reads as an English sentence from both of its events, on the event
page and on the slide."""

import datetime

import pytest
from lxml import html as lxml_html

from tests.factories import EventFactory, EventRelationFactory
from timeline.models import RelationKind

pytestmark = pytest.mark.django_db

SENTENCES = [
    (
        RelationKind.RESPONSE_TO,
        "This event came in response to Cause",
        "This event was answered by Effect",
    ),
    (
        RelationKind.RETALIATION_FOR,
        "This event was retaliation for Cause",
        "This event was answered in retaliation by Effect",
    ),
    (RelationKind.LED_TO, "This event led to Cause", "This event followed from Effect"),
    (RelationKind.PART_OF, "This event is part of Cause", "This event includes Effect"),
]


def relation_lines(content):
    tree = lxml_html.fromstring(content.decode())
    return [
        " ".join(li.text_content().split())
        for li in tree.xpath("//ul[@class='relations' or @class='slide-relations']/li")
    ]


@pytest.mark.parametrize(("kind", "on_effect", "on_cause"), SENTENCES)
def test_relation_reads_as_a_sentence_on_both_event_pages(client, kind, on_effect, on_cause):
    # "Effect" is the event that points (from_event); "Cause" the one pointed at.
    cause = EventFactory(title="Cause", slug="cause")
    effect = EventFactory(title="Effect", slug="effect")
    EventRelationFactory(from_event=effect, kind=kind, to_event=cause)
    effect_lines = relation_lines(client.get("/events/effect/").content)
    cause_lines = relation_lines(client.get("/events/cause/").content)
    assert [line.split(" (")[0] for line in effect_lines] == [on_effect]
    assert [line.split(" (")[0] for line in cause_lines] == [on_cause]


@pytest.mark.parametrize(("kind", "on_effect", "on_cause"), SENTENCES)
def test_relation_reads_as_a_sentence_on_both_slides(client, kind, on_effect, on_cause):
    cause = EventFactory(title="Cause", slug="cause", start=datetime.date(2012, 1, 1))
    effect = EventFactory(title="Effect", slug="effect", start=datetime.date(2012, 6, 1))
    EventRelationFactory(from_event=effect, kind=kind, to_event=cause)
    # Slides run in time order: the cause is slide 1.
    assert relation_lines(client.get("/present/", {"slide": "1"}).content) == [on_cause]
    assert relation_lines(client.get("/present/", {"slide": "2"}).content) == [on_effect]
