"""The timeline in another site's page: a host page served from a second origin frames the
embed, which renders, opens an event inside the frame and announces its height; a page that
is not the embed refuses to render in a frame."""

import http.server
import re
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_timeline import serious_violations

EMBEDDED = "/embed/?theme=arms-control&from=2009&to=2014"


@pytest.fixture
def host_page():
    """Serves, from 127.0.0.1 on a port of its own (another origin than the live server's
    localhost), a course page framing the address it is given; it records the heights the
    frames post."""
    pages = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def framing(src, name="course"):
        pages[f"/{name}.html"] = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Week 6</title><link rel="icon" href="data:,"></head><body><h1>Week 6: arms control</h1>
<iframe id="timeline" src="{src}" width="1000" height="400" title="Relations Timeline"></iframe>
<script>
window.heights = [];
addEventListener("message", (e) => {{
  if (e.data && e.data.type === "relations-timeline:height") {{
    window.heights.push(e.data.height);
    document.getElementById("timeline").height = e.data.height;
  }}
}});
</script></body></html>"""
        return f"http://127.0.0.1:{server.server_port}/{name}.html"

    yield framing
    server.shutdown()


def test_a_course_page_on_another_site_shows_the_live_timeline_and_sizes_its_frame(
    page, timeline_server, host_page, console_errors, screenshot
):
    assert urlsplit(timeline_server.url).hostname != "127.0.0.1"  # two origins
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(host_page(timeline_server.url + EMBEDDED))
    frame = page.frame_locator("#timeline")
    expect(frame.locator(".embed-summary")).to_contain_text("Arms control")
    expect(frame.locator("#axis .axis-scroll")).to_be_visible()
    # At the code's default width the whole axis shows, without scrolling.
    hidden = frame.locator("#axis .axis-scroll").evaluate("e => e.scrollWidth - e.clientWidth")
    assert hidden <= 0
    expect(frame.locator("article[data-event-slug='new-start-signed']")).to_be_visible()
    # The frame announces its height, and the page sizes the frame to it: no inner scroll.
    # (Waited for, not read once: a late font or image may move the height, and post again.)
    page.wait_for_function(
        "window.heights.length > 0"
        " && document.getElementById('timeline').clientHeight === window.heights.at(-1)"
    )
    posted = page.evaluate("window.heights.at(-1)")
    inner = frame.locator("body").evaluate("body => body.getBoundingClientRect().height")
    assert abs(posted - inner) <= 1
    screenshot("embed-in-a-course-page")

    # Choosing an event opens it inside the frame; the frame takes its new height.
    before = len(page.evaluate("window.heights"))
    frame.locator("article[data-event-slug='new-start-signed'] h3 a").click()
    expect(frame.locator("#panel-title")).to_have_text("New START signed in Prague")
    frame_url = page.frame(url=lambda url: "/embed/" in url).url
    assert "event=new-start-signed" in frame_url and "theme=arms-control" in frame_url
    assert page.url.startswith("http://127.0.0.1")  # the host page stays
    page.wait_for_function(f"window.heights.length > {before}")
    # Back to the list, inside the frame still.
    frame.locator("#embed-back").click()
    expect(frame.locator("#panel-title")).to_have_count(0)
    assert console_errors == []


def test_pages_other_than_the_embed_refuse_to_render_in_a_frame(page, timeline_server, host_page):
    page.goto(host_page(timeline_server.url + "/?theme=arms-control", name="framed-site"))
    page.wait_for_load_state("load")
    framed = page.frame_locator("#timeline")
    page.wait_for_timeout(300)  # time for a page that would render to do so
    expect(framed.locator("#timeline, .site-header")).to_have_count(0)
    page.goto(host_page(timeline_server.url + EMBEDDED, name="framed-embed"))
    expect(page.frame_locator("#timeline").locator(".embed-summary")).to_be_visible()


@pytest.mark.parametrize("width", [320, 480, 800, 1200])
def test_the_embed_fits_any_frame_width_from_320_to_1200(page, timeline_server, width):
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(timeline_server.url + EMBEDDED + "&controls=1")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # The summary and the way to the site stay on screen, not under each other's text.
    summary = page.locator(".embed-summary").bounding_box()
    open_link = page.locator(".embed-open").bounding_box()
    assert summary["x"] >= 0 and open_link["x"] + open_link["width"] <= width
    overlap_x = min(summary["x"] + summary["width"], open_link["x"] + open_link["width"]) - max(
        summary["x"], open_link["x"]
    )
    overlap_y = min(summary["y"] + summary["height"], open_link["y"] + open_link["height"]) - max(
        summary["y"], open_link["y"]
    )
    assert overlap_x <= 0 or overlap_y <= 0
    # The search box, asked for, fits beside its button.
    search = page.locator("#embed-q").bounding_box()
    assert search["width"] >= 120 and search["x"] + search["width"] <= width


def test_a_shared_links_picture_is_the_views_axis_as_a_browser_decodes_it(page, timeline_server):
    page.goto(timeline_server.url + "/?theme=arms-control&from=2009&to=2014")
    image = page.locator("meta[property='og:image']").get_attribute("content")
    assert image == timeline_server.url + "/preview.png?theme=arms-control&from=2009&to=2014"
    size = page.evaluate(
        """async (src) => {
            const image = new Image();
            image.src = src;
            await image.decode();
            return [image.naturalWidth, image.naturalHeight];
        }""",
        image,
    )
    assert size == [1200, 630]


def test_the_embed_is_accessible(page, timeline_server):
    for path in (
        EMBEDDED + "&controls=1",
        EMBEDDED + "&event=new-start-signed",
        "/embed/code/?theme=arms-control",
    ):
        page.goto(timeline_server.url + path)
        assert serious_violations(page) == [], path


def test_embed_this_view_opens_a_dialog_whose_code_follows_the_choices_and_copies(
    page, context, timeline_server, console_errors, screenshot
):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(timeline_server.url + "/?theme=arms-control")
    page.get_by_role("link", name="Embed this view").click()
    dialog = page.locator("#embed-dialog")
    expect(dialog).to_be_visible()
    code = dialog.locator("#embed-code-text")
    expect(code).to_have_value(
        f'<iframe src="{timeline_server.url}/embed/?theme=arms-control" width="1000" '
        'height="640" title="Relations Timeline: 45 events · 1987–2026 · Arms control · cited '
        'by 5 essays" loading="lazy" style="border:0;max-width:100%"></iframe>'
    )
    assert page.url == timeline_server.url + "/?theme=arms-control"  # the page stays
    dialog.get_by_label("Width").select_option("480")
    expect(code).to_have_value(re.compile('width="480"'))  # the dialog's body swapped anew
    dialog.get_by_label("Events open in a new tab").check()
    # The code as it is to be pasted: HTML, its ampersand written as one.
    expect(code).to_have_value(
        f'<iframe src="{timeline_server.url}/embed/?theme=arms-control&amp;target=top" '
        'width="480" height="640" title="Relations Timeline: 45 events · 1987–2026 · '
        'Arms control · cited by 5 essays" loading="lazy" '
        'style="border:0;max-width:100%"></iframe>'
    )
    preview = dialog.locator(".embed-preview iframe")
    expect(preview).to_have_attribute("width", "480")
    expect(page.frame_locator(".embed-preview iframe").locator(".embed-summary")).to_be_visible()
    dialog.get_by_role("button", name="Copy the code").click()
    expect(dialog.locator(".embed-copied")).to_have_text("Copied: paste it into your page.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == dialog.locator("#embed-code-text").input_value()
    screenshot("embed-dialog", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert console_errors == []
