"""The data version: bumped on every change to timeline data, read once per request."""

import contextlib
import datetime
import hashlib
import threading
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import condition

WATCHED = ("Theme", "Period", "Essay", "Event", "Citation", "EventLink", "EventRelation")
# What of an event the month tallies count (timeline.tallies), as stored before a save.
COUNTED = ("start", "span_end", "stance")
# How many versions' changes are kept: a process further behind rebuilds its snapshot.
KEPT_CHANGES = 1000


@dataclass
class Change:
    """What a write changed, as a DataChange records it (timeline.snapshot patches from it)."""

    months: set = field(default_factory=set)
    events: set = field(default_factory=set)
    essays: set = field(default_factory=set)
    # The changed events' (start, span_end), before and after.
    spans: set = field(default_factory=set)
    # Events created (1) or deleted (-1).
    added: int = 0


def bump(change: Change | None = None, **kwargs):
    """Mark the data as changed (also called directly after bulk writes), recording what
    ``change`` changed; None (a bulk write, a theme, a period, an essay's details): anything."""
    from .models import DataChange, DataVersion

    with transaction.atomic():
        updated = DataVersion.objects.filter(pk=1).update(
            version=F("version") + 1, changed_at=timezone.now()
        )
        if not updated:
            DataVersion.objects.get_or_create(pk=1)
        # The row stays locked by the update until commit: this is this write's version.
        number, changed_at = DataVersion.objects.values_list("version", "changed_at").get(pk=1)
        DataChange.objects.update_or_create(
            version=number,
            defaults={
                "changed_at": changed_at,
                "everything": change is None,
                "months_text": DataChange.as_text(change.months) if change else "",
                "events_text": DataChange.as_text(change.events) if change else "",
                "essays_text": DataChange.as_text(change.essays) if change else "",
                "spans_text": DataChange.as_spans_text(change.spans) if change else "",
                "events_added": change.added if change else 0,
            },
        )
        if number % 100 == 0:
            DataChange.objects.filter(version__lte=number - KEPT_CHANGES).delete()


_paused = threading.local()


def bump_on_change(sender, raw=False, **kwargs):
    if not raw and not getattr(_paused, "active", False):
        bump(change_of(sender, **kwargs))


def remember_before_save(sender, instance, raw=False, **kwargs):
    """The event's span, or the citation's essay and event, as stored before this save: a
    change is to the months, windows (and essays) it leaves as well as those it enters."""
    if raw or instance.pk is None:
        return
    fields = COUNTED if sender.__name__ == "Event" else ("essay_id", "event_id")
    instance._stored_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


def change_of(
    sender, instance=None, action=None, reverse=False, created=False, signal=None, **kwargs
) -> Change | None:
    """What a signal's write changed, or None when it may change anything."""
    from .models import Citation, Event
    from .tallies import month_number

    def month(day):
        return month_number(day.year, day.month)

    def citing(events):
        return set(Citation.objects.filter(event_id__in=events).values_list("essay_id", flat=True))

    def spans_of(events):
        return set(Event.objects.filter(pk__in=events).values_list("start", "span_end"))

    name = sender.__name__
    stored = getattr(instance, "_stored_before", None) or {}
    if name == "Event" or (action and not reverse and isinstance(instance, Event)):
        spans = {(instance.start, instance.span_end)}
        if stored.get("start"):
            spans.add((stored["start"], stored["span_end"]))
        # The month tallies count events by start, span and stance (and themes, changed by
        # an m2m action): a save of the same three (a title, a summary) changes no month.
        kept = (
            signal is post_save
            and not created
            and stored
            and all(getattr(instance, field) == stored[field] for field in COUNTED)
        )
        months = set() if kept else {month(start) for start, _ in spans}
        essays = citing({instance.pk})
        added = 1 if created else -1 if signal is post_delete else 0
        return Change(months=months, events={instance.pk}, essays=essays, spans=spans, added=added)
    if name == "Citation":
        events = {instance.event_id, stored.get("event_id", instance.event_id)}
        spans = spans_of(events)
        # Every essay citing these events shows how many essays cite them.
        essays = {instance.essay_id, stored.get("essay_id", instance.essay_id)} | citing(events)
        return Change(
            months={month(start) for start, _ in spans}, events=events, essays=essays, spans=spans
        )
    if name == "EventLink":
        return Change(events={instance.event_id}, spans=spans_of({instance.event_id}))
    if name == "EventRelation":
        events = {instance.from_event_id, instance.to_event_id}
        return Change(events=events, spans=spans_of(events))
    return None


