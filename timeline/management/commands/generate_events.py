"""Add realistic synthetic events for measuring the app at scale, or remove them again."""

import datetime
import random
import sys
import time

import factory.random
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tests.factories import CitationFactory, EventFactory
from timeline import dates, versioning
from timeline.database import refresh_statistics
from timeline.models import Citation, Essay, Event, Precision, Stance, Theme, span_class_of

BATCH = 2_000
FIRST_DAY = datetime.date(1987, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)


class Command(BaseCommand):
    help = (
        "Add N synthetic events (themes, citations, ranges) built by the factory-boy factories, "
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
        randomness = random.Random(seed)
        factory.random.reseed_random(seed)  # Faker's texts too: same seed, same data
        start = time.monotonic()
        # Slugs carry the seed and a running number, so a second run with another seed adds
        # to the first instead of colliding with it.
        offset = Event.objects.filter(synthetic=True).count()
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            with transaction.atomic():
                self.add_batch(randomness, themes, essays, seed, offset + done, size)
            done += size
            self.progress(done, count, start)
        versioning.bump()  # bulk inserts send no signals
        refresh_statistics()
        self.stderr.write("")
        self.stdout.write(
            f"Added {count} synthetic events in {time.monotonic() - start:.1f} s "
            f"(seed {seed}); remove them with --delete."
        )

    def add_batch(self, randomness, themes, essays, seed, first_number, size):
        events, theme_links, citations = [], [], []
        for number in range(first_number, first_number + size):
            fields = self.random_dates(randomness)
            main_theme = randomness.choice(themes)
            event = EventFactory.build(
                slug=f"synthetic-{seed}-{number + 1}",
                stance=randomness.choice(Stance.values),
                main_theme=main_theme,
                synthetic=True,
                **fields,
            )
            # Titled like its summary begins: a word in every title ("Synthetic event 12")
            # would be a search matching every event, which no real timeline has.
            event.title = event.summary.split(".")[0]
            event.span_end = event.compute_span_end()
            event.span_class = span_class_of(event.start, event.span_end)
            event.search_text = event.compute_search_text(quotes=[])
            events.append(event)
        Event.objects.bulk_create(events)
        through = Event.themes.through
        for event in events:
            chosen = {event.main_theme, *randomness.sample(themes, randomness.randint(0, 2))}
            theme_links += [through(event_id=event.pk, theme_id=theme.pk) for theme in chosen]
            if randomness.random() < 0.3:
                for essay in randomness.sample(essays, randomness.randint(1, min(3, len(essays)))):
                    citations.append(CitationFactory.build(event=event, essay=essay))
        through.objects.bulk_create(theme_links)
        Citation.objects.bulk_create(citations)

    @staticmethod
    def random_dates(randomness):
        """Day-precise mostly; some months, some years; one in twelve a range."""
        day = FIRST_DAY + datetime.timedelta(
            days=randomness.randint(0, (LAST_DAY - FIRST_DAY).days)
        )
        precision = randomness.choices(
            [Precision.DAY, Precision.MONTH, Precision.YEAR], weights=[7, 2, 1]
        )[0]
        start = {
            Precision.DAY: day,
            Precision.MONTH: day.replace(day=1),
            Precision.YEAR: day.replace(month=1, day=1),
        }[precision]
        fields = {"start": start, "start_precision": precision}
        if randomness.random() < 1 / 12:
            last = dates.last_day_covered(start, precision) + datetime.timedelta(
                days=randomness.randint(30, 3_000)
            )
            fields["end"] = min(last, LAST_DAY)
            fields["end_precision"] = Precision.DAY
        return fields

    def progress(self, done, count, start):
        width = 30
        filled = int(width * done / count)
        rate = done / max(time.monotonic() - start, 1e-6)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{count:,} events ({rate:,.0f}/s)"
        )
        sys.stderr.flush()
