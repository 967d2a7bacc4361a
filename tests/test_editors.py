"""Editors in the admin: login brute-force lockout, the editors group, the history of every
save with revert, and two editors saving the same event."""

import importlib
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from relations.sign_in_limits import FAILURES_FROM_ALL_ADDRESSES
from timeline.loader import Loader
from timeline.models import Essay, Event

pytestmark = pytest.mark.django_db

PASSWORD = "violet-harbour-teaspoon-42"
LOGIN = reverse("admin:login")
editors_migration = importlib.import_module("timeline.migrations.0003_editors_group")


@pytest.fixture
def editor(db):
    user = User.objects.create_user("erin", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=editors_migration.GROUP_NAME))
    return user


def log_in(client, password, **meta):
    return client.post(LOGIN, {"username": "erin", "password": password}, **meta)


def logged_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


# --- brute-force protection (django-axes) ---


def test_repeated_failures_lock_the_account_from_that_address(client, editor):
    for _ in range(4):
        assert log_in(client, "wrong-password").status_code == 200  # the form again
    response = log_in(client, "wrong-password")
    assert response.status_code == 429
    assertContains(response, "Sign-in locked", status_code=429)
    assertContains(response, "15 minutes", status_code=429)

    response = log_in(client, PASSWORD)
    assert response.status_code == 429, "the right password must not get through a lockout"
    assert not logged_in(client)

    # The same account from another address, and the cool-off, are not affected.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert log_in(elsewhere, PASSWORD).status_code == 302
    assert logged_in(elsewhere)


