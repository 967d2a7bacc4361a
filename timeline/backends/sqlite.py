"""SQLite's SQL: dates as ISO text, and search through the FTS5 table of migration 0006
(porter stemming), ranked by bm25."""

import json

from django.db.models.expressions import RawSQL

FTS_TABLE = "timeline_event_fts"


def fts_query(words: list[str]) -> str:
    """An FTS5 query: every word, as a prefix."""
    return " ".join(f'"{word}"*' for word in words)


class SQLiteBackend:
    """FTS5 hands over the matches cheaply: a selection starts from them, where probing them
    for every event of a theme cost four times more."""

    # Dates are stored as ISO text: slicing it is far cheaper than a date function.
    month_of_start = "substr(start, 1, 7)"
    span_days = "julianday(span_end) - julianday(start)"
    # The FTS5 table is apart from the events: matches are joined to a selection.
    searches_own_rows = False

    def matching_ids(self, words: list[str]) -> RawSQL:
        # The FTS5 table has no model.
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        return RawSQL(sql, (fts_query(words),))

    def matches_sql(self, words: list[str], scored: bool) -> tuple[str, tuple]:
        """The matches as SQL selecting ``matched`` (the event's id) and, ``scored``, their
        ``score`` (bm25: lower is better), worked out for the matches alone."""
        score = f", bm25({FTS_TABLE}) AS score" if scored else ""
        # The FTS5 table has no model, and the selection joins these to its own SQL.
        sql = f"SELECT rowid AS matched{score} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        return sql, (fts_query(words),)

    def ranked_sql(self, words, selected, table, columns) -> tuple[str, tuple]:
        """``columns`` of the events of ``table`` that ``selected`` ((sql, params) selecting
        event_pk) holds, best matches first, then by start and title. bm25 scores the
        matches in the same join."""
        sql, params = selected
        # bm25 scores only in a statement that matches on the FTS5 table, which has no model.
        return (
            f"SELECT {columns} FROM {table} JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = {table}.id "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND {table}.id IN (SELECT event_pk FROM ({sql}) AS "
            f"selected) ORDER BY bm25({FTS_TABLE}), {table}.start, {table}.title",
            (fts_query(words), *params),
        )

    def ids_condition(self, ids: list[int], column: str = "id") -> tuple[str, tuple]:
        """SQL true of the rows whose ``column`` is one of ``ids``: one JSON parameter,
        however many."""
        # The column is a name from this code, never input.
        return f"{column} IN (SELECT value FROM json_each(%s))", (json.dumps(ids),)  # noqa: S608

    def cursor(self, connection, prepared: bool):
        # Python's sqlite3 already keeps each connection's recent statements compiled.
        return connection.cursor()
