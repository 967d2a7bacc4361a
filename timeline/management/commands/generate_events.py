"""Add realistic synthetic events for measuring the app at scale, or remove them again."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from timeline import versioning
from timeline.database import refresh_statistics
from timeline.models import Essay, Event, Theme
from timeline.synthetic_events import SyntheticEvents

BATCH = 2_000


class Command(BaseCommand):
    help = (
        "Add N synthetic events (themes, citations, ranges, Faker's texts through factory-boy), "
        "marked as synthetic; --delete removes exactly the synthetic ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000, help="How many events to add.")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same data)."
        )
        parser.add_argument(
            "--delete", action="store_true", help="Delete every synthetic event and stop."
        )

    def handle(self, *args, count, seed, delete, **options):
        if delete:
            with versioning.one_bump():
                deleted = Event.objects.filter(synthetic=True).delete()[1].get("timeline.Event", 0)
            refresh_statistics()
            self.stdout.write(f"Deleted {deleted} synthetic events.")
            return
        if count < 1:
            raise CommandError("--count must be at least 1.")
        themes = list(Theme.objects.all())
        essays = list(Essay.objects.all())
        if not themes or not essays:
            raise CommandError(
                "Synthetic events use the real themes and essays: run load_timeline first."
            )
        synthetic_events = SyntheticEvents(seed, themes, essays)
        start = time.monotonic()
        # Slugs carry the seed and a running number, so a second run with another seed adds
        # to the first instead of colliding with it.
        offset = Event.objects.filter(synthetic=True).count()
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            with transaction.atomic():
                first = offset + done + 1
                synthetic_events.add(range(first, first + size))
            done += size
            self.progress(done, count, start)
        versioning.bump()  # bulk inserts send no signals
        refresh_statistics()
        self.stderr.write("")
        self.stdout.write(
            f"Added {count} synthetic events in {time.monotonic() - start:.1f} s "
            f"(seed {seed}); remove them with --delete."
        )

    def progress(self, done, count, start):
        width = 30
        filled = int(width * done / count)
        rate = done / max(time.monotonic() - start, 1e-6)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{count:,} events ({rate:,.0f}/s)"
        )
        sys.stderr.flush()
