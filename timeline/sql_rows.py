"""Rows of plain SQL, read where the ORM would cost more than the query: fetched whole, and
their dates read alike from either database."""

import datetime

from django.db import connections


def fetch_rows(sql, params, using="default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value) -> datetime.date:
    """A date from SQLite (ISO text) or PostgreSQL (a date)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
