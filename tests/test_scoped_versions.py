"""A change invalidates only what can show it: the timeline's results of date windows it
cannot appear in, and the pages of essays that do not cite what changed, keep their cached
rendering and their ETag; everything that shows the change is new at once."""

import datetime
import random
import re
from unittest import mock

import pytest
from django.core.cache.backends.dummy import DummyCache

from tests.factories import CitationFactory, EssayFactory, random_edit
from timeline import snapshot as snapshot_module
from timeline import versioning
from timeline.models import Citation, Essay, Event, Period, Theme
from timeline.scoped_versions import KEPT_TOUCHES, History, Touch, tag_of

FRAGMENT = {"HX-Request": "true", "HX-Target": "results"}
# Random edits per seed: each checks every page twice (served, and rendered afresh).
EDITS = 8
WINDOWS = [
    "/?from=2010&to=2012",
    "/?from=1990&to=1991",
    "/?theme=arms-control&from=2000&to=2005",
    "/?q=treaty&from=2009&to=2011",
    "/?from=2021-03&to=2021-06",
    "/?stance=confrontation&from=2014",
    "/?to=1995",
    "/",
]


def day(text):
    return datetime.date.fromisoformat(text)


def touch(number, *spans, essays=()):
    changed_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        seconds=number
    )
    return Touch(
        tag_of(number, changed_at),
        changed_at,
        frozenset((day(first), day(last)) for first, last in spans),
        frozenset(essays),
    )


def test_a_window_takes_the_version_of_the_last_change_overlapping_it():
    history = History.loaded_at("7.1000000").after(
        [
            touch(8, ("1990-05-01", "1990-05-01")),
            touch(9, ("2011-01-01", "2013-06-30"), ("1999-01-01", "1999-01-01")),
            touch(10, ("1990-01-01", "1990-12-31")),
        ]
    )
    assert history.version_between(day("2012-01-01"), day("2012-12-31"))[0].startswith("9.")
    # A span ending on the window's first day, or starting on its last, shows in it.
    assert history.version_between(day("2013-06-30"), None)[0].startswith("9.")
    assert history.version_between(None, day("1990-01-01"))[0].startswith("10.")
    assert history.version_between(day("2013-07-01"), None) == history.version_between(
        day("2020-01-01"), day("2020-12-31")
    )
    assert history.version_between(day("2020-01-01"), day("2020-12-31"))[0] == "7.1000000"
    assert history.version_between(None, None)[0].startswith("10.")


def test_an_essay_takes_the_version_of_the_last_change_to_what_it_cites():
    history = History.loaded_at("3.5").after([touch(4, essays={1, 2}), touch(5, essays={2})])
    assert history.version_of_essay(1)[0].startswith("4.")
    assert history.version_of_essay(2)[0].startswith("5.")
    assert history.version_of_essay(3)[0] == "3.5"


def test_past_the_kept_changes_the_oldest_stand_on_the_last_of_them_let_go():
    touches = [touch(number, ("2000-01-01", "2000-01-01")) for number in range(KEPT_TOUCHES + 5)]
    history = History.loaded_at("0.0").after(touches[:10]).after(touches[10:])
    assert len(history.touches) == KEPT_TOUCHES
    assert history.tag == touches[4].tag
    # Nothing kept overlaps 1995: the version of the last change let go stands for them.
    assert history.version_between(day("1995-01-01"), day("1995-12-31"))[0] == touches[4].tag


def fragment(client, url, etag=None):
    headers = {**FRAGMENT, **({"If-None-Match": etag} if etag else {})}
    return client.get(url, headers=headers)


def rendered_afresh(client, url, headers):
    """``url`` as a process that has just started renders it: nothing cached, the snapshot
    loaded whole."""
    with (
        mock.patch.dict(snapshot_module._loaded, clear=True),
        mock.patch("timeline.views.timeline.cache", DummyCache("fresh", {})),
    ):
        return client.get(url, headers=headers)


def without_nonces(content: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]*"', b"", content)


@pytest.mark.parametrize("seed", range(2))
def test_after_any_edit_every_fragment_and_essay_page_is_what_a_fresh_process_renders(
    client, curated, seed
):
    """Random edits of every kind. After each, every fragment and essay page served (from
    the cache where its version allows) is what a process started afresh renders, and its
    ETag is new whenever its content changed."""
    rng = random.Random(seed)
    themes, essays = list(Theme.objects.all()), list(Essay.objects.all())
    period = Period.objects.order_by("start").last()
    pages = [(url, True) for url in [*WINDOWS, f"/?period={period.slug}"]]
    pages += [(f"/essays/{essay.slug}/", False) for essay in essays]
    versioning.bump()  # from a version whose changes are recorded
    seen = {page: client.get(page[0], headers=FRAGMENT if page[1] else {}) for page in pages}
    kept = 0
    for _ in range(EDITS):
        random_edit(rng, themes, essays)
        for page in pages:
            url, headers = page[0], FRAGMENT if page[1] else {}
            served = client.get(url, headers=headers)
            assert served.status_code == 200
            fresh = rendered_afresh(client, url, headers)
            assert without_nonces(served.content) == without_nonces(fresh.content), url
            before = seen[page]
            if without_nonces(served.content) != without_nonces(before.content):
                assert served["ETag"] != before["ETag"], url
            elif served["ETag"] == before["ETag"]:
                kept += 1
            seen[page] = served
    # Most edits fall outside most windows and essays: their pages were kept.
    assert kept >= len(pages) * EDITS // 3


