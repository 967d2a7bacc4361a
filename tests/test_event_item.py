"""The event item the pages include (templates/timeline/_event_item.html) is the markup of the
timeline list's fast path (cards.render_item, inside each list entry), event for event."""

import re
from datetime import date

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from tests.factories import CitationFactory, EssayFactory, EventFactory, ThemeFactory
from timeline.cards import LISTED_FIELDS
from timeline.models import Event
from timeline.snapshot import Snapshot, event_pieces

pytestmark = pytest.mark.django_db

# A list entry: the article that holds the item.
ENTRY = re.compile(
    r'^<article class="event [^"]+" id="event-[^"]+" data-event-slug="[^"]+">(.*)</article>$'
)
ITEMS = Template(
    "{% load event_items %}{% event_lines events as listed %}{% for event, line in listed %}"
    '{% include "timeline/_event_item.html" with event=event line=line only %}<hr>{% endfor %}'
)


@pytest.fixture
def assorted_events():
    arms = ThemeFactory(name="Arms control", slug="arms-control")
    rights = ThemeFactory(name="Human rights & democracy", slug="rights")
    trade = ThemeFactory(name="Sanctions <and> trade", slug="trade")
    events = [
        EventFactory(slug="one-day", start=date(2010, 4, 8), main_theme=arms),
        EventFactory(
            slug="a-span",
            start=date(2009, 2, 7),
            end=date(2009, 4, 1),
            end_precision="day",
            stance="mixed",
            main_theme=rights,
            themes=[arms, trade],
        ),
        EventFactory(
            slug="approximate",
            start=date(1992, 1, 1),
            start_precision="year",
            end=date(2013, 6, 1),
            end_precision="month",
            approximate=True,
            stance="confrontation",
            main_theme=trade,
            themes=[rights],
        ),
        EventFactory(
            slug="marked-up",
            title='Treaty <b>"A & B\'s"</b> signed',
            start=date(2012, 9, 1),
            start_precision="month",
            main_theme=rights,
        ),
    ]
    for essay in EssayFactory.create_batch(2):
        CitationFactory(essay=essay, event=events[1])
    CitationFactory(essay=EssayFactory(), event=events[3])
    return events


def test_the_partial_renders_the_markup_of_the_timeline_lists_entries(assorted_events):
    snapshot = Snapshot.load()
    rows = list(Event.objects.order_by("start").values(*LISTED_FIELDS))
    pieces = event_pieces(rows, snapshot)
    entries = [ENTRY.match(pieces[row["pk"]].entry_for(row, snapshot))[1] for row in rows]

    request = RequestFactory().get("/")
    events = list(Event.objects.order_by("start"))
    rendered = ITEMS.render(RequestContext(request, {"events": events}))
    # Only the partial's line breaks between its elements differ.
    items = [re.sub(r">\s+<", "><", item.strip()) for item in rendered.split("<hr>")[:-1]]

    assert items == entries
    assert len(items) == 4
    assert "Treaty &lt;b&gt;&quot;A &amp; B&#x27;s&quot;&lt;/b&gt; signed" in items[-1]
    assert "cited by 2 essays" in items[1] and "not cited by an essay" in items[0]
