import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

EVENT = "#results [data-event-slug]"


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def mark_page(page):
    """Set a flag that a full page load would wipe out."""
    page.evaluate("window.__noReload = true")


def still_same_page(page):
    return page.evaluate("window.__noReload === true")


def test_choosing_a_theme_swaps_results_in_place_and_updates_url(
    page, timeline_server, console_errors, screenshot
):
    page.goto(timeline_server.url + "/")
    everything = page.locator(EVENT).count()
    assert everything > 10
    screenshot("timeline")
    mark_page(page)
    page.get_by_label("Arms control").check()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control$"))
    expect(page.locator(EVENT)).not_to_have_count(everything)
    arms = page.locator(EVENT).count()
    assert 0 < arms < everything
    assert still_same_page(page)
    expect(page.locator("#results .summary")).to_contain_text("Arms control")
    screenshot("timeline-arms-control")

    page.go_back()
    expect(page).to_have_url(timeline_server.url + "/")
    expect(page.locator(EVENT)).to_have_count(everything)
    expect(page.get_by_label("Arms control")).not_to_be_checked()
    assert console_errors == []


def test_search_finds_magnitsky(page, timeline_server, console_errors):
    page.goto(timeline_server.url + "/")
    mark_page(page)
    page.get_by_label("Search").fill("Magnitsky")
    expect(page).to_have_url(re.compile(r"q=Magnitsky"))
    expect(page.locator('#results [data-event-slug="magnitsky-act"]')).to_be_visible()
    titles = page.locator("#results .event h3").all_inner_texts()
    assert all("magnitsky" in t.lower() or "adopt" in t.lower() or t for t in titles)
    assert still_same_page(page)
    assert console_errors == []


def test_clicking_a_period_band_filters_to_it(page, timeline_server, console_errors):
    page.goto(timeline_server.url + "/")
    everything = page.locator(EVENT).count()
    band = page.locator('#axis .band > a[title^="The reset"]')
    label = band.get_attribute("title")
    band.locator("span").click()  # its name, at the top of the band
    expect(page).to_have_url(re.compile(r"period="))
    expect(page.locator(EVENT)).not_to_have_count(everything)
    period_name = label.split(" (")[0]
    expect(page.locator("#results .active-filters")).to_contain_text(period_name)
    expect(page.locator("#filter-period option:checked")).to_contain_text(period_name)
    assert console_errors == []


def test_removing_a_filter_chip_and_clear_all(page, timeline_server):
    page.goto(timeline_server.url + "/?theme=arms-control&stance=cooperation")
    filtered = page.locator(EVENT).count()
    page.get_by_role("link", name="Remove filter Stance: Cooperation").click()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control$"))
    expect(page.locator(EVENT)).not_to_have_count(filtered)
    page.locator("#results").get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(timeline_server.url + "/")


def test_filters_work_without_javascript(browser, timeline_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(timeline_server.url + "/")
    everything = page.locator(EVENT).count()
    page.get_by_label("Human rights").check()
    page.get_by_role("button", name="Show events").click()
    expect(page).to_have_url(re.compile(r"theme=human-rights"))
    assert 0 < page.locator(EVENT).count() < everything
    page.locator(EVENT).first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert "/events/" in page.url
    context.close()


def test_keyboard_alone_reaches_and_uses_the_filters(page, timeline_server):
    page.goto(timeline_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Arms control").focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"theme=arms-control"))


def test_pages_have_no_serious_accessibility_violations(page, timeline_server, screenshot):
    for path in ("/", "/?theme=arms-control", "/events/magnitsky-act/", "/essays/"):
        page.goto(timeline_server.url + path)
        assert serious_violations(page) == [], path
    page.goto(timeline_server.url + "/events/magnitsky-act/")
    screenshot("event-magnitsky-act")


def test_timeline_fits_a_phone(page, timeline_server, screenshot):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(timeline_server.url + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    screenshot("timeline-phone")


# The left edge of each "·" in the entries' lines, and of the line its paragraph starts on.
SEPARATOR_EDGES = """() => [...document.querySelectorAll("#results .event p")].flatMap((line) => {
  const text = line.firstChild, left = line.getBoundingClientRect().left;
  return [...text.data.matchAll(/·/g)].map((found) => {
    const range = document.createRange();
    range.setStart(text, found.index);
    range.setEnd(text, found.index + 1);
    return [line.textContent, range.getBoundingClientRect().left - left];
  });
})"""


def test_no_line_of_an_entry_begins_with_a_separator_on_a_phone(page, timeline_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(timeline_server.url + "/")
    edges = page.evaluate(SEPARATOR_EDGES)
    assert len(edges) == 100  # two in each of the first page's 50 entries
    assert [text for text, left in edges if left < 1] == []


# For each entry: how many lines its title takes, and the gap from its date to its title's text.
TITLE_GAPS = """() => [...document.querySelectorAll("#results .event")].map((entry) => {
  const date = entry.querySelector("time").getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(entry.querySelector("h3 a"));
  const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
  return [lines.size, Math.round(range.getBoundingClientRect().top - date.bottom)];
})"""


def test_on_a_phone_every_title_sits_as_close_to_its_date(page, timeline_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(timeline_server.url + "/")
    gaps = page.evaluate(TITLE_GAPS)
    assert {lines for lines, _ in gaps} >= {1, 2}  # short titles and long ones
    assert len({gap for _, gap in gaps}) == 1, gaps


def test_show_more_loads_the_next_events_in_place_and_keeps_the_keyboard_there(
    page, timeline_server, console_errors
):
    page.goto(timeline_server.url + "/")
    total = int(re.search(r"(\d+) events", page.locator("#results .summary").inner_text())[1])
    expect(page.locator(EVENT)).to_have_count(50)
    mark_page(page)
    page.locator("#more a").focus()
    page.keyboard.press("Enter")
    expect(page.locator(EVENT)).to_have_count(min(total, 100))  # a page is 50 more
    assert still_same_page(page)
    expect(page).to_have_url(timeline_server.url + "/")
    # Focus moves to the first of the new entries (or a new year's heading before it).
    page.wait_for_function(
        """() => {
            const first = document.querySelectorAll("#results [data-event-slug]")[50];
            const focused = document.activeElement;
            return focused === first || focused.nextElementSibling === first;
        }"""
    )
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("href", re.compile(r"^/events/"))
    assert console_errors == []


# The width of a select's chosen text, and the room the select gives it.
CHOSEN_TEXT_AND_ROOM = """s => { const c = document.createElement('canvas').getContext('2d');
  const cs = getComputedStyle(s); c.font = cs.font;
  return [c.measureText(s.options[s.selectedIndex].text).width,
          s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)]; }"""


def test_a_chosen_period_shows_its_whole_name(page, timeline_server):
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(timeline_server.url + "/?period=trumps-second-term")
    period = page.get_by_label("Period", exact=True)
    expect(period).to_be_visible()  # "More filters" opens by itself when one is set
    expect(period.locator("option:checked")).to_have_text(
        "2025–2026 · Trump’s second term and New START’s expiry"
    )
    text, room = period.evaluate(CHOSEN_TEXT_AND_ROOM)
    assert text <= room
