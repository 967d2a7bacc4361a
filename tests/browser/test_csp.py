"""Pages under the Content Security Policy in Chromium: the browser enforces it and reports
each refused script or style as a console error, so a page with none works within it."""

import re

from django.contrib.auth.models import User
from playwright.sync_api import expect

from timeline.models import Event

PASSWORD = "violet-harbour-teaspoon-42"


def test_reader_pages_run_within_the_policy(page, timeline_server, console_errors):
    response = page.goto(timeline_server.url + "/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    page.get_by_label("Arms control").check()  # an htmx swap
    expect(page).to_have_url(re.compile(r"theme=arms-control"))
    expect(page.locator("#results .summary")).to_contain_text("Arms control")
    page.locator("#results .event h3 a").first.click()
    expect(page.locator("h1")).to_be_visible()
    page.goto(timeline_server.url + "/essays/")
    assert console_errors == []


def test_editing_and_history_in_the_admin_run_within_the_policy(
    page, timeline_server, console_errors
):
    User.objects.create_superuser("ada", password=PASSWORD)
    event = Event.objects.get(slug="magnitsky-act")
    original_title = event.title
    page.goto(timeline_server.url + "/admin/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Timeline data")).to_be_visible()

    page.goto(f"{timeline_server.url}/admin/timeline/event/{event.pk}/change/")
    page.locator("#id_title").fill("Renamed in the browser")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{timeline_server.url}/admin/timeline/event/{event.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("ada")
    page.locator("#change-history a", has_text=original_title).last.click()
    page.get_by_role("button", name="Revert").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Event.objects.get(pk=event.pk).title == original_title
    assert console_errors == []
