#!/usr/bin/env python
"""Benchmark: how long the admin's import takes to preview and confirm --rows rows.

A fresh database (a temporary SQLite file, or with --database postgres a new database on the
server DATABASE_URL names, default postgres://postgres@127.0.0.1:5432/, dropped at the end)
with the curated events, the production settings (DJANGO_DEBUG=0) and a superuser. Through
Django's test client, in this process, the real upload and confirm views are timed for:

  create      an events CSV of --rows new events (two themes each)
  update      the same events exported, every title changed
  unchanged   the export of those events imported as it is (preview only: nothing to write)
  rejected    --rows rows dated in a thirteenth month (preview only)

Each preview is checked to say what it should ("10000 to create, 0 to update", …).

Per case: the preview's seconds, the confirmation's seconds (it plans again, then writes) and
the preview page's size. gunicorn kills a request after 30 s (the server command in
docs/operations.md); the import's row cap (timeline.imports.MAX_ROWS) is chosen to stay well
inside it.

Usage: .venv/bin/python bench/imports.py [--rows 10000] [--database sqlite|postgres]
"""

import argparse
import csv
import io
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["slug", "title", "short_title", "start", "end", "approximate", "stance", "themes"]
HEADER += ["aliases", "summary", "discussion_prompt"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    return parser.parse_args()


def database_url(kind, workdir):
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}", None
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    name = f"relations_import_bench_{uuid.uuid4().hex[:8]}"
    return server.rsplit("/", 1)[0] + "/" + name, name


def postgres(url, statement):
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(statement)


def events_csv(rows, title="Imported event", month=None):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    for number in range(rows):
        year, day = 1992 + number % 30, 1 + number % 28
        writer.writerow(
            {
                "slug": f"imported-{number}",
                "title": f"{title} {number}",
                "short_title": "",
                "start": f"{year}-{month or 1 + number % 12:02d}-{day:02d}",
                "end": "",
                "approximate": "no",
                "stance": "cooperation",
                "themes": "arms-control;diplomacy-summits",
                "aliases": "",
                "summary": f"A summary of event {number}, long enough to be a sentence.",
                "discussion_prompt": "",
            }
        )
    return out.getvalue()


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_case(client, name, text, confirm, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from lxml import html

    upload = SimpleUploadedFile(f"{name}.csv", text.encode(), content_type="text/csv")
    seconds, preview = timed(lambda: client.post("/admin/timeline/event/import/", {"file": upload}))
    if preview.status_code != 200:
        raise SystemExit(f"{name}: the preview answered {preview.status_code}")
    if expected not in preview.content.decode():
        raise SystemExit(f"{name}: the preview does not say “{expected}”")
    confirmed = None
    if confirm:
        payload = html.fromstring(preview.content).xpath('//input[@name="payload"]/@value')[0]
        confirmed, answer = timed(
            lambda: client.post(
                "/admin/timeline/event/import/confirm/", {"payload": payload, "action": "confirm"}
            )
        )
        if answer.status_code != 302:
            raise SystemExit(f"{name}: the confirmation answered {answer.status_code}")
    return seconds, confirmed, len(preview.content)


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="relations-import-bench-"))
    url, postgres_name = database_url(args.database, workdir)
    if postgres_name:
        postgres(url, f'CREATE DATABASE "{postgres_name}"')
    os.environ.update(
        DJANGO_SETTINGS_MODULE="relations.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DATABASE_URL=url,
    )
    sys.path.insert(0, str(ROOT))
    try:
        measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if postgres_name:
            postgres(url, f'DROP DATABASE "{postgres_name}"')
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args):
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from timeline.models import Event

    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_timeline", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password=secrets.token_hex(16)))
    print(
        f"{args.rows:,} rows on {connection.vendor} "
        f"({Event.objects.count():,} events before), Python {sys.version.split()[0]}"
    )
    print(f"{'case':<10} {'preview s':>10} {'confirm s':>10} {'preview page':>13}")
    n = args.rows
    cases = [
        ("create", events_csv(n), True, f"{n} to create, 0 to update"),
        ("update", events_csv(n, title="Renamed event"), True, f"0 to create, {n} to update"),
        ("unchanged", events_csv(n, title="Renamed event"), False, f"{n} unchanged"),
        # A thirteenth month: every row rejected.
        ("rejected", events_csv(n, month=13), False, f"{n} rejected"),
    ]
    for name, text, confirm, expected in cases:
        preview, confirmed, size = run_case(client, name, text, confirm, expected)
        shown = f"{confirmed:10.1f}" if confirmed is not None else f"{'—':>10}"
        print(f"{name:<10} {preview:10.1f} {shown} {size / 1024:10.0f} KB")
    print(f"{Event.objects.count():,} events after")


if __name__ == "__main__":
    main()
