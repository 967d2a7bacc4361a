import io
import math
import re
from unicodedata import normalize

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_timeline import serious_violations
from timeline.models import Event


def test_teacher_presents_a_filtered_view_with_the_keyboard(
    page, timeline_server, console_errors, screenshot
):
    page.goto(timeline_server.url + "/?theme=arms-control&from=2009&to=2021")
    page.get_by_role("link", name="Present these events").click()
    expect(page).to_have_url(re.compile(r"/present/\?theme=arms-control&from=2009&to=2021"))
    expect(page.locator(".slide-count")).to_contain_text("Slide 1 of")
    page.wait_for_load_state("load")  # htmx is ready; a person does not press keys faster
    first_title = page.locator("#slide-title").inner_text()
    page.evaluate("window.__noReload = true")

    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide-count")).to_contain_text("Slide 2 of")
    page.keyboard.press("Space")
    expect(page.locator(".slide-count")).to_contain_text("Slide 3 of")
    expect(page).to_have_url(re.compile(r"slide=3"))
    expect(page.locator("#slide-title")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".slide-count")).to_contain_text("Slide 2 of")
    page.keyboard.press("Home")
    expect(page.locator("#slide-title")).to_have_text(first_title)
    page.keyboard.press("End")
    total = page.locator(".slide-count").inner_text().split(" of ")[1]
    expect(page.locator(".slide-count")).to_have_text(f"Slide {total} of {total}")
    assert page.evaluate("window.__noReload === true"), "slides should swap in place"
    screenshot("present-last-slide")

    slug = page.locator(".slide-body").get_attribute("data-event-slug")
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(rf"/\?theme=arms-control&from=2009&to=2021#event-{slug}$"))
    expect(page.locator(f'#results [data-event-slug="{slug}"]')).to_be_visible()
    assert console_errors == []


def test_a_slide_can_be_opened_directly_and_works_without_javascript(browser, timeline_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(timeline_server.url + "/present/?slide=12")
    expect(page.locator(".slide-count")).to_contain_text("Slide 12 of")
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".slide-count")).to_contain_text("Slide 13 of")
    context.close()


def test_present_page_is_accessible(page, timeline_server):
    page.goto(timeline_server.url + "/present/?slide=3")
    assert serious_violations(page) == []


def test_handout_prints_to_pdf_on_a4_and_letter(page, timeline_server):
    page.goto(timeline_server.url + "/handout/?theme=arms-control")
    title = page.locator("h1").inner_text()
    assert "Arms control" in title
    prompts = page.locator(".handout-prompt").all_inner_texts()
    assert len(prompts) >= 15  # most of the 19 arms-control events have one
    # What begins and ends each event: its title and its last line (a prompt or a quotation).
    ends = [
        (event.locator("h3").inner_text(), event.locator(":scope > *").last.inner_text())
        for event in page.locator(".handout-event").all()
    ]
    page.emulate_media(media="print")
    for paper in ("A4", "Letter"):
        pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=False)))
        # NFKC: the PDF's text has ligatures ("ﬀ") where the page has letters.
        pages = [" ".join(normalize("NFKC", p.extract_text()).split()) for p in pdf.pages]
        text = " ".join(pages)
        # Two columns hold six events a page or more, and the last page is no stub.
        assert len(pdf.pages) <= math.ceil(len(ends) / 6)
        assert len(pages[-1]) > len(pages[0]) / 3
        # No event is split between two pages.
        for title, last_line in ends:
            title_page = next(i for i, p in enumerate(pages) if " ".join(title.split()) in p)
            assert " ".join(last_line.split())[:40] in pages[title_page], title
        assert "Arms control" in text
        assert "New START" in text
        assert "For discussion: Why might a treaty that abolishes a whole class" in text
        assert "The essays" in text
        assert "No Pause for the ‘Reset’" in text  # typographic quotes, nested ones single
        assert "(inferred))" not in text
        assert "Show events" not in text  # no controls on paper


def test_compare_and_matrix_pages_work_in_the_browser(page, timeline_server, console_errors):
    page.goto(timeline_server.url + "/essays/")
    page.get_by_role("link", name="Compare two essays").click()
    page.get_by_label("First essay").select_option(index=3)
    page.get_by_label("Second essay").select_option(index=4)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator(".compare-table tbody tr").first).to_be_visible()
    expect(page.locator(".compare-show")).to_contain_text("Cited by both")
    assert serious_violations(page) == []

    page.goto(timeline_server.url + "/essays/matrix/")
    rows = page.locator(".matrix tbody tr").count()
    page.get_by_label("Arms control").check()
    page.get_by_role("button", name="Show events").click()
    expect(page.locator(".matrix tbody tr")).not_to_have_count(rows)
    page.locator(".matrix-cell--cited a").first.click()
    expect(page).to_have_url(re.compile(r"/events/.+/#citation-"))
    assert serious_violations(page) == []
    assert console_errors == []


def slide_overflow(page):
    return page.evaluate(
        "[document.documentElement.scrollWidth - innerWidth,"
        " document.documentElement.scrollHeight - innerHeight]"
    )


