from django.db import migrations
from django.db.models import F
from django.utils import timezone

from timeline.typography import curly_quotes

# Titles and names as editors now save them: with typographic quotation marks.
FIELDS = {"Event": ("title", "short_title"), "Essay": ("title",), "Period": ("name",)}


def curl_quotes(apps, schema_editor):
    changed = False
    for model_name, fields in FIELDS.items():
        model = apps.get_model("timeline", model_name)
        for row in model.objects.values("pk", *fields):
            values = {name: curly_quotes(row[name]) for name in fields}
            if any(values[name] != row[name] for name in fields):
                model.objects.filter(pk=row["pk"]).update(**values)
                changed = True
    if changed:  # cached pages of the old titles go
        apps.get_model("timeline", "DataVersion").objects.filter(pk=1).update(
            version=F("version") + 1, changed_at=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [("timeline", "0011_event_short_title")]

    operations = [migrations.RunPython(curl_quotes, migrations.RunPython.noop)]
