"""Two app servers on one PostgreSQL database and one Redis: what one renders the other
serves, and an edit saved through one is what the other serves on the very next request."""

import pickle
import threading
from html import escape

from .conftest import ADMIN, ADMIN_PASSWORD

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def test_a_fragment_rendered_by_one_server_is_served_by_the_other(deployment):
    first, second = deployment.servers
    url = "/?from=1991&to=1993"
    before = deployment.cached_keys()
    rendered = first.visitor().get(url, **HTMX)
    assert rendered.status == 200
    (key,) = deployment.cached_keys() - before
    # Marked in Redis: the other server can only send the mark if it reads the shared copy.
    marked = pickle.loads(deployment.cache.get(key)) + "<!-- kept in Redis -->"
    deployment.cache.set(key, pickle.dumps(marked), keepttl=True)

    served = second.visitor().get(url, **HTMX)
    assert served.status == 200
    assert served.text == marked
    assert deployment.cached_keys() - before == {key}


def test_an_edit_saved_through_one_server_is_served_by_the_other_at_once(deployment):
    first, second = deployment.servers
    pk, slug, year = deployment.sql(
        "SELECT id, slug, EXTRACT(YEAR FROM start)::int FROM timeline_event ORDER BY id LIMIT 1"
    )[0]
    url = f"/?from={year}&to={year}"
    reader = second.visitor()
    page = reader.get(url)
    assert page.status == 200
    assert reader.get(url, **HTMX).status == 200  # the fragment too, now in the cache
    assert reader.get(f"/events/{slug}/").status == 200

    editor = first.visitor()
    assert editor.log_in(ADMIN, ADMIN_PASSWORD).status == 302
    title = "Edited through the first app server"
    assert editor.save_event(pk, title=title).status == 302

    again = reader.get(url, **{"If-None-Match": page.headers["ETag"]})
    assert again.status == 200, "the other server answered with the old ETag's 304"
    assert again.headers["ETag"] != page.headers["ETag"]
    assert title in again.text
    assert title in reader.get(url, **HTMX).text
    assert title in reader.get(f"/events/{slug}/").text


def test_every_kind_of_record_saved_through_one_server_shows_on_the_other_at_once(deployment):
    """A theme, a period, an essay, a citation, an event's link and its related event, each
    saved through the first server, on the second's pages that show them, on the next
    request: whether a save updates the other's snapshot by what it changed or loads it
    whole."""
    first, second = deployment.servers
    editor, reader = first.visitor(), second.visitor()
    assert editor.log_in(ADMIN, ADMIN_PASSWORD).status == 302
    (period,) = deployment.sql("SELECT id FROM timeline_period ORDER BY start LIMIT 1")[0]
    essay, essay_slug = deployment.sql("SELECT id, slug FROM timeline_essay ORDER BY id LIMIT 1")[0]
    citation, event_slug, theme = deployment.sql(
        "SELECT citation.id, event.slug, event.main_theme_id FROM timeline_citation citation "
        "JOIN timeline_event event ON event.id = citation.event_id WHERE citation.essay_id = %s "
        "ORDER BY citation.id LIMIT 1",
        essay,
    )[0]
    timeline, event_page = "/", f"/events/{event_slug}/"
    for url in (timeline, event_page, "/essays/", f"/essays/{essay_slug}/"):
        assert reader.get(url).status == 200  # each server holds this version's snapshot
    edits = [
        ("theme", theme, {"name": "Theme renamed on the first server"}, [timeline, event_page]),
        ("period", period, {"name": "Period renamed on the first server"}, [timeline]),
        ("essay", essay, {"title": "Essay retitled on the first server"}, ["/essays/", event_page]),
        ("citation", citation, {"quote": "Quotation edited on the first server."}, [event_page]),
    ]
    for model, pk, changes, pages in edits:
        response = editor.save_in_admin(model, pk, **changes)
        assert response.status == 302, f"saving the {model} answered {response.status}"
        shown = next(iter(changes.values()))
        for url in pages:
            assert shown in reader.get(url).text, f"the {model}'s change is not on {url}"

    # An event's link and its related event, inlines of the event's form.
    linked, linked_slug = deployment.sql(
        "SELECT event.id, event.slug FROM timeline_event event WHERE (SELECT COUNT(*) FROM "
        "timeline_eventlink link WHERE link.event_id = event.id) = 1 ORDER BY event.id LIMIT 1"
    )[0]
    relating, relating_slug, new_related, new_related_slug, new_related_title = deployment.sql(
        "SELECT event.id, event.slug, other.id, other.slug, other.title FROM timeline_event "
        "event, timeline_event other WHERE (SELECT COUNT(*) FROM timeline_eventrelation "
        "relation WHERE relation.from_event_id = event.id) = 1 AND other.id <> event.id AND "
        "NOT EXISTS (SELECT 1 FROM timeline_eventrelation relation WHERE relation.to_event_id "
        "= other.id OR relation.from_event_id = other.id) ORDER BY event.id, other.id LIMIT 1"
    )[0]
    for url in (f"/events/{linked_slug}/", f"/events/{relating_slug}/"):
        assert reader.get(url).status == 200
    title = "Link retitled on the first server"
    assert editor.save_event(linked, **{"links-0-title": title}).status == 302
    assert title in reader.get(f"/events/{linked_slug}/").text
    saved = editor.save_event(relating, **{"relations_out-0-to_event": str(new_related)})
    assert saved.status == 302
    assert escape(new_related_title) in reader.get(f"/events/{relating_slug}/").text
    relating_title = deployment.sql("SELECT title FROM timeline_event WHERE id = %s", relating)
    assert escape(relating_title[0][0]) in reader.get(f"/events/{new_related_slug}/").text


