import io
from datetime import date

import factory.random
import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test.utils import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import CitationFactory, EssayFactory, EventFactory, PeriodFactory, ThemeFactory

# Property-based tests: enough examples to find edge cases, few enough to keep the suite fast.
# No deadline: a request's time varies with the machine. The database fixtures they share are
# only read, so running many examples on one function-scoped fixture is fine.
hypothesis_settings.register_profile(
    "timeline",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
hypothesis_settings.load_profile("timeline")


@pytest.fixture(autouse=True)
def same_fake_text_every_run():
    """Faker's filler text is the same on every run, so a search cannot match it by chance."""
    factory.random.reseed_random("relations-timeline")


@pytest.fixture(autouse=True)
def no_downloads_from_other_tests():
    """Downloads are kept per data version; another test's database may repeat a version."""
    caches["exports"].clear()


# Made by the database's triggers from the rows loaded, and bumped after loading.
NOT_DUMPED = ["timeline.EventFacet", "timeline.DataVersion"]


@pytest.fixture(scope="session")
def curated_dump(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "curated.json"


@pytest.fixture
def load_curated(curated_dump):
    """Loads the curated dataset into the test's empty database: with load_timeline the first
    time in a session, then from that load's dump, in half the time."""

    def load():
        from timeline import versioning

        if curated_dump.exists():
            # The dump holds the history; setting themes would otherwise add to it.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(curated_dump), verbosity=0)
            versioning.bump()
            return
        call_command("load_timeline", stdout=io.StringIO())
        excluded = [f"--exclude={label}" for label in NOT_DUMPED]
        call_command("dumpdata", "timeline", *excluded, output=str(curated_dump), verbosity=0)

    return load


@pytest.fixture
def htmx_headers():
    """The headers htmx sends when the filter form swaps #results."""
    return {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/"}


@pytest.fixture
def small_timeline(db):
    """A few events across two themes and two periods, cited by two essays."""
    arms = ThemeFactory(name="Arms control", slug="arms-control", colour="#1f5fa8")
    rights = ThemeFactory(name="Human rights", slug="human-rights", colour="#a3211b")
    reset = PeriodFactory(
        name="The reset", slug="the-reset", start=date(2009, 1, 20), end=date(2012, 5, 6)
    )
    PeriodFactory(
        name="Putin's return", slug="putins-return", start=date(2012, 5, 7), end=date(2014, 2, 27)
    )
    new_start = EventFactory(
        title="New START enters into force",
        slug="new-start",
        start=date(2011, 2, 5),
        main_theme=arms,
        aliases="Prague Treaty",
    )
    magnitsky = EventFactory(
        title="Magnitsky Act",
        slug="magnitsky-act",
        start=date(2012, 12, 14),
        main_theme=rights,
        stance="confrontation",
    )
    usaid = EventFactory(
        title="Russia expels USAID",
        slug="usaid",
        start=date(2012, 9, 1),
        start_precision="month",
        main_theme=rights,
        stance="confrontation",
    )
    nunn_lugar = EventFactory(
        title="Nunn–Lugar umbrella agreement",
        slug="nunn-lugar",
        start=date(1992, 1, 1),
        start_precision="year",
        end=date(2013, 1, 1),
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


@pytest.fixture
def warm_choices():
    """Load the snapshot of the current data, as any earlier request would have, so a
    query count measures the request itself."""
    from timeline import versioning
    from timeline.snapshot import Snapshot

    def warm():
        Snapshot.for_version(versioning.current()[0])

    return warm
