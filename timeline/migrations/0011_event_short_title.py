from django.db import migrations, models

HELP = (
    "The label of the event's mark on the time axis, at most 32 characters (“New START "
    "signed”). Left empty, the title is shortened on a word boundary."
)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0010_facet_covering_index"),
    ]

    operations = [
        # Added in place: on SQLite, Django would rebuild the events' table, which drops its
        # triggers (full-text search, facets).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE timeline_event ADD COLUMN short_title varchar(32) NOT NULL "
                    "DEFAULT ''",
                    "ALTER TABLE timeline_event DROP COLUMN short_title",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="event",
                    name="short_title",
                    field=models.CharField(blank=True, help_text=HELP, max_length=32),
                )
            ],
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="short_title",
            field=models.CharField(blank=True, help_text=HELP, max_length=32),
        ),
    ]
