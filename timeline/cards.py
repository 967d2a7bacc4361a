"""Each event's entry in the timeline list, rendered once per process and data version.

A list page shows 50 events out of many filters' worth of combinations, and the same events
come back under different filters: rendering an entry once and reusing it makes a new filter
cost its queries, not its template work.
"""

import threading

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from .models import Event

# At roughly 500 bytes an entry, at most about 10 MB of HTML per process.
MAX_CARDS = 20_000

_lock = threading.Lock()
_cache = {"version": None, "cards": {}}


def event_cards(event_ids, version) -> dict[int, str]:
    """Event id → its list entry (safe HTML) for the data version ``version``."""
    with _lock:
        if _cache["version"] != version:
            _cache.update(version=version, cards={})
        cards = _cache["cards"]
        found = {pk: cards[pk] for pk in event_ids if pk in cards}
    missing = [pk for pk in event_ids if pk not in found]
    if missing:
        template = get_template("timeline/index.html#event_card")
        rendered = {
            event.pk: mark_safe(template.render({"event": event}).strip())  # our own template
            for event in Event.objects.for_timeline().filter(pk__in=missing).order_by()
        }
        found.update(rendered)
        with _lock:
            if _cache["version"] == version:
                if len(_cache["cards"]) + len(rendered) > MAX_CARDS:
                    _cache["cards"] = {}
                _cache["cards"].update(rendered)
    return found
