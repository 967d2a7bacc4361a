import datetime

import factory
import factory.random
from factory.django import DjangoModelFactory

from timeline.models import (
    Citation,
    Essay,
    Event,
    EventLink,
    EventRelation,
    Period,
    Precision,
    RelationKind,
    Stance,
    Theme,
)
from timeline.synthetic_events import SyntheticCitationFactory, SyntheticEventFactory

COLOURS = ["#1f5fa8", "#a3211b", "#1b6b3a", "#6a3d9a", "#8a5a00", "#00607a", "#9c2a6b"]


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    colour = factory.Sequence(lambda n: COLOURS[n % len(COLOURS)])
    description = factory.Faker("sentence")
    position = factory.Sequence(lambda n: n)


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = Period

    name = factory.Sequence(lambda n: f"Period {n}")
    slug = factory.Sequence(lambda n: f"period-{n}")
    start = datetime.date(2009, 1, 20)
    end = datetime.date(2012, 5, 6)
    description = factory.Faker("sentence")


class EssayFactory(DjangoModelFactory):
    class Meta:
        model = Essay

    title = factory.Sequence(lambda n: f"Essay {n} on the relationship")
    slug = factory.Sequence(lambda n: f"essay-{n}")
    authors = factory.Faker("name")
    affiliation = "Example Institute"
    publisher = "Example Press"
    published = datetime.date(2013, 2, 28)
    published_precision = Precision.DAY
    abstract = factory.Faker("paragraph")


class EventFactory(SyntheticEventFactory):
    class Meta:
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    # Spread over the timeline's years and back again, however many events a test session makes.
    start = factory.Sequence(
        lambda n: datetime.date(1990, 1, 1) + datetime.timedelta(days=97 * n % 12_000)
    )
    start_precision = Precision.DAY
    stance = Stance.COOPERATION
    main_theme = factory.SubFactory(ThemeFactory)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set([self.main_theme, *(extracted or [])])


class EventLinkFactory(DjangoModelFactory):
    class Meta:
        model = EventLink

    event = factory.SubFactory(EventFactory)
    title = "Treaty text"
    url = "https://example.org/treaty"


class EventRelationFactory(DjangoModelFactory):
    class Meta:
        model = EventRelation

    from_event = factory.SubFactory(EventFactory)
    to_event = factory.SubFactory(EventFactory)
    kind = RelationKind.RETALIATION_FOR


class CitationFactory(SyntheticCitationFactory):
    essay = factory.SubFactory(EssayFactory)
    event = factory.SubFactory(EventFactory)


def reseed_fake_text():
    """Faker's filler text is the same on every run, so a search cannot match it by chance."""
    factory.random.reseed_random("relations-timeline")


def build_small_timeline():
    """A few events across two themes and two periods, cited by two essays."""
    arms = ThemeFactory(name="Arms control", slug="arms-control", colour="#1f5fa8")
    rights = ThemeFactory(name="Human rights", slug="human-rights", colour="#a3211b")
    reset = PeriodFactory(
        name="The reset",
        slug="the-reset",
        start=datetime.date(2009, 1, 20),
        end=datetime.date(2012, 5, 6),
    )
    PeriodFactory(
        name="Putin's return",
        slug="putins-return",
        start=datetime.date(2012, 5, 7),
        end=datetime.date(2014, 2, 27),
    )
    new_start = EventFactory(
        title="New START enters into force",
        slug="new-start",
        start=datetime.date(2011, 2, 5),
        main_theme=arms,
        aliases="Prague Treaty",
    )
    magnitsky = EventFactory(
        title="Magnitsky Act",
        slug="magnitsky-act",
        start=datetime.date(2012, 12, 14),
        main_theme=rights,
        stance="confrontation",
    )
    usaid = EventFactory(
        title="Russia expels USAID",
        slug="usaid",
        start=datetime.date(2012, 9, 1),
        start_precision="month",
        main_theme=rights,
        stance="confrontation",
    )
    nunn_lugar = EventFactory(
        title="Nunn–Lugar umbrella agreement",
        slug="nunn-lugar",
        start=datetime.date(1992, 1, 1),
        start_precision="year",
        end=datetime.date(2013, 1, 1),
        end_precision="year",
        main_theme=arms,
        stance="cooperation",
    )
    weitz = EssayFactory(title="Russia-US Relations under Obama: Round 2", slug="weitz")
    valdai = EssayFactory(title="No Pause for the Reset", slug="valdai", authors="")
    CitationFactory(essay=weitz, event=magnitsky, quote="After Congress enacted the Act")
    CitationFactory(essay=weitz, event=usaid, quote="Moscow's decision to expel USAID")
    CitationFactory(essay=valdai, event=new_start, quote="The New START Treaty, which entered")
    return {
        "themes": {"arms": arms, "rights": rights},
        "reset": reset,
        "events": {
            "new_start": new_start,
            "magnitsky": magnitsky,
            "usaid": usaid,
            "nunn_lugar": nunn_lugar,
        },
        "essays": {"weitz": weitz, "valdai": valdai},
    }


def random_edit(rng, themes, essays):
    """One random edit of an event, its themes or a citation, as editors make them."""
    events = list(Event.objects.order_by("id"))
    event = rng.choice(events)
    kind = rng.choice(
        ["move", "title", "stance", "theme", "cite", "uncite", "recite", "new", "delete"]
    )
    if kind == "title":
        event.title = f"{event.title[:60]} (edited {rng.randint(1, 10**6)})"
        event.save()
    elif kind == "move":
        moved = datetime.timedelta(days=rng.choice([-400, -40, 31, 365]))
        event.start += moved
        if event.end:
            event.end += moved
        event.save()
    elif kind == "stance":
        event.stance = rng.choice(["cooperation", "confrontation", "mixed"])
        event.save()
    elif kind == "theme":
        theme = rng.choice(themes)
        if theme in event.themes.all() and theme.pk != event.main_theme_id:
            event.themes.remove(theme)
        else:
            event.themes.add(theme)
    elif kind == "cite":
        essay = rng.choice(essays)
        if not Citation.objects.filter(essay=essay, event=event).exists():
            CitationFactory(essay=essay, event=event, quote="A quotation of the test's.")
    elif kind == "uncite":
        citation = Citation.objects.order_by("?").first()
        if citation:
            citation.delete()
    elif kind == "recite":
        citation = Citation.objects.order_by("?").first()
        others = Event.objects.exclude(citations__essay=citation.essay) if citation else []
        if citation and others:
            citation.event = rng.choice(list(others[:50]))
            citation.save()
    elif kind == "new":
        EventFactory(
            main_theme=rng.choice(themes),
            start=datetime.date(rng.randint(1990, 2024), rng.randint(1, 12), 1),
        )
    else:
        event.delete()
    return kind
