import re

from django.db import migrations


def keep_words_only(apps, schema_editor):
    """Search text without punctuation: PostgreSQL's parser read "<Cold>" as a markup tag."""
    Event = apps.get_model("timeline", "Event")
    for event in Event.objects.only("pk", "search_text").iterator(chunk_size=2000):
        words = " ".join(re.findall(r"\w+", event.search_text))
        if words != event.search_text:
            Event.objects.filter(pk=event.pk).update(search_text=words)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0006_event_search")]

    operations = [migrations.RunPython(keep_words_only, migrations.RunPython.noop)]
