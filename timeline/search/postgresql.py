"""PostgreSQL's search: text search on the expression migration 0006 indexes (GIN), ranked by
SearchRank through the ORM."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

from ..models import Event


def text_query(words: list[str]) -> SearchQuery:
    """Every word, as a prefix."""
    return SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="english"
    )


def search_vector() -> SearchVector:
    """The indexed expression (see migration 0006)."""
    return SearchVector("search_text", config="english")


class PostgreSQLSearch:
    # The selection filters through the ORM's subquery of matches, and ranks through it.
    matches_first = False

    def matching_ids(self, words: list[str]):
        return (
            Event.objects.alias(document=search_vector())
            .filter(document=text_query(words))
            .values("pk")
        )

    def best_matches_first(self, queryset, words: list[str]):
        """``queryset`` (of events), those matching ``words`` best first, then by start and
        title."""
        rank = SearchRank(search_vector(), text_query(words))
        return queryset.annotate(search_rank=rank).order_by("-search_rank", "start", "title")
