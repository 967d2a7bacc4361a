import functools
import io

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import build_small_timeline, reseed_fake_text

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
    reseed_fake_text()


@pytest.fixture(autouse=True)
def no_downloads_from_other_tests():
    """Downloads are kept per data version; another test's database may repeat a version."""
    caches["exports"].clear()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """MD5 in tests: the real hasher is slow by design, and the tests hash many passwords."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def pytest_collection_modifyitems(items):
    """Tests reading data kept for their whole module run after the module's other tests, which
    must not see it."""
    modules = {path: index for index, path in enumerate(dict.fromkeys(i.path for i in items))}
    items.sort(
        key=lambda item: (
            modules[item.path],
            "transaction_for_this_module" in getattr(item, "fixturenames", ()),
        )
    )


@pytest.fixture(scope="module")
def transaction_for_this_module(django_db_setup, django_db_blocker):
    """A transaction around the module's tests that read data written once for them all; each
    test runs in a savepoint of its own (the db fixture's). Rolled back after the last."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


# Made by the database's triggers from the rows written, and bumped after writing.
NOT_COPIED = {"timeline.EventFacet", "timeline.DataVersion"}


@pytest.fixture(scope="session")
def curated_rows(django_db_setup, django_db_blocker):
    """Every row load_timeline writes for the curated dataset, read once a session (the load
    itself rolled back): writing them again is far quicker than loading or loaddata."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_timeline", stdout=io.StringIO())
        rows = [(model, list(model._base_manager.order_by("pk"))) for model in copied_models()]
        transaction.set_rollback(True)
    return rows


def copied_models():
    timeline = apps.get_app_config("timeline")
    models = [model for model in timeline.get_models() if model._meta.label not in NOT_COPIED]
    # The tables of many-to-many fields last: the triggers read both sides of each row.
    every = timeline.get_models(include_auto_created=True)
    return models + [model for model in every if model._meta.auto_created]


def write_rows(rows):
    """Writes the rows in one statement a model, sending no signals, as loaddata's raw saves
    send none that act: no history or version bump of their own."""
    from timeline import versioning

    with transaction.atomic():
        for model, objects in rows:
            model._base_manager.bulk_create(objects)
        models = [model for model, _ in rows]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    versioning.bump()


@pytest.fixture
def load_curated(curated_rows):
    """Writes the curated dataset into the test's database to stay, as a live server needs."""
    return functools.partial(write_rows, curated_rows)


@pytest.fixture(scope="module")
def curated_for_this_module(transaction_for_this_module, curated_rows):
    """The curated dataset written once for the module's tests."""
    write_rows(curated_rows)


@pytest.fixture
def curated(curated_for_this_module, db):
    """The curated dataset; a test's writes are undone after it."""


@pytest.fixture
def htmx_headers():
    """The headers htmx sends when the filter form swaps #results."""
    return {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/"}


@pytest.fixture
def small_timeline(db):
    """A few events across two themes and two periods, cited by two essays."""
    return build_small_timeline()


@pytest.fixture
def warm_choices():
    """Load the snapshot of the current data, as any earlier request would have, so a
    query count measures the request itself."""
    from timeline import versioning
    from timeline.snapshot import Snapshot

    def warm():
        Snapshot.for_version(versioning.current()[0])

    return warm
