#!/usr/bin/env python
"""The plans of the statements an htmx fragment of the timeline runs, each URL asked for the
first time: every statement is run again under ``EXPLAIN (ANALYZE, BUFFERS)`` (PostgreSQL) or
``EXPLAIN QUERY PLAN`` (SQLite), and its plan written to ``--out`` (one file per URL).

Against the database DATABASE_URL names, as it is (generate one with ``generate_events``):

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python bench/explain.py \
      '/?theme=arms-control&from=2003&to=2008' '/?q=treaty&from=1995&to=2005'

Usage: bench/explain.py [--out bench/explain] URL...
"""

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HX-Request": "true", "HX-Target": "results"}


def file_name(url: str) -> str:
    """The URL's query as a file name: letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "all"


def plan_of(connection, sql: str, params) -> str:
    explain = (
        "EXPLAIN (ANALYZE, BUFFERS)" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    )
    with connection.cursor() as cursor:
        # The statement as it ran, with the parameters it ran with.
        cursor.execute(f"{explain} {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", help="paths of the timeline, e.g. '/?q=treaty'")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "explain")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relations.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from timeline.models import Event

    client = Client(HTTP_HOST="127.0.0.1")
    # The data version's snapshot (tallies, choices) loads once per process: not a URL's cost.
    client.get("/", headers=HTMX)
    events = Event.objects.count()
    args.out.mkdir(parents=True, exist_ok=True)
    for url in args.urls:
        # Each statement with its parameters: a prepared one's logged text does not hold them.
        statements = []

        def record(execute, sql, params, many, context, statements=statements):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url, headers=HTMX)
        lines = [f"{connection.vendor}, {events:,} events: GET {url} (htmx fragment, first ask)"]
        lines.append(f"status {response.status_code}, {len(statements)} statements\n")
        for number, (sql, params) in enumerate(statements, 1):
            lines += [f"-- {number}. {sql}", f"-- parameters: {params!r}"]
            lines += [plan_of(connection, sql, params), ""]
        path = args.out / f"{connection.vendor}-{events // 1000}k-{file_name(url)}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
