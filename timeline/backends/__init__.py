"""The SQL that differs between the databases the app runs on: one backend per database,
chosen once per database alias by its vendor (sqlite.py, postgresql.py).

Every backend writes the month an event starts in as "YYYY-MM" text (``month_of_start``) and
an event's span in days (``span_days``) as SQL expressions, and searches the events' titles,
aliases, summaries and quotations (SQLite: FTS5; PostgreSQL: the stored tsvector column of
migration 0017 with its GIN index, and its copy on each facet, migration 0023).
``matching_ids(words)`` gives the ids of the events matching every word as a prefix (a
subquery for the ORM). A selection (timeline.selection) starts from a search's matches: the
backend gives them as SQL, scored in the same statement (``matches_sql``), or, where
``searches_own_rows`` (the words are matched on the selection's own rows, events or facets), as
a condition and a score among the filters (``match_condition``, ``score``); it ranks a
selection in plain SQL (``ranked_sql``), and writes a condition on a list of event ids as one
parameter (``ids_condition``) for the best matches the selection's figures found and for the
list entries' pieces (timeline.cards). ``cursor(connection, prepared)`` gives a cursor whose
statements are planned once per connection where the database allows it.
"""

import functools

from django.core.exceptions import ImproperlyConfigured
from django.db import connections


@functools.cache
def backend_for(using: str = "default"):
    """The backend of the database ``using``."""
    vendor = connections[using].vendor
    if vendor == "sqlite":
        from .sqlite import SQLiteBackend

        return SQLiteBackend()
    if vendor == "postgresql":
        from .postgresql import PostgreSQLBackend

        return PostgreSQLBackend()
    # Migration 0008's triggers refuse any other database, so nothing falls back to a scan.
    raise ImproperlyConfigured(f"No backend for {vendor}: use SQLite or PostgreSQL.")
