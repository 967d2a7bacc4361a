"""Consistent copies of the database taken while the site runs, and putting one back.

SQLite uses its online backup API: a snapshot of the committed data, page by page, while
readers and writers carry on. PostgreSQL uses pg_dump, which reads one snapshot in one
transaction, and pg_restore. The portable JSON dump (any database to any other) is
``manage.py dump_json`` / ``load_json``.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

# Tables a copy of this site's database must have.
REQUIRED_TABLES = {"django_migrations", "timeline_event", "timeline_historicalevent"}


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


def default_path(alias: str = "default") -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3" if connections[alias].vendor == "sqlite" else ".dump"
    return Path(settings.BASE_DIR) / "backups" / f"relations-{stamp}{suffix}"


def backup(path: Path, alias: str = "default") -> None:
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    try:
        if connection.vendor == "sqlite":
            backup_sqlite(connection, path)
        elif connection.vendor == "postgresql":
            run_postgresql_tool("pg_dump", connection, ["--format=custom", "--file", str(path)])
        else:
            raise BackupError(f"No backup method for {connection.vendor}; use dump_json.")
    except BackupError:
        path.unlink(missing_ok=True)  # never leave a half-written copy that looks like one
        raise


def restore(path: Path, alias: str = "default") -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    connection = connections[alias]
    if connection.vendor == "sqlite":
        restore_sqlite(connection, path)
    elif connection.vendor == "postgresql":
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
        check_sqlite_copy(target, path)


def restore_sqlite(connection, path: Path) -> None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
        check_sqlite_copy(source, path)
        connection.ensure_connection()
        # Written through the backup API as well: other connections (a running site) wait
        # for the copy to finish and then see all of it, never half of it.
        source.backup(connection.connection)


def check_sqlite_copy(database: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
        # The CHECK constraints call functions only Django's connections define; they were
        # enforced on every write anyway. This checks pages, indexes and uniqueness.
        database.execute("PRAGMA ignore_check_constraints = ON")
        integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from None
    if missing := REQUIRED_TABLES - tables:
        raise BackupError(
            f"{path} is not a copy of this site's database (no {', '.join(sorted(missing))})."
        )
    if integrity != "ok":
        raise BackupError(f"{path} is damaged: {integrity}")


def run_postgresql_tool(tool: str, connection, options: list[str], target: Path | None = None):
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} was not found. Install the PostgreSQL client tools of the server's major "
            "version (Debian: apt-get install postgresql-client), or make a portable copy "
            "with `manage.py dump_json` instead."
        )
    db = connection.settings_dict
    command = [executable, *options, "--dbname", db["NAME"]]
    for flag, value in (("--host", db["HOST"]), ("--port", db["PORT"]), ("--username", db["USER"])):
        if value:
            command += [flag, str(value)]
    if target is not None:
        command.append(str(target))
    env = dict(os.environ)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]  # not on the command line, where ps shows it
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
