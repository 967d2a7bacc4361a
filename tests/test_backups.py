"""Backups while the site runs, restores, and the portable JSON dump that moves the whole
site (history included) to a fresh database, SQLite or PostgreSQL.

Each database here is a real one in its own process: a file for SQLite, and for PostgreSQL a
uniquely named database (relations_sec_<pid>_…) on TEST_POSTGRES_URL, dropped afterwards.
"""

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

# What a restored site must have again, read through Django.
SNAPSHOT = """
import json, django
django.setup()
from django.apps import apps
from django.contrib.auth.models import Group
from timeline.models import Event
counts = {
    model._meta.label: model.objects.count()
    for model in apps.get_models()
    if model._meta.app_label in {"timeline", "auth", "admin"}
    and model._meta.model_name != "permission"
}
history = [
    [record.history_id, record.title, record.history_type,
     record.history_user.username if record.history_user else None,
     sorted(row.theme.slug for row in record.themes.all())]
    for record in Event.history.order_by("history_id")
]
group = Group.objects.get(name="timeline editors")
print(json.dumps({
    "counts": counts,
    "history": history,
    "editors": sorted(group.user_set.values_list("username", flat=True)),
    "editor_permissions": sorted(group.permissions.values_list("codename", flat=True)),
}))
"""

EDITS = """
import django
django.setup()
from django.contrib.auth.models import Group, User
from timeline.models import Event
erin = User.objects.create_user("erin", password="violet-harbour-teaspoon-42", is_staff=True)
erin.groups.add(Group.objects.get(name="timeline editors"))
event = Event.objects.get(slug="magnitsky-act")
event._history_user = erin
event.title = "Magnitsky Act (edited)"
event.save()
"""

# A signed-in editor's session; prints its key.
SESSION = """
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
session = SessionStore()
session["_auth_user_id"] = "1"
session.create()
print(session.session_key)
"""

SESSIONS = """
import django
django.setup()
from django.contrib.sessions.models import Session
print(list(Session.objects.values_list("session_key", flat=True)))
"""

# A migration this site has applied and an older copy has not.
FAKE_MIGRATION = """
import django
django.setup()
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
MigrationRecorder(connection).record_applied("timeline", "9999_later")
"""


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="relations.settings")
    return env


