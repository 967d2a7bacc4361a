"""The picture at a glance: the labelled axis on the first screen, cards, the event panel,
zoom, and the phone's vertical timeline, measured in Chromium."""

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_timeline import mark_page, serious_violations, still_same_page
from timeline.models import Event

DESKTOP = {"width": 1366, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
MARK = "#axis [data-event-slug]"


def arms_control() -> int:
    """How many events the arms-control theme holds in the curated dataset."""
    return Event.objects.filter(themes__slug="arms-control").count()


def boxes_of_marks(page):
    """For each drawn event: the boxes it covers (its label with its shape, and its bar)."""
    return page.eval_on_selector_all(
        f"{MARK}, #axis .cluster",
        """items => items.map(item => {
            const parts = [item.querySelector('a')];
            if (item.matches('.mark--span, .mark--vague')) parts.push(item);
            return parts.map(part => {
                const box = part.getBoundingClientRect();
                return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
            });
        })""",
    )


def rect(box):
    """A Playwright bounding box as left, right, top and bottom."""
    return {
        "left": box["x"],
        "right": box["x"] + box["width"],
        "top": box["y"],
        "bottom": box["y"] + box["height"],
    }


def overlapping(first, second, slack=0.5):
    return (
        first["left"] < second["right"] - slack
        and second["left"] < first["right"] - slack
        and first["top"] < second["bottom"] - slack
        and second["top"] < first["bottom"] - slack
    )


def overlaps_between_marks(page):
    marks = boxes_of_marks(page)
    return [
        (one, other)
        for index, one in enumerate(marks)
        for other in marks[index + 1 :]
        if any(overlapping(a, b) for a in one for b in other)
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PROJECTOR], ids=["1366x800", "1920x1080"])
def test_the_labelled_axis_is_on_the_first_screen_and_no_label_overlaps_another(
    page, timeline_server, console_errors, screenshot, viewport
):
    page.set_viewport_size(viewport)
    page.goto(timeline_server.url + "/")
    axis = page.locator("#axis").bounding_box()
    assert axis["y"] <= 450
    drawn = page.locator(MARK)
    assert drawn.count() >= 30
    for index in range(drawn.count()):
        mark = drawn.nth(index)
        link = mark.locator("a").first
        assert link.get_attribute("href").startswith("/events/")
        assert link.inner_text().strip()
        expect(link).to_be_in_viewport()
    assert overlaps_between_marks(page) == []
    # What could not be labelled is gathered under "+N" links, not drawn on top.
    gathered = sum(
        int(text.strip("+")) for text in page.locator("#axis .cluster > a").all_inner_texts()
    )
    assert drawn.count() + gathered == Event.objects.count()
    assert serious_violations(page) == []
    assert console_errors == []
    screenshot(f"axis-{viewport['width']}", full_page=False)


def test_every_zoom_keeps_the_labels_apart(page, timeline_server):
    page.set_viewport_size(DESKTOP)
    for query in (
        "from=2009&to=2014",
        "from=2021&to=2021",
        "from=2021-04&to=2021-04",
        "theme=middle-east",
    ):
        page.goto(f"{timeline_server.url}/?{query}")
        assert page.locator(MARK).count() > 0, query
        assert overlaps_between_marks(page) == [], query


def test_pointing_at_a_mark_or_focusing_it_shows_its_card(page, timeline_server):
    page.set_viewport_size(DESKTOP)
    page.goto(timeline_server.url + "/?theme=arms-control&from=2010&to=2011")
    mark = page.locator('#axis [data-event-slug="new-start-signed"] > a')
    card = page.locator("#card-new-start-signed")
    expect(card).to_be_hidden()
    mark.hover()
    expect(card).to_be_visible()
    text = card.inner_text()
    for part in (
        "New START signed in Prague",
        "8 Apr 2010",
        "Cooperation",
        "Arms control",
        "Cited by 2 essays",
    ):
        assert part in text
    # The summary's first sentence, cut on a word where it is long.
    assert "Barack Obama and Dmitry Medvedev signed the Treaty on Measures" in text
    assert "Strategic Offensive Arms in…" in text  # cut between words
    page.mouse.move(5, 5)
    expect(card).to_be_hidden()
    mark.focus()
    expect(card).to_be_visible()
    assert mark.get_attribute("aria-describedby") == "card-new-start-signed"


