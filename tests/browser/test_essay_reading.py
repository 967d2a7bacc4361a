"""An essay read with its citations marked, in Chromium: each marked passage leads to its
event, the margin's dates sit beside their paragraphs on a wide screen, and the page fits a
phone and passes axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_timeline import serious_violations
from timeline.models import Essay, TextDisplay


@pytest.fixture
def public_text(timeline_server):
    """The first curated essay, public, with a text of our own that holds each of its
    quotations in a paragraph between sentences of filler (the essays' texts stay out of the
    repository)."""
    essay = Essay.objects.order_by("published").first()
    citations = list(essay.citations.select_related("event").order_by("event__start"))
    paragraphs = [
        f"A sentence before it. {citation.quote} And a sentence after it, to read on."
        for citation in citations
    ]
    essay.text = "\n\n".join(["A title line", *paragraphs])
    essay.text_display = TextDisplay.PUBLIC
    essay.save()
    return essay, citations


def test_a_marked_passage_leads_to_its_event_and_its_date_sits_beside_it(
    page, timeline_server, public_text, console_errors
):
    essay, citations = public_text
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{timeline_server.url}/essays/{essay.slug}/read/")
    marks = page.locator(".essay-read-text mark.cited")
    expect(marks).to_have_count(len({citation.quote for citation in citations}))
    first_paragraph = page.locator(".essay-read-paragraph").nth(1)
    text_box = first_paragraph.locator("> p").bounding_box()
    margin_box = first_paragraph.locator(".essay-read-margin").bounding_box()
    assert margin_box["x"] >= text_box["x"] + text_box["width"]  # beside, not below
    assert abs(margin_box["y"] - text_box["y"]) < 12
    expect(first_paragraph.locator(".essay-read-margin")).to_contain_text(citations[0].event.title)
    marks.first.locator("a").click()
    expect(page).to_have_url(re.compile(f"/events/{citations[0].event.slug}/$"))
    assert console_errors == []


def test_the_reading_page_fits_a_phone_and_is_accessible(page, timeline_server, public_text):
    essay, _ = public_text
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{timeline_server.url}/essays/{essay.slug}/read/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The text comes before the list of the events it cites.
    text_top = page.locator(".essay-read-text").bounding_box()["y"]
    assert text_top < page.locator(".essay-read-events").bounding_box()["y"]
    assert serious_violations(page) == []
