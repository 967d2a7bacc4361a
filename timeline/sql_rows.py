"""Rows of plain SQL, read where the ORM would cost more than the query: fetched whole, and
their dates read alike from either database."""

import datetime

from django.db import connections

from .backends import backend_for


def fetch_rows(sql, params, using="default", prepared=False) -> list[tuple]:
    """The rows of ``sql``. ``prepared``: planned once per connection where the backend can
    (PostgreSQL), for statements whose one plan suits any of their values."""
    with backend_for(using).cursor(connections[using], prepared) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value) -> datetime.date:
    """A date from SQLite (ISO text) or PostgreSQL (a date)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
