"""Property-based tests (hypothesis): any value of any public query or path parameter gets a
page or a clear 4xx, never a server error, and is never echoed as markup.

How many examples each test tries is set by the "timeline" profile in conftest.py.
"""

import json
import re
from urllib.parse import quote

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from timeline.links import timeline_urls

pytestmark = pytest.mark.django_db

# Marked-up strings a reflected-XSS bug would let through verbatim; each is distinctive
# enough that finding it raw in a page can only mean the input was echoed unescaped.
PROBES = [
    "<script>probe()</script>",
    '"><b id=probe>',
    "' onmouseover='probe()",
    "<img src=x onerror=probe()>",
    "</title><svg onload=probe()>",
]
KNOWN = {
    "theme": ["arms-control", "human-rights"],
    "period": ["the-reset", "putins-return"],
    "essay": ["weitz", "valdai"],
    "stance": ["cooperation", "confrontation", "mixed"],
    "from": ["2011", "2012-05", "2012-05-07", "1700", "0001", "9999-12-31", "2012-02-30"],
    "to": ["2013", "2013-13", "-1", "2013-05-07T00:00", "2100-12-31", "4400-1"],
    "page": ["1", "2", "0", "-1", "99999999999999999999", "1e3", "last"],
    "q": ["START", "Magnitsky Act", "%", "_", "' OR 1=1 --", "\\"],
    "event": ["new-start", "magnitsky-act", "nunn-lugar", "no-such-event", ""],
}
FILTERS = list(KNOWN)

probe = st.sampled_from(PROBES)
short_text = st.text(max_size=12)
value = st.one_of(
    st.text(max_size=60),
    st.builds(lambda before, p, after: before + p + after, short_text, probe, short_text),
    st.sampled_from([v for values in KNOWN.values() for v in values]),
)
# Any subset of the filters, each with one value or (repeated) several.
query = st.dictionaries(st.sampled_from(FILTERS), st.lists(value, min_size=1, max_size=3))


def assert_handled(response):
    assert response.status_code < 500, response.content[:500]
    assert response.status_code == 200 or 400 <= response.status_code < 500


def assert_not_echoed(response):
    body = response.content.decode()
    for text in PROBES:
        assert text not in body, f"{text!r} echoed unescaped"


@given(params=query)
def test_timeline_page_survives_any_filters(client, small_timeline, params):
    response = client.get("/", params)
    assert_handled(response)
    assert_not_echoed(response)


@given(params=query)
def test_timeline_fragment_survives_any_filters(client, small_timeline, htmx_headers, params):
    response = client.get("/", params, headers=htmx_headers)
    assert_handled(response)
    assert_not_echoed(response)
    if response.status_code == 200:
        assert 'id="results"' in response.text
        assert "<html" not in response.text  # the fragment, not the whole page


@given(params=query)
def test_event_panel_survives_any_filters(client, small_timeline, params):
    headers = {"HX-Request": "true", "HX-Target": "event-panel"}
    response = client.get("/", params, headers=headers)
    assert_handled(response)
    assert_not_echoed(response)
    if response.status_code == 200:
        assert response.text.lstrip().startswith('<aside id="event-panel"')


@given(params=query)
def test_json_export_survives_any_filters(client, small_timeline, params):
    response = client.get("/export/events.json", params)
    assert_handled(response)
    if response.status_code == 200:
        # Served as JSON, which a browser with nosniff never renders as a page.
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        payload = json.loads(response.content)
        assert payload["count"] == len(payload["events"])


segment = st.one_of(
    st.text(min_size=1, max_size=40),
    st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True),
    st.builds(lambda p, after: p + after, probe, short_text),
    st.sampled_from(["new-start", "weitz", "..", "%00", "a" * 500]),
)


@pytest.mark.parametrize("prefix", ["/events/", "/essays/"])
@given(slug=segment)
def test_detail_pages_survive_any_slug(client, small_timeline, prefix, slug):
    response = client.get(f"{prefix}{quote(slug, safe='')}/")
    assert response.status_code in {200, 404}
    assert_not_echoed(response)


@pytest.mark.parametrize("params", [{"to": "9999-1"}, {"from": "0201"}, {"to": "4400"}])
def test_a_year_far_outside_the_timeline_is_ignored_with_a_notice(client, small_timeline, params):
    response = client.get("/", params)
    assert response.status_code == 200
    assert "is outside the years 1700–2100, so it was ignored." in response.text


@given(params=query, year=st.integers(1987, 2026), period=value)
def test_timeline_links_hold_nothing_html_reads_but_the_ampersand(params, year, period):
    # Links of the axis to the timeline hold no quote or bracket that an attribute could end on.
    filters = QueryDict(mutable=True)
    for name, values in params.items():
        filters.setlist(name, values)
    url_for = timeline_urls(filters)
    for url in (url_for(**{"from": str(year), "to": str(year)}), url_for(period=period)):
        assert re.fullmatch(r"[A-Za-z0-9_.~%+=&/?-]*", url), url
