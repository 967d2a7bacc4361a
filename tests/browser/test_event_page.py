"""An event's own page, as a reader and a teacher meet it."""

import re

from playwright.sync_api import expect

from tests.browser.test_timeline import serious_violations

# Generated text (::before, ::after) that draws a glyph rather than a box.
GENERATED_GLYPHS = """() => [...document.querySelectorAll("main *")].flatMap((el) =>
  ["::before", "::after"].map((pseudo) => [el.className, getComputedStyle(el, pseudo).content])
).filter(([, content]) => !["none", "normal", '""'].includes(content))"""


def test_back_link_returns_to_the_filtered_view_at_the_same_event(page, timeline_server):
    page.goto(timeline_server.url + "/?theme=arms-control")
    page.locator('#results [data-event-slug="new-start-signed"] h3 a').click()
    page.get_by_role("link", name="Open the event’s own page").click()
    expect(page.locator("h1")).to_have_text("New START signed in Prague")
    back = page.get_by_role("link", name="← Back to the timeline")
    expect(back).to_have_attribute("href", "/?theme=arms-control&event=new-start-signed")
    back.click()
    expect(page).to_have_url(re.compile(r"/\?theme=arms-control&event=new-start-signed$"))
    expect(page.locator("#event-panel h2")).to_have_text("New START signed in Prague")
    expect(page.get_by_role("checkbox", name="Arms control")).to_be_checked()


def test_event_page_draws_no_stray_signs_and_reads_its_relations(page, timeline_server):
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(timeline_server.url + "/events/dima-yakovlev-law/")
    # The stance's own sign beside the word "Confrontation" is the only glyph drawn by CSS.
    assert page.evaluate(GENERATED_GLYPHS) == [["stance-icon", '"▼"']]
    expect(page.locator(".relations li")).to_have_text(
        ["This event was retaliation for Magnitsky Act signed into law (14 Dec 2012)"]
    )
    page.goto(timeline_server.url + "/events/magnitsky-act/")
    expect(
        page.locator(".relations li", has_text=re.compile(r"^This event was answered in"))
    ).to_have_text(
        [re.compile(r"^This event was answered in retaliation by Russia bans U\.S\. adoptions")]
    )
    assert serious_violations(page) == []
