"""PostgreSQL's SQL: dates as dates, and search through the stored tsvector column of
migration 0017 (GIN index, english stemming) and its copy on each facet (migration 0023: a GIN
index on theme and words), ranked by ts_rank_cd on the stored vectors."""

from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

EVENTS = "timeline_event"
VECTOR = "search_vector"
# The words as a tsquery: a parameter, never part of the SQL.
QUERY = "to_tsquery('english'::regconfig, %s)"


def text_query(words: list[str]) -> str:
    """Every word, as a prefix. The words are letters, digits and underscores only
    (search_text.search_words), so none can be read as the query language's operators."""
    return " & ".join(f"{word}:*" for word in words)


class PostgreSQLBackend:
    """The GIN indexes hand over the matches, scored from their stored vectors: a selection
    matches on its own rows, events or facets, rather than probing each event of a theme."""

    month_of_start = "to_char(start, 'YYYY-MM')"
    span_days = "span_end - start"
    # The vector is on the selection's own rows, the events' or (with themes) the facets':
    # the words are matched and scored there, rather than joining the matches back to the
    # events, which read each match twice, or to every facet of the themes (bench/explain/).
    searches_own_rows = True

    def match_condition(self, words: list[str], table: str = EVENTS) -> RawSQL:
        """True of the rows of ``table`` (events or facets) matching every word."""
        # The column has no model field: PostgreSQL alone keeps it.
        return RawSQL(
            f"{table}.{VECTOR} @@ {QUERY}", (text_query(words),), output_field=BooleanField()
        )

    def score(self, words: list[str], table: str = EVENTS) -> RawSQL:
        """The score for the words of the rows of ``table`` (ts_rank_cd negated: lower is
        better)."""
        return RawSQL(
            f"-ts_rank_cd({table}.{VECTOR}, {QUERY})",
            (text_query(words),),
            output_field=FloatField(),
        )

    def matching_ids(self, words: list[str]) -> RawSQL:
        # The column has no model field: PostgreSQL alone keeps it.
        sql = f"SELECT id FROM {EVENTS} WHERE {VECTOR} @@ {QUERY}"  # noqa: S608
        return RawSQL(sql, (text_query(words),))

    def ranked_sql(self, words, selected, table, columns) -> tuple[str, tuple]:
        """``columns`` of the events of ``table`` that ``selected`` ((sql, params) selecting
        event_pk) holds, best matches first, then by start and title. ts_rank_cd scores the
        matches in the same statement."""
        sql, params = selected
        # The column has no model field, and the selection is plain SQL.
        return (
            f"SELECT {columns} FROM {table}, {QUERY} AS query "  # noqa: S608
            f"WHERE {table}.{VECTOR} @@ query AND {table}.id IN (SELECT event_pk FROM ({sql}) "
            f"AS selected) ORDER BY ts_rank_cd({table}.{VECTOR}, query) DESC, {table}.start, "
            f"{table}.title",
            (text_query(words), *params),
        )

    def ids_condition(self, ids: list[int], column: str = "id") -> tuple[str, tuple]:
        """SQL true of the rows whose ``column`` is one of ``ids``: one array parameter,
        however many."""
        return f"{column} = ANY(%s)", (ids,)

    def cursor(self, connection, prepared: bool):
        """A cursor of ``connection``; ``prepared``: one whose statements the server plans
        once per connection and statement text, then reuses the plan (see PreparedCursor)."""
        if not prepared:
            return connection.cursor()
        # What connection.cursor() does before it makes a cursor, and then wraps it alike.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        connection.validate_thread_sharing()
        # Django turns psycopg's preparing off (None); its own client-side cursors never
        # prepare, so from here on only PreparedCursor's statements are prepared.
        connection.connection.prepare_threshold = 0
        cursor = PreparedCursor(connection.connection)
        if connection.queries_logged:
            return connection.make_debug_cursor(cursor)
        return connection.make_cursor(cursor)


class PreparedCursor(ServerBindingCursor):
    """Django's cursor binding its parameters on the server, preparing each statement on its
    first run: planning was much of a page's statements' time on the server, and one plan
    serves every year window (tests/test_prepared_statements.py; docs/performance.md, "How it
    stays fast"). Not for a search's statements: their best plan depends on the words."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)
