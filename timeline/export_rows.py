"""The selected events as plain rows for the downloads: one query for the events' columns,
one for their themes (and one for their citations when asked), and no model instances, so an
export of the largest allowed selection takes a fraction of a second to gather."""

import datetime
from collections import defaultdict
from dataclasses import MISSING, dataclass, field, fields

from .cards import event_urls
from .models import Citation, Event


@dataclass(slots=True)
class ExportedEvent:
    pk: int
    slug: str
    title: str
    short_title: str
    start: datetime.date
    start_precision: str
    end: datetime.date | None
    end_precision: str
    span_end: datetime.date
    approximate: bool
    stance: str
    aliases: str
    summary: str
    discussion_prompt: str
    updated_at: datetime.datetime
    main_theme_id: int
    url: str = ""
    themes: list = field(default_factory=list)  # the main theme first, then in theme order
    citations: list = field(default_factory=list)  # (essay, quote), oldest essay first

    @property
    def main_theme(self):
        return self.themes[0]

    # Read from the same-named fields, as on the model.
    date_display = Event.date_display
    alias_list = Event.alias_list


# The columns read for each row: the fields above without a default, in their order.
COLUMNS = tuple(
    f.name for f in fields(ExportedEvent) if f.default is MISSING and f.default_factory is MISSING
)


def exported_events(request, events, choices, *, citations=False) -> list[ExportedEvent]:
    """``events`` (a queryset in timeline order) as rows, themes from ``choices``."""
    site, path_of = request.build_absolute_uri("/").removesuffix("/"), event_urls()
    rows = [
        ExportedEvent(*values) for values in events.values_list(*COLUMNS).iterator(chunk_size=2000)
    ]
    by_pk = {row.pk: row for row in rows}
    theme_by_id = {theme.pk: theme for theme in choices.themes}
    position = choices.theme_position
    tagged = defaultdict(list)
    pairs = Event.themes.through.objects.filter(event_id__in=events.values("pk"))
    for event_id, theme_id in pairs.values_list("event_id", "theme_id").iterator(chunk_size=5000):
        tagged[event_id].append(theme_id)
    for row in rows:
        others = sorted(
            (theme_id for theme_id in tagged[row.pk] if theme_id != row.main_theme_id),
            key=position.__getitem__,
        )
        row.themes = [theme_by_id[theme_id] for theme_id in (row.main_theme_id, *others)]
        row.url = site + path_of(row.slug)
    if citations:
        essay_by_id = {essay.pk: essay for essay in choices.essays}
        cited = (
            Citation.objects.filter(event_id__in=events.values("pk"))
            .order_by("essay__published", "essay__title", "pk")
            .values_list("event_id", "essay_id", "quote")
        )
        for event_id, essay_id, quote in cited.iterator(chunk_size=5000):
            by_pk[event_id].citations.append((essay_by_id[essay_id], quote))
    return rows
