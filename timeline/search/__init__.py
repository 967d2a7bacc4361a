"""Full-text search of the events' titles, aliases, summaries and quotations: one backend per
database, chosen once per database alias by its vendor (sqlite.py: FTS5; postgresql.py: the
stored tsvector column of migration 0017 and its GIN index).

Every backend offers ``matching_ids(words)``, the ids of the events matching every word as a
prefix (a subquery for the ORM). A selection (timeline.selection) starts from a search's
matches: the backend gives them as SQL, scored in the same statement (``matches_sql``), ranks
a selection in plain SQL (``ranked_sql``), and writes a condition on a list of event ids
(``ids_condition``) for the best matches the selection's figures found.
"""

import functools
import re

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

MAX_SEARCH_WORDS = 12


def search_words(text: str) -> list[str]:
    """Plain words only: the full-text query languages never see the reader's punctuation."""
    return re.findall(r"\w+", text.lower())[:MAX_SEARCH_WORDS]


def searchable_text(*texts: str) -> str:
    """The words of ``texts`` with the punctuation dropped: PostgreSQL's parser would read
    "<Cold>" as a markup tag and index nothing of it."""
    return " ".join(word for text in texts for word in re.findall(r"\w+", text))


@functools.cache
def search_backend(using: str = "default"):
    """The search of the database ``using``. The backends are imported here, not above: they
    read the models, which import this module."""
    vendor = connections[using].vendor
    if vendor == "sqlite":
        from .sqlite import SQLiteSearch

        return SQLiteSearch()
    if vendor == "postgresql":
        from .postgresql import PostgreSQLSearch

        return PostgreSQLSearch()
    # Migration 0008's triggers refuse any other database, so no search falls back to a scan.
    raise ImproperlyConfigured(f"No full-text search for {vendor}: use SQLite or PostgreSQL.")
