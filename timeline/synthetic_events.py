"""Realistic synthetic events for measuring the app at scale: dates, stances, themes and
citations drawn from one seeded random source, texts from Faker through factory-boy.

The same seed gives the same events, texts included, so benchmarks compare like with like.
"""

import datetime
import random

import factory
import factory.random
from factory.django import DjangoModelFactory

from . import dates
from .models import Citation, Event, Precision, Stance, span_class_of

FIRST_DAY = datetime.date(1987, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)


class SyntheticEventFactory(DjangoModelFactory):
    """An event with a paragraph of Faker's text as its summary."""

    class Meta:
        model = Event

    summary = factory.Faker("paragraph")


class SyntheticCitationFactory(DjangoModelFactory):
    """A citation quoting a sentence of Faker's text."""

    class Meta:
        model = Citation

    quote = factory.Faker("sentence", nb_words=12)


class SyntheticEvents:
    """Writes synthetic events batch after batch, all drawn from one seed."""

    def __init__(self, seed, themes, essays):
        self.seed, self.themes, self.essays = seed, themes, essays
        self.randomness = random.Random(seed)
        factory.random.reseed_random(seed)  # Faker's texts too: same seed, same data

    def add(self, numbers):
        """Write one event per number (slug ``synthetic-<seed>-<number>``) with its themes
        and, for three in ten, citations by one to three essays, in bulk."""
        randomness, themes = self.randomness, self.themes
        events = []
        for number in numbers:
            fields = random_dates(randomness)
            main_theme = randomness.choice(themes)
            event = SyntheticEventFactory.build(
                slug=f"synthetic-{self.seed}-{number}",
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
        theme_links, citations = [], []
        for event in events:
            chosen = {event.main_theme, *randomness.sample(themes, randomness.randint(0, 2))}
            theme_links += [through(event_id=event.pk, theme_id=theme.pk) for theme in chosen]
            if randomness.random() < 0.3:
                count = randomness.randint(1, min(3, len(self.essays)))
                for essay in randomness.sample(self.essays, count):
                    citations.append(SyntheticCitationFactory.build(event=event, essay=essay))
        through.objects.bulk_create(theme_links)
        Citation.objects.bulk_create(citations)


def random_dates(randomness):
    """Day-precise mostly; some months, some years; one in twelve a range."""
    day = FIRST_DAY + datetime.timedelta(days=randomness.randint(0, (LAST_DAY - FIRST_DAY).days))
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