def test_an_edit_in_1990_keeps_the_2010s_fragment_and_shows_in_1990s_at_once(client, curated):
    versioning.bump()
    later, earlier = "/?from=2010&to=2012", "/?from=1989&to=1991"
    later_etag = fragment(client, later)["ETag"]
    earlier_etag = fragment(client, earlier)["ETag"]
    event = Event.objects.filter(start__year=1990).order_by("start").first()
    event.title = "A title an editor just wrote"
    event.save()
    assert fragment(client, later, later_etag).status_code == 304
    changed = fragment(client, earlier, earlier_etag)
    assert changed.status_code == 200
    assert b"A title an editor just wrote" in changed.content


def test_an_event_moved_out_of_a_window_and_into_another_changes_both(client, curated):
    versioning.bump()
    event = Event.objects.filter(start__year=2011, end=None).order_by("start").first()
    left, entered, elsewhere = "/?from=2011&to=2011", "/?from=2004&to=2004", "/?from=2018&to=2018"
    etags = {url: fragment(client, url)["ETag"] for url in (left, entered, elsewhere)}
    assert event.title.encode() in fragment(client, left).content
    event.start = datetime.date(2004, 6, 1)
    event.save()
    left_now, entered_now = fragment(client, left, etags[left]), fragment(client, entered)
    assert left_now.status_code == 200 and event.title.encode() not in left_now.content
    assert entered_now["ETag"] != etags[entered] and event.title.encode() in entered_now.content
    assert fragment(client, elsewhere, etags[elsewhere]).status_code == 304


def test_the_whole_page_and_the_open_events_panel_change_with_any_edit(client, curated):
    """They show more than the results: the event open beside them, wherever it is."""
    versioning.bump()
    far = Event.objects.filter(start__year=1990).order_by("start").first()
    url = f"/?from=2010&to=2012&event={far.slug}"
    page_etag = client.get(url)["ETag"]
    panel_etag = client.get(url, headers={"HX-Request": "true", "HX-Target": "event-panel"})["ETag"]
    far.title = "Retitled while open"
    far.save()
    page = client.get(url, headers={"If-None-Match": page_etag})
    assert page.status_code == 200 and b"Retitled while open" in page.content
    panel = client.get(
        url,
        headers={"HX-Request": "true", "HX-Target": "event-panel", "If-None-Match": panel_etag},
    )
    assert panel.status_code == 200 and b"Retitled while open" in panel.content


def test_an_essays_page_changes_only_with_what_it_cites(client, curated):
    versioning.bump()
    first, second = Essay.objects.order_by("published")[:2]
    cited_by_second_only = (
        Event.objects.filter(citations__essay=second).exclude(citations__essay=first).first()
    )
    pages = {essay: f"/essays/{essay.slug}/" for essay in (first, second)}
    etags = {essay: client.get(url)["ETag"] for essay, url in pages.items()}
    cited_by_second_only.title = "Retitled for the second essay"
    cited_by_second_only.save()
    assert client.get(pages[first], headers={"If-None-Match": etags[first]}).status_code == 304
    second_page = client.get(pages[second], headers={"If-None-Match": etags[second]})
    assert b"Retitled for the second essay" in second_page.content
    # Once the first essay cites it too, the second's page counts two essays for it.
    etags[second] = second_page["ETag"]
    CitationFactory(essay=first, event=cited_by_second_only, quote="Its words, quoted.")
    assert client.get(pages[second], headers={"If-None-Match": etags[second]}).status_code == 200
    assert client.get(pages[first], headers={"If-None-Match": etags[first]}).status_code == 200


def test_a_new_essay_and_its_first_citation_show_at_once(client, curated):
    versioning.bump()
    client.get("/essays/")
    essay = EssayFactory(title="A new essay on the reset")
    event = Event.objects.filter(start__year=2009).first()
    page = client.get(f"/essays/{essay.slug}/")
    assert page.status_code == 200 and b"A new essay on the reset" in page.content
    etag = page["ETag"]
    Citation.objects.create(essay=essay, event=event, quote="Words of the new essay.")
    cited = client.get(f"/essays/{essay.slug}/", headers={"If-None-Match": etag})
    assert cited.status_code == 200 and event.title.encode() in cited.content
