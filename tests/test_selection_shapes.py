"""The filters' SQL is written once per shape of filters and reused with each selection's
values (Selection.filtered_sql): whatever the filters, what is reused is exactly what the ORM
writes for them."""

from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import ThemeFactory
from timeline import selection
from timeline.filters import filterset_for

filters = st.fixed_dictionaries(
    {
        "theme": st.lists(
            st.sampled_from(["arms-control", "human-rights", "sanctions"]), unique=True
        ),
        "period": st.sampled_from(["", "the-reset", "putins-return"]),
        "essay": st.sampled_from(["", "weitz", "valdai"]),
        "cited": st.sampled_from(["", "any", "none"]),
        "stance": st.sampled_from(["", "cooperation", "mixed", "confrontation"]),
        "from": st.sampled_from(["", "1991", "2010-03", "2012-12-08"]),
        "q": st.sampled_from(["", "START"]),
    }
)


def selection_of(values) -> selection.Selection:
    query = QueryDict(mutable=True)
    for name, value in values.items():
        query.setlist(name, value if isinstance(value, list) else [value] if value else [])
    return filterset_for(RequestFactory().get("/"), query).selection


@given(values=filters, other_from=st.sampled_from(["1987", "2001-05", "2020-02-29"]))
def test_the_sql_reused_for_a_shape_is_what_the_orm_writes_for_these_values(
    small_timeline, values, other_from
):
    ThemeFactory(name="Sanctions", slug="sanctions")
    # Another selection of the same shape, with other values, writes the shape's SQL first.
    warmed = {**values, "from": other_from if values["from"] else ""}
    if values["theme"]:
        warmed["theme"] = list(reversed(values["theme"]))
    warm = selection_of(warmed)
    assert warm.filtered_sql
    # The shape's SQL is kept: the values put in order here are those the ORM gave.
    assert warm.shape_and_params()[0] in selection.SQL_OF_SHAPE
    chosen = selection_of(values)
    sql, params, _ = selection.selection_sql(chosen.filtered)
    assert chosen.filtered_sql == (sql, tuple(params))


def test_a_shape_is_written_once(small_timeline, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(selection, "SQL_OF_SHAPE", {})
    compiled = []
    real = selection.selection_sql
    monkeypatch.setattr(
        selection, "selection_sql", lambda events: compiled.append(1) or real(events)
    )
    for values in (
        {"theme": ["arms-control"], "from": "1991"},
        {"theme": ["arms-control"], "from": "2005"},
        {"theme": ["human-rights"], "from": "2012"},
        {"theme": ["arms-control", "human-rights"], "from": "1991"},
    ):
        assert selection_of(values).filtered_sql
    assert len(compiled) == 2  # one theme with a year; two themes with a year
