"""The TimelineJS export replayed in TimelineJS3 itself.

TimelineJS comes from npm (tests/browser/timelinejs, installed by `make timelinejs`) and is
served to the page through Playwright routes on the live server's own origin, so the page
loads the export from the app like any embed would, and nothing comes from a CDN.
"""

import datetime
import json
import mimetypes
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import EventFactory, PeriodFactory, ThemeFactory

DIST = (
    Path(__file__).resolve().parent
    / "timelinejs"
    / "node_modules"
    / "@knight-lab"
    / "timelinejs"
    / "dist"
)
PREFIX = "/_timelinejs/"
REPLAY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Replay</title>
<link rel="stylesheet" href="%(prefix)scss/timeline.css">
<script src="%(prefix)sjs/timeline.js"></script>
</head><body>
<div id="timeline-embed" style="width: 1200px; height: 650px"></div>
<script>
  window.timeline = new TL.Timeline("timeline-embed", %(source)s, {
    script_path: location.origin + "%(prefix)sjs/",
    hash_bookmark: false
  });
</script>
</body></html>
"""


@pytest.fixture(autouse=True)
def timelinejs_installed():
    """Skip without TimelineJS, before any browser or server starts; under CI, fail."""
    if not (DIST / "js" / "timeline.js").exists():
        message = (
            "TimelineJS is not installed in tests/browser/timelinejs: run 'make timelinejs' "
            "(it needs Node.js 20+ and npm, e.g. 'apt-get install nodejs npm')"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI needs TimelineJS for the browser tests. {message}.")
        pytest.skip(message)


@pytest.fixture
def timelinejs(page, timeline_server):
    """Serve TimelineJS's dist files and a replay page; returns a function opening a view."""
    sources = {}

    def serve(route):
        path = route.request.url.split(PREFIX, 1)[1].split("?")[0]
        if path in sources:
            body = REPLAY_PAGE % {"source": json.dumps(sources[path]), "prefix": PREFIX}
            return route.fulfill(body=body, content_type="text/html; charset=utf-8")
        file = (DIST / path).resolve()
        if not file.is_relative_to(DIST) or not file.is_file():
            return route.fulfill(status=404, body="not in TimelineJS's dist")
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return route.fulfill(body=file.read_bytes(), content_type=content_type)

    page.route(f"{timeline_server.url}{PREFIX}**", serve)

    def replay(query=""):
        """Open the export of the timeline view ``query`` in TimelineJS; return its data."""
        source = "/export/timelinejs.json" + (f"?{query}" if query else "")
        data = page.request.get(timeline_server.url + source).json()
        name = f"replay-{len(sources)}.html"
        sources[name] = source
        page.goto(f"{timeline_server.url}{PREFIX}{name}")
        return data

    return replay


def marker_ids(page):
    return page.eval_on_selector_all(".tl-timemarker", "markers => markers.map(m => m.id)")


def test_the_whole_timeline_replays_with_one_marker_per_event(page, timelinejs, screenshot):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    data = timelinejs()
    slugs = [slide["unique_id"] for slide in data["events"]]
    assert len(slugs) > 50
    expect(page.locator(".tl-timemarker")).to_have_count(len(slugs))
    assert sorted(marker_ids(page)) == sorted(f"{slug}-marker" for slug in slugs)
    # The title slide opens, and the main themes became TimelineJS's groups.
    expect(page.locator(".tl-slide-titleslide .tl-headline")).to_contain_text("U.S.–Russia")
    groups = {slide["group"] for slide in data["events"]}
    expect(page.locator(".tl-timegroup")).to_have_count(len(groups))
    page.wait_for_timeout(1500)  # let its animations settle, for the screenshot only
    screenshot("timelinejs-replay")
    assert errors == []


def test_a_filtered_view_replays_and_its_slides_show_our_text(page, timelinejs):
    data = timelinejs("theme=arms-control&from=2009&to=2014")
    slugs = [slide["unique_id"] for slide in data["events"]]
    assert 2 < len(slugs) < 30
    expect(page.locator(".tl-timemarker")).to_have_count(len(slugs))
    assert sorted(marker_ids(page)) == sorted(f"{slug}-marker" for slug in slugs)
    target = next(slide for slide in data["events"] if slide["unique_id"].startswith("new-start"))
    # TimelineJS's own navigation (what clicking its marker does, wherever it is scrolled).
    page.evaluate("slug => window.timeline.goToId(slug)", target["unique_id"])
    expect(page.locator(f"#{target['unique_id']}-marker")).to_have_class(
        re.compile("tl-timemarker-active")
    )
    slide = page.locator(f"#{target['unique_id']}")
    expect(slide.locator(".tl-headline")).to_have_text(target["text"]["headline"])
    expect(slide.locator(".tl-headline-date")).to_have_text(target["display_date"])


HOSTILE = [
    "<img src=x onerror=alert(document.domain)>",
    "&lt;img src=x onerror=alert(document.domain)&gt;",
    "<script>alert(1)</script>",
    "&amp;lt;svg onload=alert(2)&amp;gt;",
]


def test_hostile_names_in_every_field_replay_as_text_and_run_nothing(page, timelinejs):
    """What an editor may type into any field TimelineJS shows never runs as script in a page
    embedding the export; the group and headline show exactly what was typed."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    events, themes = [], []
    for number, hostile in enumerate(HOSTILE):
        theme = ThemeFactory(name=f"Energy {number} {hostile}")
        themes.append(theme)
        PeriodFactory(
            name=f"Era {hostile}",
            start=datetime.date(2000 + 2 * number, 1, 1),
            end=datetime.date(2001 + 2 * number, 12, 31),
        )
        events.append(
            EventFactory(
                title=f"Title {hostile}",
                summary=f"Summary {hostile} [link](javascript:alert(3)) <b onclick=alert(4)>b</b>",
                main_theme=theme,
                themes=[theme],
                start=datetime.date(2000 + 2 * number, 6, 1),
            )
        )
    timelinejs("&".join(f"theme={theme.slug}" for theme in themes))
    expect(page.locator(".tl-timemarker")).to_have_count(len(events))
    groups = page.locator(".tl-timegroup-message")
    expect(groups).to_have_count(len(HOSTILE))
    assert sorted(groups.all_text_contents()) == sorted(
        f"Energy {number} {hostile}" for number, hostile in enumerate(HOSTILE)
    )
    for event in events:
        page.evaluate("slug => window.timeline.goToId(slug)", event.slug)
        expect(page.locator(f"#{event.slug} .tl-headline")).to_have_text(event.title)
    page.wait_for_timeout(500)  # any injected handler would have fired by now
    assert dialogs == []
    assert page.locator(".tl-timeline img[src='x'], .tl-timeline svg[onload]").count() == 0
    era_texts = " ".join(page.locator(".tl-timeera").all_inner_texts())
    assert all(f"Era {hostile}" in era_texts for hostile in HOSTILE)