def manage(database_url: str, *args, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(database_url),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def python(database_url: str, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=BASE_DIR,
        env=environment(database_url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def snapshot(database_url: str) -> dict:
    return json.loads(python(database_url, SNAPSHOT).splitlines()[-1])


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    """An empty SQLite database at this code's migrations."""
    path = tmp_path_factory.mktemp("migrated") / "empty.sqlite3"
    ok(manage(sqlite_url(path), "migrate", "--no-input", "-v0"))
    return path


@pytest.fixture(scope="module")
def site_template(migrated_template, tmp_path_factory) -> Path:
    """A SQLite site with the curated dataset, an editor and one edit of theirs."""
    path = tmp_path_factory.mktemp("template") / "site.sqlite3"
    shutil.copy(migrated_template, path)
    ok(manage(sqlite_url(path), "load_timeline"))
    python(sqlite_url(path), EDITS)
    return path


@pytest.fixture(scope="module")
def site_as_made(site_template) -> dict:
    """The snapshot of every test's site before the test changes it."""
    return snapshot(sqlite_url(site_template))


@pytest.fixture
def site(site_template, tmp_path) -> Path:
    path = tmp_path / "site.sqlite3"
    shutil.copy(site_template, path)
    return path


def test_sqlite_backup_while_a_write_is_under_way_holds_only_committed_data(
    site, site_as_made, tmp_path
):
    # A writer in the middle of a transaction, as the running site would be.
    writer = sqlite3.connect(site)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE timeline_event SET title = 'half-done'")
    copy = tmp_path / "copy.sqlite3"
    try:
        assert "Backed up to" in ok(manage(sqlite_url(site), "backup", str(copy)))
    finally:
        writer.rollback()
        writer.close()
    assert snapshot(sqlite_url(copy)) == site_as_made


def test_restore_puts_the_backup_back(site, site_as_made, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    ok(manage(sqlite_url(site), "backup", str(copy)))
    python(
        sqlite_url(site),
        "import django; django.setup(); from timeline.models import Event; "
        "Event.objects.filter(slug__startswith='n').delete()",
    )
    assert snapshot(sqlite_url(site)) != site_as_made

    refused = manage(sqlite_url(site), "restore", str(copy), stdin="no\n")
    assert refused.returncode != 0
    assert "nothing was changed" in refused.stderr
    ok(manage(sqlite_url(site), "restore", str(copy), "--no-input"))
    assert snapshot(sqlite_url(site)) == site_as_made


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_site(site, site_as_made, tmp_path):
    stranger = tmp_path / "other.sqlite3"
    sqlite3.connect(stranger).execute("CREATE TABLE notes (text)").connection.close()
    result = manage(sqlite_url(site), "restore", str(stranger), "--no-input")
    assert result.returncode != 0
    assert "is not a copy of this site's database" in result.stderr
    not_sqlite = tmp_path / "dump.json"
    not_sqlite.write_text("[]")
    result = manage(sqlite_url(site), "restore", str(not_sqlite), "--no-input")
    assert "is not a SQLite database" in result.stderr
    assert snapshot(sqlite_url(site)) == site_as_made


def test_sqlite_backup_is_private_to_its_owner_and_holds_no_sessions(site, tmp_path):
    session_key = python(sqlite_url(site), SESSION).split()[-1]
    copy = tmp_path / "copy.sqlite3"
    ok(manage(sqlite_url(site), "backup", str(copy)))
    assert copy.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(copy) as database:
        assert database.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
    assert session_key.encode() not in copy.read_bytes()


@pytest.mark.parametrize("name", ["b#1.sqlite3", "b?mode=rwc.sqlite3"])
def test_restore_takes_a_backup_whose_name_holds_a_hash_or_question_mark(
    site, site_as_made, tmp_path, name
):
    copies = tmp_path / "copies"
    ok(manage(sqlite_url(site), "backup", str(copies / name)))
    python(
        sqlite_url(site),
        "import django; django.setup(); from timeline.models import Event; "
        "Event.objects.all().delete()",
    )
    ok(manage(sqlite_url(site), "restore", str(copies / name), "--no-input"))
    assert snapshot(sqlite_url(site)) == site_as_made
    assert [path.name for path in copies.iterdir()] == [name]


def refused_restore(site: Path, copy: Path, site_as_made: dict) -> str:
    """What restore says of a copy it refuses; the site, untouched before, is left as it was."""
    result = manage(sqlite_url(site), "restore", str(copy), "--no-input")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert snapshot(sqlite_url(site)) == site_as_made
    return result.stderr


def test_restore_refuses_empty_tables_that_only_bear_the_right_names(site, site_as_made, tmp_path):
    decoy = tmp_path / "decoy.sqlite3"
    with closing(sqlite3.connect(decoy)) as database:
        database.executescript(
            "CREATE TABLE django_migrations (id, app, name, applied);"
            "CREATE TABLE timeline_event (id); CREATE TABLE timeline_historicalevent (id);"
        )
    said = refused_restore(site, decoy, site_as_made)
    assert "is not a copy of this site's database at its migrations" in said
    assert "Nothing was changed." in said


def test_restore_refuses_a_backup_missing_a_table_or_a_migration(site, site_as_made, tmp_path):
    no_users = tmp_path / "no-users.sqlite3"
    ok(manage(sqlite_url(site), "backup", str(no_users)))
    with closing(sqlite3.connect(no_users)) as database:
        database.execute("PRAGMA foreign_keys = OFF")
        database.execute("DROP TABLE auth_user")
    assert "it lacks auth_user)" in refused_restore(site, no_users, site_as_made)

    older = tmp_path / "older.sqlite3"
    ok(manage(sqlite_url(site), "backup", str(older)))
    with closing(sqlite3.connect(older)) as database, database:
        database.execute("DELETE FROM django_migrations WHERE name = '0014_essay_url_note'")
    said = refused_restore(site, older, site_as_made)
    assert "only in the copy: none; not in the copy: timeline.0014_essay_url_note" in said


def test_restore_refuses_a_backup_whose_search_index_is_damaged(site, site_as_made, tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    ok(manage(sqlite_url(site), "backup", str(damaged)))
    with closing(sqlite3.connect(damaged)) as database, database:
        database.execute("DELETE FROM timeline_event_fts_config")
    said = refused_restore(site, damaged, site_as_made)
    assert "is damaged" in said
    assert "Traceback" not in said


def test_backup_to_a_folder_that_cannot_be_made_says_so(site):
    result = manage(sqlite_url(site), "backup", "/proc/nope/x.sqlite3")
    assert result.returncode != 0
    assert "Cannot write /proc/nope/x.sqlite3: No such file or directory." in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_never_overwrites_a_file(site, tmp_path):
    existing = tmp_path / "existing.sqlite3"
    existing.write_text("keep me")
    result = manage(sqlite_url(site), "backup", str(existing))
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert existing.read_text() == "keep me"


def dump_and_load(source_url: str, target_url: str, dump: Path) -> None:
    """Moves the site at source_url to the fresh, migrated database at target_url."""
    ok(manage(source_url, "dump_json", str(dump)))
    ok(manage(target_url, "load_json", str(dump)))


def test_json_dump_restores_the_whole_site_with_history_on_a_fresh_sqlite(
    site, site_as_made, migrated_template, tmp_path
):
    assert site_as_made["history"][-1][1:4] == ["Magnitsky Act (edited)", "~", "erin"]
    fresh = tmp_path / "fresh.sqlite3"
    shutil.copy(migrated_template, fresh)
    dump_and_load(sqlite_url(site), sqlite_url(fresh), tmp_path / "site.json")
    assert snapshot(sqlite_url(fresh)) == site_as_made


def test_load_json_refuses_a_deeply_nested_file_and_changes_nothing(site, site_as_made, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    result = manage(sqlite_url(site), "load_json", str(deep))
    assert result.returncode == 1
    assert result.stderr.startswith(f"CommandError: Refused: {deep} is not readable")
    assert "Nothing was written." in result.stderr
    assert snapshot(sqlite_url(site)) == site_as_made


@pytest.fixture
def postgres_database():
    """A uniquely named PostgreSQL database at this code's migrations, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"relations_sec_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        server = psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: {error}")
    with server:
        server.execute(f'CREATE DATABASE "{name}"')
        try:
            ok(manage(f"{POSTGRES_URL}/{name}", "migrate", "--no-input", "-v0"))
            yield f"{POSTGRES_URL}/{name}"
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore")
def test_postgresql_takes_the_json_dump_and_backs_up_and_restores(
    site, site_as_made, tmp_path, postgres_database
):
    dump_and_load(sqlite_url(site), postgres_database, tmp_path / "site.json")
    assert snapshot(postgres_database) == site_as_made

    # Ids continue after the loaded ones: a new edit gets a new history record.
    python(postgres_database, EDITS.replace('create_user("erin"', 'create_user("ann"'))
    edited = snapshot(postgres_database)
    assert edited["history"][-1][1:4] == ["Magnitsky Act (edited)", "~", "ann"]

    session_key = python(postgres_database, SESSION).split()[-1]
    copy = tmp_path / "site.dump"
    ok(manage(postgres_database, "backup", str(copy)))
    assert copy.stat().st_mode & 0o777 == 0o600
    python(
        postgres_database,
        "import django; django.setup(); from timeline.models import Event; "
        "Event.objects.all().delete()",
    )
    ok(manage(postgres_database, "restore", str(copy), "--no-input"))
    assert snapshot(postgres_database) == edited
    assert session_key not in python(postgres_database, SESSIONS)

    # A copy made at other migrations than the site's is refused, and nothing changes.
    python(postgres_database, FAKE_MIGRATION)
    refused = manage(postgres_database, "restore", str(copy), "--no-input")
    assert "not in the copy: timeline.9999_later" in refused.stderr
    assert snapshot(postgres_database) == edited
