"""An editor entering an event and its citations in the admin."""

from django.contrib.auth.models import User
from playwright.sync_api import expect

from timeline.models import Event

PASSWORD = "violet-harbour-teaspoon-42"


def test_editor_types_a_quotation_in_a_box_that_counts_its_characters(
    page, timeline_server, console_errors, screenshot
):
    User.objects.create_superuser("ada", password=PASSWORD)
    event = Event.objects.get(slug="magnitsky-act")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(timeline_server.url + "/admin/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#content-main")).to_contain_text("Sign-in lockouts")

    page.goto(f"{timeline_server.url}/admin/timeline/event/{event.pk}/change/")
    assert page.locator("#id_title").bounding_box()["width"] >= 600
    existing = event.citations.count()
    # One empty citation ready, after the stored ones.
    box = page.locator(f"#id_citations-{existing}-quote")
    expect(box).to_be_visible()
    assert box.evaluate("b => b.tagName") == "TEXTAREA"
    box.fill("Moscow answered with a ban on adoptions.")
    count = box.locator("xpath=following-sibling::span[@class='char-count'][1]")
    expect(count).to_have_text("40 of 300 characters")

    page.get_by_text("Add another Citation").click()
    added = page.locator(f"#id_citations-{existing + 1}-quote")
    added.fill("x" * 280)
    expect(added.locator("xpath=following-sibling::span[1]")).to_have_text("280 of 300 characters")
    expect(added.locator("xpath=following-sibling::span[1]")).to_have_class(
        "char-count char-count--near"
    )
    screenshot("admin-citation-entry")
    assert console_errors == []
