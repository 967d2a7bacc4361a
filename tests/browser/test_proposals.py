"""An editor adding a new essay's citations by reviewing proposals, in Chromium: accept one
as proposed, shorten another's passage, reject a third; the reading page then marks the
accepted passages as citations and the rest as proposals still to review."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.test_timeline import serious_violations
from timeline.models import Citation, CitationRejection, Essay

PASSWORD = "violet-harbour-teaspoon-42"
TEXT = (
    "Arms control, then and now\n\n"
    "The Prague Treaty of 2010 cut deployed warheads by a third. Relations began to "
    "deteriorate after Vladimir Putin returned to the presidency last May, replacing Dmitry "
    "Medvedev.\n\n"
    "After Congress enacted the Sergei Magnitsky Accountability and Rule of Law Act, Moscow "
    "retaliated by denying Americans the right to adopt Russian orphans."
)


@pytest.fixture
def new_essay(timeline_server):
    return Essay.objects.create(
        title="A sixth essay",
        slug="a-sixth-essay",
        published="2013-02-28",
        text=TEXT,
    )


def log_in(page, server):
    User.objects.create_superuser("ada", password=PASSWORD)
    page.goto(server.url + "/admin/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def proposal(page, slug):
    return page.locator(f"li[data-proposal='{slug}']")


def test_an_editor_reviews_proposals_and_the_essay_reads_with_them_marked(
    page, timeline_server, new_essay, console_errors, screenshot
):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, timeline_server)
    page.goto(f"{timeline_server.url}/admin/timeline/essay/{new_essay.pk}/change/")
    page.get_by_role("link", name="Propose citations").click()
    expect(page.locator("h1")).to_have_text("Propose citations: A sixth essay")
    signed = proposal(page, "new-start-signed")
    expect(signed.locator("mark")).to_have_text(
        "The Prague Treaty of 2010 cut deployed warheads by a third."
    )
    assert serious_violations(page) == []
    screenshot("admin-proposals")

    # Accepted as proposed.
    signed.get_by_role("button", name="Accept").click()
    expect(page.locator(".messagelist")).to_contain_text("Cited: “New START signed in Prague”")
    expect(proposal(page, "new-start-signed")).to_have_count(0)

    # Accepted with a shorter passage, typed by keyboard.
    magnitsky = proposal(page, "magnitsky-act")
    box = magnitsky.get_by_label("Quotation")
    box.fill("After Congress enacted the Sergei Magnitsky Accountability and Rule of Law Act")
    expect(magnitsky.locator(".char-count")).to_have_text("78 of 300 characters")
    box.press("Tab")  # to the event's next control: the Accept button
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Cited: “Magnitsky Act signed into law”")
    assert Citation.objects.get(essay=new_essay, event__slug="magnitsky-act").quote == (
        "After Congress enacted the Sergei Magnitsky Accountability and Rule of Law Act"
    )

    # A passage that is not the essay's words is refused in place.
    putin = proposal(page, "putin-returns-to-presidency")
    putin.get_by_label("Quotation").fill("Putin returned in triumph.")
    putin.get_by_role("button", name="Accept").click()
    expect(proposal(page, "putin-returns-to-presidency").locator(".errorlist")).to_contain_text(
        "These words are not in the essay's text"
    )
    expect(proposal(page, "putin-returns-to-presidency")).to_be_in_viewport()

    # Rejected: gone, and listed to undo.
    proposal(page, "putin-returns-to-presidency").get_by_role("button", name="Reject").click()
    expect(proposal(page, "putin-returns-to-presidency")).to_have_count(0)
    expect(page.locator("#rejections ~ ul")).to_contain_text("Putin inaugurated")
    assert CitationRejection.objects.filter(essay=new_essay).count() == 1

    page.goto(f"{timeline_server.url}/essays/{new_essay.slug}/read/")
    expect(page.locator("mark.cited")).to_have_count(2)
    # Each proposal still to review is listed and leads to its passage in the text.
    listed = page.locator(".essay-read-proposals a")
    expect(listed.first).to_be_visible()
    for href in listed.evaluate_all("links => links.map(link => link.getAttribute('href'))"):
        expect(page.locator(f"[id='{href[1:]}']")).to_have_count(1)
    screenshot("essay-read-with-proposals")
    assert console_errors == []
