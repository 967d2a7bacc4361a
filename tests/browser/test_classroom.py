import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_timeline import serious_violations


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
    page.emulate_media(media="print")
    for paper in ("A4", "Letter"):
        pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=False)))
        text = " ".join(p.extract_text() for p in pdf.pages)
        assert 1 <= len(pdf.pages) <= 30
        assert "Arms control" in text
        assert "New START" in text
        assert "The essays" in text
        assert "Show events" not in text  # no controls on paper


def test_compare_and_matrix_pages_work_in_the_browser(page, timeline_server, console_errors):
    page.goto(timeline_server.url + "/essays/")
    page.get_by_role("link", name="Compare two essays").click()
    page.get_by_label("First essay").select_option(index=3)
    page.get_by_label("Second essay").select_option(index=4)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator(".compare-table tbody tr").first).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("cited by both")
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
