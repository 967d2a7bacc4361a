"""The events' pieces kept per data version are shared by a worker's threads: one thread
emptying them while another reads must never lose an event from a page."""

import sys
import threading
from types import SimpleNamespace

from timeline import cards, snapshot


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