def test_choosing_a_mark_opens_the_event_beside_the_axis_and_the_address_keeps_it(
    page, timeline_server, console_errors
):
    page.set_viewport_size(DESKTOP)
    page.goto(timeline_server.url + "/?theme=arms-control")
    mark_page(page)
    page.locator('#axis [data-event-slug="new-start-signed"] > a').click()
    panel = page.locator("#event-panel")
    expect(panel).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control&event=new-start-signed$"))
    expect(panel.locator("h2")).to_have_text("New START signed in Prague")
    expect(panel.locator("h2")).to_be_focused()
    expect(panel).to_contain_text("In the essays’ words")
    expect(panel.get_by_role("link", name="Open the event’s own page")).to_have_attribute(
        "href", "/events/new-start-signed/"
    )
    # Beside the axis: it overlaps the picture's height, on the side away from the mark.
    panel_box, axis_box = panel.bounding_box(), page.locator("#axis").bounding_box()
    mark_box = page.locator('#axis [data-event-slug="new-start-signed"] > a').bounding_box()
    assert panel_box["y"] < axis_box["y"] + axis_box["height"]
    assert not overlapping(rect(panel_box), rect(mark_box))
    # Next and previous stay within the selection (arms control, in time order).
    position = int(panel.locator(".panel-position").inner_text().split(" of ")[0])
    panel.get_by_role("link", name=re.compile("^Next")).click()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control&event=unsc-resolution-1929-iran$"))
    expect(panel.locator(".panel-position")).to_have_text(f"{position + 1} of {arms_control()}")
    expect(panel.get_by_role("link", name=re.compile("^Next"))).to_be_focused()
    panel.get_by_role("link", name=re.compile("^Previous")).click()
    expect(page).to_have_url(re.compile(r"event=new-start-signed$"))
    # Esc closes it and gives the keyboard back to the event's mark.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control$"))
    expect(page.locator('#axis [data-event-slug="new-start-signed"] > a')).to_be_focused()
    assert still_same_page(page)
    # Back closes it too.
    page.locator('#axis [data-event-slug="new-start-signed"] > a').click()
    expect(panel).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control$"))
    expect(page.locator("#event-panel")).to_be_hidden()
    assert console_errors == []


def test_a_list_entry_opens_the_panel_and_a_shared_address_opens_it_again(
    page, timeline_server, browser
):
    page.set_viewport_size(DESKTOP)
    page.goto(timeline_server.url + "/?from=2012")
    page.locator('#results [data-event-slug="magnitsky-act"] h3 a').click()
    expect(page.locator("#event-panel h2")).to_have_text("Magnitsky Act signed into law")
    shared = page.url
    assert shared.endswith("/?from=2012&event=magnitsky-act")
    assert serious_violations(page) == []
    # The same address in a browser without JavaScript: the panel is there, and a mark is
    # a plain link to its event's page.
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    plain = context.new_page()
    plain.goto(shared)
    expect(plain.locator("#event-panel h2")).to_have_text("Magnitsky Act signed into law")
    plain.get_by_role("link", name=re.compile("^Next")).click()
    # The next event of 2012 onwards, in time order: PNTR for Russia, six days later.
    expect(plain).to_have_url(re.compile(r"\?from=2012&event=obama-grants-russia-pntr$"))
    mark = plain.locator("#axis [data-event-slug]").first
    slug = mark.get_attribute("data-event-slug")
    mark.locator("> a").click()
    expect(plain).to_have_url(re.compile(rf"/events/{slug}/$"))
    context.close()


