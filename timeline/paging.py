"""A paginator told its count: every paged list here is counted already, by the summary
query that its page's heading shows, so Django's own COUNT would be a second one."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count