def test_every_slide_fits_a_projector_and_a_laptop_without_scrolling(page, timeline_server):
    for width, height in ((1920, 1080), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(timeline_server.url + "/present/?slide=1")
        page.wait_for_load_state("load")
        total = int(page.locator(".slide-count").inner_text().split(" of ")[1])
        assert total == Event.objects.count()
        for number in range(1, total + 1):
            expect(page.locator(".slide-count")).to_have_text(f"Slide {number} of {total}")
            title = page.locator("#slide-title").inner_text()
            # present.js sets a long slide smaller once it is shown, and says so.
            expect(page.locator("#slide")).to_have_attribute("data-fit", re.compile(r"^[01]\."))
            if max(slide_overflow(page)) > 0:
                pytest.fail(
                    f"slide {number} ({title}) at {width}×{height} overflows by "
                    f"{slide_overflow(page)} px"
                )
            page.keyboard.press("ArrowRight")


def test_slide_navigation_stays_put_and_the_title_wears_no_frame(page, timeline_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(timeline_server.url + "/present/?theme=arms-control&slide=1")
    page.wait_for_load_state("load")
    title = page.locator("#slide-title")
    expect(title).to_be_focused()
    # The text uses the width: the event, and the essays' words beside it.
    main, side = (
        page.locator(".slide-main").bounding_box(),
        page.locator(".slide-side").bounding_box(),
    )
    assert side["x"] >= main["x"] + main["width"]
    assert side["x"] + side["width"] - main["x"] >= 1920 * 0.85
    places = []
    for number in (1, 2, 3):
        expect(page.locator(".slide-count")).to_contain_text(f"Slide {number} of")
        places.append(
            [page.locator(f"#{name}").bounding_box() for name in ("slide-first", "slide-exit")]
        )
        assert title.evaluate("h => getComputedStyle(h).boxShadow") == "none"
        assert title.evaluate("h => getComputedStyle(h).outlineStyle") == "none"
        page.keyboard.press("ArrowRight")
    assert places[0] == places[1] == places[2]


def test_a_phone_shows_a_slide_without_sideways_scrolling(page, timeline_server):
    page.set_viewport_size({"width": 390, "height": 844})
    for number in (5, 13, 61):
        page.goto(timeline_server.url + f"/present/?slide={number}")
        assert slide_overflow(page)[0] <= 0


COMPARE = (
    "/essays/compare/?a=weitz-2013-russia-us-relations-under-obama-round-2"
    "&b=trenin-2014-islands-of-cooperation"
)


def test_matrix_headers_stay_in_view_and_every_column_fits_a_phone(page, timeline_server):
    for width, height in ((1366, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(timeline_server.url + "/essays/matrix/")
        headers = page.locator(".matrix thead th")
        expect(headers).to_have_count(6)
        page.mouse.wheel(0, 1500)
        page.wait_for_function("scrollY >= 1000")
        for box in (headers.nth(i).bounding_box() for i in range(6)):
            assert -1 <= box["y"] <= 2, "the essays' names stay at the top"
            assert box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_comparison_leads_with_shared_events_and_lets_the_reader_choose(page, timeline_server):
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(timeline_server.url + COMPARE)
    groups = page.locator(".compare-group").all_inner_texts()
    assert groups[0].startswith("Cited by both essays")
    assert [g.split(" (")[0] for g in groups] == [
        "Cited by both essays",
        "Only in Richard Weitz 2013",
        "Only in Dmitri Trenin 2014",
    ]
    page.get_by_role("link", name=re.compile(r"^Cited by both")).click()
    expect(page).to_have_url(re.compile(r"show=both"))
    rows = page.locator("tr.compare-row")
    expect(rows.first).to_be_visible()
    assert all("compare-row--both" in c for c in [r.get_attribute("class") for r in rows.all()])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(timeline_server.url + COMPARE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    quote = page.locator("tr.compare-row blockquote").first.bounding_box()
    assert quote["width"] >= 300, "quotations run the phone's width, not two words a line"
    assert serious_violations(page) == []


def test_downloads_are_a_labelled_menu_named_for_the_view(page, timeline_server):
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(timeline_server.url + "/?theme=arms-control&from=2009&to=2012")
    page.get_by_text("Download these events").click()
    menu = page.get_by_role("list", name="Downloads of these events")
    expect(menu.get_by_role("listitem")).to_have_count(6)
    expect(menu).to_contain_text("one row per event")
    for link, name in (
        ("Spreadsheet (CSV)", "relations-timeline-arms-control-2009-2012.csv"),
        ("JSON", "relations-timeline-arms-control-2009-2012.json"),
        ("Quotations (CSV)", "relations-timeline-arms-control-2009-2012-citations.csv"),
    ):
        with page.expect_download() as download:
            menu.get_by_role("link", name=link, exact=True).click()
        assert download.value.suggested_filename == name


def test_teacher_pages_have_no_serious_accessibility_faults(page, timeline_server):
    for path in ("/handout/?theme=arms-control", "/essays/", "/essays/matrix/", COMPARE):
        for width, height in ((1366, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(timeline_server.url + path)
            assert serious_violations(page) == [], (path, width)
