"""Writing an import's planned rows in a handful of statements, whatever their number.

Saving row by row cost a dozen queries per row (the save, its history, the themes and their
history, the data version), so 2,000 rows ran past the server's 30-second timeout. Bulk
writes send no signals, so this module does by hand what the signals would: it derives the
stored fields as ``Event.save`` does, records each row's history (themes included) as
django-simple-history would, refreshes the searchable text of events whose quotations
changed, and raises the data version once. The database's own triggers keep the
per-theme facets and the full-text index, as for any other write.
"""

from collections import defaultdict

from django.apps import apps
from django.db import connection
from django.utils import timezone

from . import versioning
from .models import Citation, Event

BATCH_SIZE = 500
# What a save changes beyond the fields the file sets (and the version, raised in SQL).
EVENT_DERIVED_FIELDS = ["span_end", "span_class", "search_text", "updated_at"]


def write_events(created: list, updated: list, user=None):
    """Insert ``created`` and update ``updated`` (planned rows holding an event and, where
    they change, its themes), with their history, in a few bulk statements."""
    now = timezone.now()
    quotes = quotes_by_event([row.instance.pk for row in updated])
    for row in [*created, *updated]:
        row.instance.set_derived_fields(quotes.get(row.instance.pk, []))
        row.instance.updated_at = now
    Event.objects.bulk_create([row.instance for row in created], batch_size=BATCH_SIZE)
    fields = sorted({name for row in updated for name in row.changes if name != "themes"})
    # Raised in the database, as a save does, so an editor's form open meanwhile is refused.
    update_each(
        [row.instance for row in updated], [*fields, *EVENT_DERIVED_FIELDS], raise_version=True
    )
    with_new_themes = [row for row in [*created, *updated] if row.themes is not None]
    set_themes(with_new_themes)
    record_event_history(created, updated, user, now)
    versioning.bump()


def set_themes(rows):
    through = Event.themes.through
    through.objects.filter(event_id__in=[row.instance.pk for row in rows]).delete()
    insert_each(
        through,
        ["event", "theme"],
        [[row.instance.pk, theme.pk] for row in rows for theme in dict.fromkeys(row.themes)],
    )


def record_event_history(created, updated, user, now):
    """One history record per written event, with its themes as they now are."""
    records = [
        *Event.history.bulk_history_create(
            [row.instance for row in created], default_user=user, default_date=now
        ),
        *Event.history.bulk_history_create(
            [row.instance for row in updated], update=True, default_user=user, default_date=now
        ),
    ]
    historical_themes = apps.get_model("timeline", "HistoricalEvent_themes")
    links = defaultdict(list)
    for link_id, event_id, theme_id in Event.themes.through.objects.filter(
        event_id__in=[record.id for record in records]
    ).values_list("id", "event_id", "theme_id"):
        links[event_id].append((link_id, theme_id))
    insert_each(
        historical_themes,
        ["history", "id", "event", "theme"],
        [
            [record.history_id, link_id, record.id, theme_id]
            for record in records
            for link_id, theme_id in links[record.id]
        ],
    )


def write_citations(created: list, updated: list, user=None):
    """Insert and update citations with their history, then refresh the searchable text of
    the events whose quotations changed."""
    now = timezone.now()
    for row in [*created, *updated]:
        row.instance.updated_at = now
    Citation.objects.bulk_create([row.instance for row in created], batch_size=BATCH_SIZE)
    update_each([row.instance for row in updated], ["quote", "note", "updated_at"])
    Citation.history.bulk_history_create(
        [row.instance for row in created], default_user=user, default_date=now
    )
    Citation.history.bulk_history_create(
        [row.instance for row in updated], update=True, default_user=user, default_date=now
    )
    refresh_search_texts({row.instance.event_id for row in [*created, *updated]})
    versioning.bump()


def quotes_by_event(event_ids) -> dict[int, list[str]]:
    quotes = defaultdict(list)
    for event_id, quote in Citation.objects.filter(event_id__in=event_ids).values_list(
        "event_id", "quote"
    ):
        quotes[event_id].append(quote)
    return quotes


def refresh_search_texts(event_ids):
    """What ``Event.refresh_search_text`` does for one event, for many at once."""
    quotes = quotes_by_event(event_ids)
    events = list(Event.objects.filter(pk__in=event_ids).only("title", "aliases", "summary"))
    for event in events:
        event.search_text = event.compute_search_text(quotes.get(event.pk, []))
    update_each(events, ["search_text"])


def insert_each(model, field_names, rows):
    """One INSERT statement run for every row of plain values (executemany): for the link
    tables' integer columns, bulk_create's per-value compiling cost more than the writing."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in field_names]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def update_each(instances, field_names, raise_version=False):
    """One UPDATE statement run for every instance (executemany): bulk_update's CASE
    expressions cost seconds of Python per thousand rows."""
    if not instances:
        return
    meta = instances[0]._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = [f"{quote(field.column)} = %s" for field in fields]
    if raise_version:
        assignments.append(f"{quote('version')} = {quote('version')} + 1")
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields]
        + [instance.pk]
        for instance in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
