"""PostgreSQL's indexes on the events' dates and stance also hold the id (INCLUDE), as
SQLite's hold the rowid: a selection's arms and its page of rows then read them alone instead
of fetching each row (bench/explain has the plans). The models declare these indexes without
it: Django warns that SQLite ignores INCLUDE, so PostgreSQL alone is told."""

from django.db import migrations

# name: key columns (as the models declare them)
INDEXES = {
    "event_span_stance_idx": "start, span_end, stance",
    "event_class_span_idx": "span_class, start, span_end, stance",
}


def recreate(schema_editor, include):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON timeline_event ({columns}){include}")


def include_id(apps, schema_editor):
    recreate(schema_editor, " INCLUDE (id)")


def leave_out_id(apps, schema_editor):
    recreate(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("timeline", "0017_event_search_vector")]

    operations = [migrations.RunPython(include_id, leave_out_id)]
