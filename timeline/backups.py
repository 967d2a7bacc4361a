"""Consistent copies of the database taken while the site runs, and putting one back.

SQLite uses its online backup API: a snapshot of the committed data, page by page, while
readers and writers carry on. PostgreSQL uses pg_dump, which reads one snapshot in one
transaction, and pg_restore. The portable JSON dump (any database to any other) is
``manage.py dump_json`` / ``load_json``.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

# Left out of every copy: a session lets whoever reads the copy sign in as its editor, and
# sessions are short-lived anyway.
SESSIONS_TABLE = "django_session"
# pg_restore's script of a dump: each table's columns, and django_migrations' rows.
CREATE_TABLE = re.compile(r"^CREATE TABLE (?:\w+\.)?\"?(\w+)\"? \(\n(.*?)^\);$", re.M | re.S)
MIGRATION_ROWS = re.compile(
    r"^COPY \S+ \(id, app, name, applied\) FROM stdin;\n(.*?)^\\\.$", re.M | re.S
)


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


def default_path(alias: str = "default") -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3" if connections[alias].vendor == "sqlite" else ".dump"
    return Path(settings.BASE_DIR) / "backups" / f"relations-{stamp}{suffix}"


def backup(path: Path, alias: str = "default") -> None:
    path = Path(path)
    connection = connections[alias]
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"No backup method for {connection.vendor}; use dump_json.")
    create_private_file(path)
    try:
        if connection.vendor == "sqlite":
            backup_sqlite(connection, path)
        else:
            run_postgresql_tool(
                "pg_dump",
                connection,
                ["--format=custom", f"--exclude-table-data={SESSIONS_TABLE}", "--file", str(path)],
            )
    except BackupError:
        path.unlink(missing_ok=True)  # never leave a half-written copy that looks like one
        raise


def create_private_file(path: Path) -> None:
    """Create the copy's file readable by its owner only, before a byte of the copy (password
    hashes among them) is in it; it must be new, never an older file overwritten."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{path} already exists; choose a new file name.") from None
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from None


def restore(path: Path, alias: str = "default") -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    connection = connections[alias]
    if connection.vendor == "sqlite":
        restore_sqlite(connection, path)
    elif connection.vendor == "postgresql":
        check_matches_site(path, *postgresql_dump_contents(path), connection)
        connection.close()
        run_postgresql_tool(
            "pg_restore",
            connection,
            # Replaces every table of the dump in one transaction: all or nothing.
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"],
            target=path,
        )
    else:
        raise BackupError(f"No restore method for {connection.vendor}; use load_json.")


def backup_sqlite(connection, path: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)
        # One self-contained file (the site's is in WAL mode): nothing is left beside it.
        target.execute("PRAGMA journal_mode = DELETE")
        # Overwrites the sessions' bytes instead of leaving them in free pages.
        target.execute("PRAGMA secure_delete = ON")
        with target:
            target.execute(f"DELETE FROM {SESSIONS_TABLE}")  # noqa: S608 - a model's table name
        check_sqlite_copy(target, path)


def restore_sqlite(connection, path: Path) -> None:
    # As a URI, so that "#" or "?" in the file name is part of the name, not of the URI.
    with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as source:
        check_sqlite_copy(source, path)
        try:
            contents = sqlite_contents(source)
        except sqlite3.DatabaseError as error:  # a damaged full-text table, for one
            raise BackupError(f"{path} is damaged: {error}") from None
        check_matches_site(path, *contents, connection)
        connection.ensure_connection()
        # Written through the backup API as well: other connections (a running site) wait
        # for the copy to finish and then see all of it, never half of it.
        source.backup(connection.connection)


def check_sqlite_copy(database: sqlite3.Connection, path: Path) -> None:
    try:
        # The CHECK constraints call functions only Django's connections define; they were
        # enforced on every write anyway. This checks pages, indexes and uniqueness.
        database.execute("PRAGMA ignore_check_constraints = ON")
        integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from None
    if integrity != "ok":
        raise BackupError(f"{path} is damaged: {integrity}")


def sqlite_contents(database: sqlite3.Connection) -> tuple[dict[str, set[str]], set[tuple]]:
    """The copy's tables with their columns, and its applied migrations."""
    tables = {}
    for table, column in database.execute(
        "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c"
        " WHERE m.type = 'table'"
    ):
        tables.setdefault(table, set()).add(column)
    migrations = set()
    if {"app", "name"} <= tables.get("django_migrations", set()):
        migrations = set(database.execute("SELECT app, name FROM django_migrations"))
    return tables, migrations


def postgresql_dump_contents(path: Path) -> tuple[dict[str, set[str]], set[tuple]]:
    """The dump's tables with their columns, and its applied migrations, read by pg_restore
    as a script (no database is touched)."""
    schema = run_tool("pg_restore", ["--schema-only", "--file=-", str(path)])
    tables = {
        table: {
            line.split()[0].strip('"')
            for line in columns.splitlines()
            if not line.lstrip().startswith("CONSTRAINT ")
        }
        for table, columns in CREATE_TABLE.findall(schema)
    }
    rows = run_tool(
        "pg_restore", ["--data-only", "--table=django_migrations", "--file=-", str(path)]
    )
    migrations = {
        tuple(line.split("\t")[1:3])
        for found in MIGRATION_ROWS.findall(rows)
        for line in found.splitlines()
    }
    return tables, migrations


def check_matches_site(path: Path, tables: dict, migrations: set, connection) -> None:
    """Refuse a copy this site would not run on: other migrations applied, or any of the
    site's tables or columns missing."""
    copy_migrations = {f"{app}.{name}" for app, name in migrations}
    site_migrations = {
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    }
    if copy_migrations != site_migrations:
        raise BackupError(
            f"{path} is not a copy of this site's database at its migrations (only in the "
            f"copy: {listed(copy_migrations - site_migrations)}; not in the copy: "
            f"{listed(site_migrations - copy_migrations)}). Nothing was changed."
        )
    introspection = connection.introspection
    with connection.cursor() as cursor:
        missing = {
            table if table not in tables else f"{table}.{column.name}"
            for table in introspection.django_table_names(only_existing=True)
            for column in introspection.get_table_description(cursor, table)
            if column.name not in tables.get(table, ())
        }
    if missing:
        raise BackupError(
            f"{path} is not a copy of this site's database (it lacks {listed(missing)}). "
            "Nothing was changed."
        )


def listed(names: set[str], most: int = 5) -> str:
    """A few of the names, and how many there are in all."""
    names = sorted(names)
    if not names:
        return "none"
    more = f", … ({len(names)} in all)" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def run_postgresql_tool(tool: str, connection, options: list[str], target: Path | None = None):
    db = connection.settings_dict
    arguments = [*options, "--dbname", db["NAME"]]
    for flag, value in (("--host", db["HOST"]), ("--port", db["PORT"]), ("--username", db["USER"])):
        if value:
            arguments += [flag, str(value)]
    if target is not None:
        arguments.append(str(target))
    env = dict(os.environ)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]  # not on the command line, where ps shows it
    run_tool(tool, arguments, env)


def run_tool(tool: str, arguments: list[str], env: dict | None = None) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} was not found. Install the PostgreSQL client tools of the server's major "
            "version (Debian: apt-get install postgresql-client), or make a portable copy "
            "with `manage.py dump_json` instead."
        )
    result = subprocess.run(
        [executable, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
    return result.stdout