def bump_on_themes_change(sender, action, **kwargs):
    # Once a change is made, not also before it.
    if action.startswith("post_"):
        bump_on_change(sender, action=action, **kwargs)


@contextlib.contextmanager
def one_bump():
    """Many writes, one change of version (bulk deletes would otherwise bump per row)."""
    _paused.active = True
    try:
        yield
    finally:
        _paused.active = False
        bump()


def connect_signals(models_module):
    for name in WATCHED:
        model = getattr(models_module, name)
        post_save.connect(bump_on_change, sender=model, dispatch_uid=f"version-save-{name}")
        post_delete.connect(bump_on_change, sender=model, dispatch_uid=f"version-del-{name}")
    for name in ("Event", "Citation"):
        pre_save.connect(
            remember_before_save,
            sender=getattr(models_module, name),
            dispatch_uid=f"version-before-{name}",
        )
    m2m_changed.connect(
        bump_on_themes_change,
        sender=models_module.Event.themes.through,
        dispatch_uid="version-m2m",
    )


def current(request=None) -> tuple[str, datetime.datetime]:
    """(version tag, changed_at), memoised on the request so a view reads it once. The tag
    joins the counter and the time of the change: a rolled-back bump can repeat a counter
    value, never both."""
    if request is not None and hasattr(request, "_data_version"):
        return request._data_version
    number, changed_at = read_version()
    value = (f"{number}.{int(changed_at.timestamp() * 1_000_000)}", changed_at)
    if request is not None:
        request._data_version = value
    return value


def read_version() -> tuple[int, datetime.datetime]:
    """(counter, time of the last change) of the one DataVersion row. Plain SQL: every
    request reads it, and the ORM took twenty times as long as the database."""
    from .models import DataVersion

    with connection.cursor() as cursor:
        table = DataVersion._meta.db_table
        cursor.execute(f"SELECT version, changed_at FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return 0, datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    number, changed_at = row
    # SQLite hands back the stored UTC time without its zone.
    return number, changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=datetime.UTC)


def _variant(request) -> str:
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return "page"
    return f"htmx-{htmx.target or ''}-{int(bool(htmx.boosted))}-{int(htmx.history_restore_request)}"


def etag(request, *args, **kwargs):
    version, _ = current(request)
    return f"{version}-{_variant(request)}"


def with_version(version_of):
    """ETag and Last-Modified from ``version_of(request, *args, **kwargs)``: (tag, time) of
    the data version the response shows (see scoped_versions). A repeat view costs one small
    query and a 304. (The ETag names the variant too: full page or an htmx partial.)"""

    def etag_of(request, *args, **kwargs):
        return f"{version_of(request, *args, **kwargs)[0]}-{_variant(request)}"

    def last_modified(request, *args, **kwargs):
        return version_of(request, *args, **kwargs)[1]

    return condition(etag_func=etag_of, last_modified_func=last_modified)


def current_version(request, *args, **kwargs):
    return current(request)


# ETag and Last-Modified from the data version of everything.
with_data_version = with_version(current_version)


def cache_key(request, name: str, path: str | None = None, version: str | None = None) -> str:
    """A cache key for something rendered from this request's URL (or ``path``, what of it
    the rendering depends on) and the data at ``version`` (a tag; the current one when not
    given)."""
    version = version or current(request)[0]
    path = request.get_full_path() if path is None else path
    digest = hashlib.sha256(f"{path}|{_variant(request)}".encode()).hexdigest()
    return f"{name}:{version}:{digest[:32]}"


def context_processor(request):
    """``themes_version`` for templates (the name of the themes' colours: see snapshot), read
    only if a template uses it. Error pages must render even when the database is what
    failed."""
    from .snapshot import Snapshot

    def version():
        try:
            return Snapshot.for_request(request).themes_version
        except DatabaseError:
            return "0"

    return {"themes_version": SimpleLazyObject(version)}
