"""Keeping the database's query planner informed after bulk writes."""

from django.db import connection


def refresh_statistics():
    """Let the query planner see the data as it now is. SQLite keeps no statistics until
    ANALYZE runs, and without them it reads a 100,000-event list through the three-valued
    stance index instead of in time order (20 ms instead of 1). PostgreSQL's autovacuum would
    get there too, later."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