def test_zoom_buttons_keys_and_years_narrow_the_years_in_the_address(page, timeline_server):
    page.set_viewport_size(DESKTOP)
    page.goto(timeline_server.url + "/")
    mark_page(page)
    expect(page.locator("#axis-title")).to_have_text("1987–2026")
    page.locator("#zoom-in").click()
    expect(page).to_have_url(re.compile(r"\?from=1997&to=2016$"))
    expect(page.locator("#axis-title")).to_have_text("1997–2016")
    page.locator("#axis").focus()
    page.keyboard.press("+")
    expect(page).to_have_url(re.compile(r"\?from=2002&to=2011$"))
    page.keyboard.press("-")
    expect(page).to_have_url(re.compile(r"\?from=1997&to=2016$"))
    page.locator("#axis-later").click()
    expect(page).to_have_url(re.compile(r"\?from=2007&to=2026$"))
    # The filters follow: "More filters" opens by itself and shows the years.
    expect(page.locator("#filter-from")).to_have_value("2007")
    expect(page.locator(".more-filters")).to_have_attribute("open", "")
    assert page.locator("#axis").bounding_box()["y"] <= 450
    page.locator("#axis .tick a", has_text="2013").click()
    expect(page).to_have_url(re.compile(r"\?from=2013&to=2013$"))
    expect(page.locator("#axis-title")).to_have_text("2013")
    page.locator("#axis-whole").click()
    expect(page).to_have_url(timeline_server.url + "/")
    assert still_same_page(page)


def test_the_stance_filter_offers_its_stances_every_time(page, timeline_server):
    for path in ("/", "/", "/essays/matrix/", "/?stance=confrontation"):
        page.goto(timeline_server.url + path)
        options = page.eval_on_selector_all("#filter-stance option", "os => os.map(o => o.text)")
        assert options == ["Any stance", "Cooperation", "Confrontation", "Mixed"], path
    expect(page.locator("#filter-stance")).to_have_value("confrontation")
    page.goto(timeline_server.url + "/")
    page.locator(".more-filters > summary").click()
    page.locator("#filter-stance").select_option("cooperation")
    expect(page).to_have_url(re.compile(r"\?stance=cooperation$"))
    expect(page.locator("#axis .mark.z-down")).to_have_count(0)
    expect(page.locator("#axis .mark.z-up").first).to_be_visible()
    expect(page.locator("#results [data-event-slug]").first).to_contain_text("Cooperation")


def test_on_a_phone_the_timeline_runs_down_the_page(page, timeline_server, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(timeline_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first = page.locator("#results [data-event-slug]").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < PHONE["height"]
    # Years run down the page, each event an entry on the line with its stance's shape.
    boxes = [page.locator("#results [data-event-slug]").nth(i).bounding_box() for i in range(5)]
    assert all(a["y"] < b["y"] for a, b in itertools.pairwise(boxes))
    # The filters fold behind one button that says how many are set.
    toggle = page.get_by_role("button", name=re.compile(r"^Filters"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#theme-arms-control")).to_be_hidden()
    toggle.click()
    page.locator('label[for="theme-arms-control"]').click()
    expect(page).to_have_url(re.compile(r"\?theme=arms-control$"))
    expect(page.locator("#filter-count")).to_contain_text(f"{arms_control()} events")
    expect(toggle).to_contain_text("(1 active)")
    page.get_by_role("button", name="Show events").click()
    expect(page.locator("#theme-arms-control")).to_be_hidden()
    # Tap targets at least 44 × 44 px.
    targets = page.locator(
        "#results [data-event-slug] h3 a, .filters-toggle, "
        "#results .tools a, #results .active-filters a, #more a"
    )
    for target in targets.all():
        if target.is_visible():
            box = target.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, target.inner_text()
    # Choosing an entry opens it below, in place.
    page.locator('#results [data-event-slug="new-start-signed"] h3 a').click()
    expect(page).to_have_url(re.compile(r"event=new-start-signed$"))
    expect(page.locator("#event-panel")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
    screenshot("phone-panel", full_page=False)
