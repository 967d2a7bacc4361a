"""On PostgreSQL a page's statements are planned to run in one process: a parallel worker
costs more to start than any of them takes, and with workers on offer the planner probed each
event of a theme for a search's words instead of reading the words' matches from the index."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel plans are PostgreSQL's"
)

# Workers made free to start and to hand rows over, and worth it for any table: where they
# are allowed at all, the planner then gives them a share of the work.
FREE_PARALLEL_WORKERS = (
    "parallel_setup_cost = 0",
    "parallel_tuple_cost = 0",
    "min_parallel_table_scan_size = 0",
    "min_parallel_index_scan_size = 0",
)


def test_a_search_within_a_theme_is_planned_without_parallel_workers(curated, client, htmx_headers):
    caches["default"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/?theme=arms-control&q=treaty", headers=htmx_headers)
    assert response.status_code == 200
    assert "New START" in response.text
    searches = [query["sql"] for query in captured if "ts_rank_cd" in query["sql"]]
    assert searches, "the search's statement was not run"
    with connection.cursor() as cursor:
        for setting in FREE_PARALLEL_WORKERS:
            cursor.execute(f"SET LOCAL {setting}")  # undone with the test's transaction
        cursor.execute(f"EXPLAIN {searches[0]}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Parallel" not in plan
    assert "Gather" not in plan
