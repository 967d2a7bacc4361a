"""On PostgreSQL, a page's list of events is planned once per connection and shape, then
reused for every new year window; a search's statements, whose best plan depends on its
words, are planned for each."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)

LIST_STATEMENT = "%ORDER BY start, span_end, title LIMIT%"


def prepared(pattern) -> list[tuple[str, int]]:
    """The statements this connection has prepared whose text is like ``pattern``, with how
    many times each was run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [pattern],
        )
        return cursor.fetchall()


def test_new_year_windows_reuse_one_prepared_list_statement(curated, client, htmx_headers):
    runs_before = dict(prepared(LIST_STATEMENT))
    responses = [
        client.get(f"/?theme=arms-control&from={first}&to={last}", headers=htmx_headers)
        for first, last in ((2009, 2014), (2001, 2004), (2016, 2022), (1991, 1999))
    ]
    assert [response.status_code for response in responses] == [200] * 4
    assert "New START" in responses[0].text
    runs = {
        statement: count - runs_before.get(statement, 0)
        for statement, count in prepared(LIST_STATEMENT)
        if count > runs_before.get(statement, 0)
    }
    # One statement text, run once for each window.
    assert list(runs.values()) == [4]


def test_a_search_is_planned_for_its_own_words(curated, client, htmx_headers):
    response = client.get("/?q=treaty", headers=htmx_headers)
    assert response.status_code == 200
    assert b"New START" in response.content
    assert prepared("%to_tsquery%") == []
