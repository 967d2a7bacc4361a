"""The events' pieces, kept per data version, are shared by a worker's threads: one thread
emptying them while another reads must never lose an event from a page. Those not kept are
read in one statement whatever their number."""

import sys
import threading
from types import SimpleNamespace

from django.db import connection

from timeline import cards, snapshot, versioning
from timeline.models import Event
from timeline.snapshot import Snapshot


def test_many_threads_keep_getting_every_event_while_the_kept_pieces_fill_and_empty(
    monkeypatch,
):
    monkeypatch.setattr(snapshot, "MAX_KEPT_EVENTS", 4)
    # Pieces made without a database, each naming its event, so a wrong one shows.
    monkeypatch.setattr(
        snapshot,
        "read_pieces",
        lambda rows, choices: {
            row["pk"]: cards.Pieces(citations=0, themes=[], summary=str(row["pk"])) for row in rows
        },
    )
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as the interpreter allows
    choices = SimpleNamespace(pieces={})
    failures = []

    def read_pages(first):
        try:
            for turn in range(3_000):
                rows = [{"pk": (first + turn + step) % 11} for step in range(3)]
                pieces = snapshot.event_pieces(rows, choices)
                assert [pieces[row["pk"]].summary for row in rows] == [
                    str(row["pk"]) for row in rows
                ]
        except Exception as error:  # any error is the finding
            failures.append(repr(error))

    try:
        threads = [threading.Thread(target=read_pages, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch_interval)
    assert failures == []
    # Bounded: past the limit at most by what the threads added between check and update.
    assert len(choices.pieces) <= snapshot.MAX_KEPT_EVENTS + len(threads) * 3


def test_the_pieces_of_any_number_of_events_are_asked_for_in_the_same_statement(curated):
    # One text whatever the count, the ids one parameter per part: PostgreSQL's client parses
    # the text once, and quoting 150 parameters cost 0.3 ms a page.
    rows = list(Event.objects.order_by("id").values("pk", "main_theme_id"))
    choices = Snapshot.for_version(versioning.current()[0])
    executed = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    for count in (3, 40):
        with connection.execute_wrapper(record):
            pieces = cards.read_pieces(rows[:count], choices)
        assert sorted(pieces) == [row["pk"] for row in rows[:count]]
        assert all(piece.summary and piece.themes for piece in pieces.values())
    (first, first_params), (second, second_params) = executed
    assert first == second
    assert len(first_params) == len(second_params) == 3
