"""A paginator told its count: every paged list here is counted already, by the figures
that its page's heading shows, so Django's own COUNT would be a second one."""

from django.core.paginator import Paginator

PAGE_SIZE = 50  # events per page of a list: the timeline's, an essay's, a comparison's


class CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def counted_page(object_list, count: int, number, per_page: int = PAGE_SIZE):
    """Page ``number`` (as the request asks for it) of ``object_list``, which holds ``count``."""
    return CountedPaginator(object_list, per_page, count).get_page(number)