def test_an_edit_keeps_the_other_servers_pages_it_cannot_show_on(deployment):
    """An event of the 1990s saved through the first server: on the second, the fragments of
    its years and the page of an essay citing it change at once; the fragment of 2010–2012
    and the page of an essay not citing it answer their old ETags with a 304."""
    first, second = deployment.servers
    editor, reader = first.visitor(), second.visitor()
    assert editor.log_in(ADMIN, ADMIN_PASSWORD).status == 302
    pk, year, citing, other = deployment.sql(
        "SELECT event.id, EXTRACT(YEAR FROM event.start)::int, citing.slug, other.slug "
        "FROM timeline_event event JOIN timeline_citation citation ON citation.event_id = "
        "event.id JOIN timeline_essay citing ON citing.id = citation.essay_id, timeline_essay "
        "other WHERE event.span_end < '2000-01-01' AND NOT EXISTS (SELECT 1 FROM "
        "timeline_citation cited WHERE cited.essay_id = other.id AND cited.event_id = event.id) "
        "ORDER BY event.start, other.id LIMIT 1"
    )[0]
    pages = {
        "its years": (f"/?from={year}&to={year}", HTMX),
        "2010–2012": ("/?from=2010&to=2012", HTMX),
        "essay citing it": (f"/essays/{citing}/", {}),
        "essay not citing it": (f"/essays/{other}/", {}),
    }
    etags = {
        name: reader.get(url, **headers).headers["ETag"] for name, (url, headers) in pages.items()
    }
    title = "Retitled on the first server"
    assert editor.save_event(pk, title=title).status == 302
    again = {
        name: reader.get(url, **headers, **{"If-None-Match": etags[name]})
        for name, (url, headers) in pages.items()
    }
    assert again["its years"].status == 200 and title in again["its years"].text
    assert again["essay citing it"].status == 200 and title in again["essay citing it"].text
    assert again["2010–2012"].status == 304
    assert again["essay not citing it"].status == 304


def test_writers_across_both_servers_lose_nothing(deployment):
    """Editors save events through both servers while readers fetch pages from both; after
    each save the other server shows it, and in the end every save is in the history."""
    events = deployment.sql("SELECT id, slug FROM timeline_event ORDER BY id LIMIT 4 OFFSET 20")
    saves = 4
    problems, stop = [], threading.Event()

    def edit(number, pk, slug):
        first, second = (server.visitor() for server in deployment.servers)
        assert first.log_in(ADMIN, ADMIN_PASSWORD).status == 302
        second.cookies = first.cookies  # one session, valid on every server
        for save in range(saves):
            writer, reader = (first, second) if (number + save) % 2 else (second, first)
            title = f"Load run editor {number} save {save}"
            if (status := writer.save_event(pk, title=title).status) != 302:
                problems.append(f"save {title!r} answered {status}")
            if title not in reader.get(f"/events/{slug}/").text:
                problems.append(f"the other server did not show {title!r}")

    def read(number):
        visitors = [server.visitor() for server in deployment.servers]
        request = 0
        while not stop.is_set():
            request += 1
            url = f"/?from={1990 + request % 30}"
            response = visitors[(number + request) % 2].get(url, **HTMX)
            if response.status != 200:
                problems.append(f"{url} answered {response.status}")

    def recording(work, *args):
        try:
            work(*args)
        except Exception as error:
            problems.append(f"{type(error).__name__}: {error}")

    editors = [
        threading.Thread(target=recording, args=(edit, number, pk, slug))
        for number, (pk, slug) in enumerate(events)
    ]
    readers = [threading.Thread(target=recording, args=(read, number)) for number in range(2)]
    for thread in editors + readers:
        thread.start()
    for thread in editors:
        thread.join()
    stop.set()
    for thread in readers:
        thread.join()

    assert problems == []
    for number, (pk, slug) in enumerate(events):
        kept = {
            title
            for (title,) in deployment.sql(
                "SELECT title FROM timeline_historicalevent WHERE id = %s", pk
            )
        }
        written = {f"Load run editor {number} save {save}" for save in range(saves)}
        assert written <= kept, f"saves lost from the history of event {pk}"
        last = f"Load run editor {number} save {saves - 1}"
        assert deployment.sql("SELECT title FROM timeline_event WHERE id = %s", pk) == [(last,)]
        for server in deployment.servers:
            assert last in server.visitor().get(f"/events/{slug}/").text