def test_the_lockout_ends_after_the_cool_off(client, editor):
    for _ in range(5):
        log_in(client, "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, PASSWORD).status_code == 302
    assert logged_in(client)


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, editor, settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_ADDRESSES = ["127.0.0.1"]
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for attempt in range(5):
        # A client-supplied address in front does not make each attempt look new.
        forged = f"192.0.2.{attempt}, 198.51.100.7"
        log_in(client, "wrong-password", HTTP_X_FORWARDED_FOR=forged, **proxy)
    locked = log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert locked.status_code == 429
    other_client = Client()
    response = log_in(other_client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert response.status_code == 302


def test_a_sign_in_sent_off_the_site_lands_on_the_admin_index(client, editor):
    response = client.post(
        f"{LOGIN}?next=https://evil.example/",
        {"username": "erin", "password": PASSWORD, "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_failures_from_many_addresses_lock_the_account_from_everywhere(client, editor):
    for n in range(FAILURES_FROM_ALL_ADDRESSES):
        log_in(client, "wrong-password", REMOTE_ADDR=f"203.0.113.{n + 1}")
    response = log_in(Client(REMOTE_ADDR="198.51.100.1"), PASSWORD)
    assertContains(response, "locked from everywhere", status_code=429)

    # Another account is not affected.
    User.objects.create_user("olga", password=PASSWORD, is_staff=True)
    other = Client(REMOTE_ADDR="198.51.100.1")
    assert other.post(LOGIN, {"username": "olga", "password": PASSWORD}).status_code == 302
    assert logged_in(other)


def test_with_the_proxy_named_a_direct_client_cannot_pick_its_address(client, editor, settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_ADDRESSES = ["127.0.0.1"]
    direct = {"REMOTE_ADDR": "203.0.113.5"}
    for attempt in range(5):
        log_in(client, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}", **direct)
    locked = log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99", **direct)
    assert locked.status_code == 429


# --- the editors group ---


def test_an_editor_can_edit_events_but_not_users(client, editor, small_timeline):
    client.force_login(editor)
    event = small_timeline["events"]["new_start"]
    response = client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        event_form_data(event, title="New START in force"),
    )
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == "New START in force"
    assert client.get(reverse("admin:timeline_essay_add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_the_editors_group_holds_only_timeline_permissions_and_can_be_made_again():
    group = Group.objects.get(name=editors_migration.GROUP_NAME)
    before = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert {app for app, _ in before} == {"timeline"}
    assert ("timeline", "delete_eventrelation") in before
    assert ("timeline", "view_historicalevent") in before

    editors_migration.create_editors_group(apps, connection.schema_editor())
    assert Group.objects.filter(name=editors_migration.GROUP_NAME).count() == 1
    after = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert after == before


# --- history ---


def test_an_edit_is_kept_with_who_and_what_and_can_be_reverted(admin_client, small_timeline):
    event = small_timeline["events"]["magnitsky"]
    rights, arms = small_timeline["themes"]["rights"], small_timeline["themes"]["arms"]
    before = event.history.latest()
    response = admin_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        event_form_data(event, title="Magnitsky Act signed", themes=[rights.pk, arms.pk]),
    )
    assert response.status_code == 302

    history = admin_client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    # The save, then its new themes: two entries, both by the editor, newest first.
    this_save = history.context["page_obj"][:2]
    assert [record.history_user.username for record in this_save] == ["admin", "admin"]
    changes = {
        change["field"]: (change["old"], change["new"])
        for record in this_save
        for change in record.history_delta_changes
    }
    assert changes == {
        "Title": ("Magnitsky Act", "Magnitsky Act signed"),
        "Themes": ("[Human rights]", "[Arms control, Human rights]"),
    }
    assertContains(history, ">admin</a>")  # who, linked to their account
    assertContains(history, "<strong>Title:</strong>")

    # Revert: post the earlier version exactly as its page shows it.
    revert_url = reverse("admin:timeline_event_simple_history", args=[event.pk, before.pk])
    shown = admin_client.get(revert_url)
    assertContains(shown, 'value="Revert"')
    response = admin_client.post(revert_url, as_posted(shown))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Magnitsky Act"
    assert list(event.themes.all()) == [rights]
    assert event.history.latest().history_user.username == "admin"


def as_posted(response) -> dict:
    """What submitting the admin form of ``response`` unchanged would post."""
    form = response.context["adminform"].form
    return {name: "" if form[name].value() is None else form[name].value() for name in form.fields}


def test_the_revert_form_shows_that_versions_themes(admin_client, small_timeline):
    event = small_timeline["events"]["magnitsky"]
    rights, arms = small_timeline["themes"]["rights"], small_timeline["themes"]["arms"]
    before = event.history.latest()
    event.themes.add(arms)
    revert_url = reverse("admin:timeline_event_simple_history", args=[event.pk, before.pk])
    form = admin_client.get(revert_url).context["adminform"].form
    assert [int(pk) for pk in form["themes"].value()] == [rights.pk]


def test_someone_who_may_only_view_cannot_revert(client, small_timeline):
    viewer = User.objects.create_user("victor", password=PASSWORD, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_essay"))
    client.force_login(viewer)
    essay = small_timeline["essays"]["weitz"]
    first = essay.history.earliest()
    essay.title = "Renamed"
    essay.save()
    revert_url = reverse("admin:timeline_essay_simple_history", args=[essay.pk, first.pk])
    assert client.get(revert_url).status_code == 200  # viewing is allowed
    data = {field: getattr(first, field) for field in ("title", "slug", "published")}
    data["published_precision"] = "day"
    assert client.post(revert_url, data).status_code == 403
    assert Essay.objects.get(pk=essay.pk).title == "Renamed"


# --- two editors saving the same event ---


def test_the_second_of_two_editors_is_told_instead_of_overwriting(admin_client, small_timeline):
    event = small_timeline["events"]["usaid"]
    url = reverse("admin:timeline_event_change", args=[event.pk])
    # Both editors opened the form at the same version.
    first = event_form_data(event, title="Russia ends USAID's work")
    second = event_form_data(event, summary="A different summary.")
    assert admin_client.post(url, first).status_code == 302

    response = admin_client.post(url, second)
    assert response.status_code == 200
    assertContains(response, "saved by someone else (by admin,")
    event.refresh_from_db()
    assert event.title == "Russia ends USAID’s work"  # typographic, as saved
    assert event.summary != "A different summary."

    # Opened again, the form carries the new version and saves.
    reopened = event_form_data(event, summary="A different summary.")
    assert admin_client.post(url, reopened).status_code == 302


def test_a_load_of_the_dataset_also_invalidates_an_open_form(admin_client, small_timeline):
    event = small_timeline["events"]["new_start"]
    stale = event_form_data(event, title="Edited in the admin")
    event.summary = "Corrected by the loader."
    event.save()  # the loader saves models like this
    response = admin_client.post(reverse("admin:timeline_event_change", args=[event.pk]), stale)
    assertContains(response, "saved by someone else (by a script,")
    assertNotContains(response, "Edited in the admin</a>")
    assert Event.objects.get(pk=event.pk).title == "New START enters into force"


def test_every_save_raises_the_version_and_the_loader_still_works(tmp_path):
    data = tmp_path / "timeline.yaml"
    data.write_text(
        "themes: [{slug: arms, name: Arms control, colour: '#1f5fa8'}]\n"
        "events:\n"
        "- {slug: inf, title: INF Treaty, start: 1987-12-08, stance: cooperation,"
        " themes: [arms], summary: Signed.}\n"
    )
    Loader(data).load()
    event = Event.objects.get(slug="inf")
    assert event.version == 1
    data.write_text(data.read_text().replace("Signed.", "Signed in Washington."))
    Loader(data).load()
    event = Event.objects.get(slug="inf")
    assert event.version == 2
    assert event.summary == "Signed in Washington."
    assert [record.history_type for record in event.history.all()] == ["~", "~", "+"]


def test_a_typo_in_a_year_is_refused_with_a_clear_message(admin_client, small_timeline):
    event = small_timeline["events"]["magnitsky"]
    response = admin_client.post(
        reverse("admin:timeline_event_change", args=[event.pk]),
        event_form_data(event, start="9999-12-14"),
    )
    assertContains(response, "Enter a date between 1700 and 2100.")
    assert Event.objects.get(pk=event.pk).start.year == 2012


def event_form_data(event, **changes):
    """What the admin's change form posts for ``event`` as it is now, with ``changes``."""
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "stance": event.stance,
        "main_theme": event.main_theme_id,
        "themes": [theme.pk for theme in event.themes.all()],
        "start": event.start.isoformat(),
        "start_precision": event.start_precision,
        "end": event.end.isoformat() if event.end else "",
        "end_precision": event.end_precision,
        "aliases": event.aliases,
        "discussion_prompt": event.discussion_prompt,
        "loaded_version": event.version,
    }
    for prefix in ("citations", "links", "relations_out"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data | changes
