"""A save brings each process's snapshot up to date from what it changed (DataChange) instead
of rebuilding it: after any sequence of edits the patched snapshot must equal one loaded
whole, and anything that cannot be patched safely is loaded whole."""

import datetime
import gc
import random

import pytest
from django.db import transaction

from tests.factories import random_edit
from timeline import versioning
from timeline.models import DataChange, Essay, Event, Theme
from timeline.snapshot import Snapshot


def current_snapshot():
    return Snapshot.for_version(versioning.current()[0])


def assert_same_as_loaded(snapshot):
    loaded = Snapshot.load()
    assert snapshot.tallies.by_key == loaded.tallies.by_key
    assert snapshot.tallies.cited == loaded.tallies.cited
    patched, whole = snapshot.figures(), loaded.figures()
    for name in ("events", "first_day", "last_day"):
        assert patched[name] == whole[name], name
    # The longest spans are bounds: never below the events' own.
    assert patched["longest_span"] >= whole["longest_span"]
    for theme, span in whole["longest_span_by_theme"].items():
        assert patched["longest_span_by_theme"][theme] >= span


@pytest.mark.parametrize("seed", range(4))
def test_after_any_edits_the_patched_snapshot_equals_one_loaded_whole(curated, seed):
    rng = random.Random(seed)
    themes, essays = list(Theme.objects.all()), list(Essay.objects.all())
    versioning.bump()  # from a version whose changes are recorded
    current_snapshot()
    patched = 0
    for _ in range(12):
        before = versioning.current()[0]
        previous = current_snapshot()
        kind = random_edit(rng, themes, essays)
        after = versioning.current()[0]
        if after == before:
            continue  # nothing was written
        assert previous.brought_up_to(before, after) is not None, kind
        snapshot = current_snapshot()
        assert_same_as_loaded(snapshot)
        patched += 1
    assert patched >= 8


def test_a_changed_event_is_listed_anew_and_the_others_stay_kept(curated):
    versioning.bump()
    snapshot = current_snapshot()
    snapshot.pieces.update({event.pk: object() for event in Event.objects.all()[:20]})
    changed = Event.objects.order_by("id")[3]
    changed.title = "A title changed by an editor"
    changed.save()
    patched = current_snapshot()
    assert patched is not snapshot
    assert changed.pk not in patched.pieces
    assert len(patched.pieces) == 19


def test_a_title_edit_leaves_the_tallies_and_a_stance_edit_or_a_delete_counts_anew(curated):
    versioning.bump()
    snapshot = current_snapshot()
    event = Event.objects.order_by("id")[5]
    event.title = "A title corrected by an editor"
    event.save()
    retitled = current_snapshot()
    assert retitled is not snapshot
    assert retitled.tallies is snapshot.tallies  # nothing they count changed: not read again
    event.stance = "mixed" if event.stance != "mixed" else "cooperation"
    event.save()
    restanced = current_snapshot()
    assert restanced.tallies is not retitled.tallies
    assert_same_as_loaded(restanced)
    event.title = "A title corrected twice"
    event.save()
    event.delete()  # the same instance, as stored before its last save: still counted
    assert_same_as_loaded(current_snapshot())


def test_what_a_snapshot_keeps_is_left_out_of_the_garbage_collectors_passes(curated, client):
    # Each full pass walks every item of every list still tracked: at 100,000 events the
    # tallies' lists made each pass take 60 ms, a stall for the reader it fell on.
    versioning.bump()
    client.get("/")  # the list entries of the first page are kept
    event = Event.objects.order_by("id")[2]
    event.stance = "mixed" if event.stance != "mixed" else "cooperation"
    event.save()  # a tally patched, not loaded
    client.get("/")
    snapshot = current_snapshot()
    gc.collect()
    kept = [
        *(items for months in snapshot.tallies.by_key.values() for items in vars(months).values()),
        *(months for essays in snapshot.tallies.cited.values() for months in essays.values()),
        *(pieces.themes for pieces in snapshot.pieces.values()),
    ]
    assert len(snapshot.pieces) >= 20
    assert not [items for items in kept if gc.is_tracked(items)]


def test_a_change_to_a_theme_loads_the_snapshot_whole(curated):
    versioning.bump()
    before = versioning.current()[0]
    snapshot = current_snapshot()
    theme = Theme.objects.first()
    theme.name = "Arms control and disarmament"
    theme.save()
    assert snapshot.brought_up_to(before, versioning.current()[0]) is None
    assert current_snapshot().theme_by_slug[theme.slug].name == "Arms control and disarmament"


def test_a_snapshot_of_a_rolled_back_version_is_never_patched(curated):
    versioning.bump()
    event = Event.objects.order_by("id").first()
    start = event.start
    with transaction.atomic():
        event.start = datetime.date(1995, 6, 1)
        event.save()
        rolled_back = versioning.current()[0]
        seen = current_snapshot()  # built from data that will not exist
        transaction.set_rollback(True)
    other = Event.objects.order_by("id").last()
    other.stance = "mixed"
    other.save()  # the same counter as the rolled-back version, at another time
    version = versioning.current()[0]
    assert version.split(".")[0] == rolled_back.split(".")[0]
    assert seen.brought_up_to(rolled_back, version) is None
    assert_same_as_loaded(current_snapshot())
    assert Event.objects.get(pk=event.pk).start == start


def test_old_changes_are_let_go(curated, monkeypatch):
    monkeypatch.setattr(versioning, "KEPT_CHANGES", 5)
    for _ in range(120):
        versioning.bump(versioning.Change())
    latest = versioning.read_version()[0]
    # Let go every hundredth version: none older than the kept ones and a hundred remains.
    assert DataChange.objects.filter(version=latest).exists()
    assert not DataChange.objects.filter(version__lt=latest - 5 - 100).exists()
