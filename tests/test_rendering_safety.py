"""Whatever an editor types reaches readers as text or as allow-listed Markdown, never as
script: tags, event-handler attributes and javascript: links in a title, summary, quotation
or essay title are neutralised on every page that shows them."""

from html.parser import HTMLParser

import markdown as markdown_lib
import pytest
from django.urls import reverse

from tests.factories import CitationFactory, EssayFactory, EventFactory, ThemeFactory
from timeline.templatetags.timeline import markdown

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
HANDLER = '<img src="x" onerror="alert(1)">'
JS_LINK = "[read more](javascript:alert(1))"


class ActiveContent(HTMLParser):
    """Collects what a browser would run: inline scripts, on* attributes, javascript: URLs."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        runs = attrs.get("type", "text/javascript") in {"text/javascript", "module", ""}
        if tag == "script" and runs and not attrs.get("src"):  # JSON data blocks never run
            self.found.append("inline <script>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and (
                (value or "").strip().lower().replace("\t", "").startswith("javascript:")
            ):
                self.found.append(f"<{tag} {name}={value}>")


@pytest.fixture
def hostile_event(db):
    theme = ThemeFactory(name=f"Arms {SCRIPT}", slug="arms")
    event = EventFactory(
        title=f"Treaty {SCRIPT} {HANDLER}",
        slug="hostile",
        summary=f"Signed. {SCRIPT}\n\n{HANDLER}\n\n{JS_LINK}\n\n"
        "<a href='javascript:alert(2)'>x</a>",
        main_theme=theme,
        aliases=f"Alias {HANDLER}",
        discussion_prompt=f"Why? {SCRIPT}",
    )
    essay = EssayFactory(title=f"Essay {SCRIPT}", slug="essay", authors=f"Ann {HANDLER}")
    CitationFactory(essay=essay, event=event, quote=f"They said {HANDLER} and {SCRIPT}")
    return event


@pytest.mark.parametrize(
    "url, query, htmx",
    [
        ("/", {}, False),
        ("/", {"q": "Treaty"}, True),
        ("/events/hostile/", {}, False),
        ("/essays/", {}, False),
        ("/essays/essay/", {}, False),
        ("/present/", {"slide": "1"}, False),
        ("/handout/", {}, False),
    ],
    ids=["timeline", "fragment", "event", "essays", "essay", "present", "handout"],
)
def test_editor_text_never_becomes_active_content(
    client, hostile_event, htmx_headers, url, query, htmx
):
    response = client.get(url, query, headers=htmx_headers if htmx else {})
    assert response.status_code == 200
    assert ActiveContent(response.text).found == []
    assert "<script>alert" not in response.text
    assert '<img src="x" onerror' not in response.text


def test_the_event_page_shows_the_typed_text_escaped_and_keeps_safe_markdown(client, hostile_event):
    response = client.get(reverse("timeline:event_detail", args=["hostile"]))
    body = response.text
    # The title is shown as typed, as text.
    assert "Treaty &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    # The quotation too.
    assert "They said &lt;img src=”x” onerror=”alert(1)”&gt;" in body  # quotes made curly
    # The Markdown link keeps its words but loses the javascript: target.
    assert "read more" in body


def test_the_admin_lists_editor_text_escaped(admin_client, hostile_event):
    for name in ("timeline_event_changelist", "timeline_theme_changelist"):
        response = admin_client.get(reverse(f"admin:{name}"))
        assert response.status_code == 200
        assert ActiveContent(response.text).found == []
        assert "<script>alert" not in response.text


def test_one_summary_never_leaks_into_the_next_when_the_converter_is_reused():
    """A link reference defined in one editor's text does not resolve in another's."""
    defining = "See [the treaty][t].\n\n[t]: https://example.org/treaty"
    using = "Also [the treaty][t]."
    assert 'href="https://example.org/treaty"' in markdown(defining)
    assert "href" not in markdown(using)
    assert markdown(using) == markdown_lib.markdown(using, extensions=["smarty"])
