"""PostgreSQL copies each event's search vector (migration 0017) onto its facets, with one GIN
index on theme and words (btree_gin): a search within themes reads the facets of those themes
matching its words from that index, where it joined every match of the words to every facet
of the themes. The facet triggers of migrations 0008 and 0009 now copy the vector with the
dates, and follow the event's text; SQLite keeps its FTS5 table, and the models know nothing
of the column."""

from importlib import import_module

from django.db import migrations

facets = import_module("timeline.migrations.0008_event_facets")
classes = import_module("timeline.migrations.0009_event_span_class")

COLUMN = "search_vector"
INDEX = "eventfacet_theme_words_gin"
COPY_ONE = (
    f"INSERT INTO {facets.FACETS} (event_id, theme_id, start, span_end, span_class, stance, "
    f"{COLUMN}) SELECT id, NEW.theme_id, start, span_end, span_class, stance, {COLUMN} "
    "FROM timeline_event WHERE id = NEW.event_id"
)
# The vector is generated from search_text: a change of the text changes it.
FOLLOW_EVENT = (
    f"UPDATE {facets.FACETS} SET start = NEW.start, span_end = NEW.span_end, "
    f"span_class = NEW.span_class, stance = NEW.stance, {COLUMN} = NEW.{COLUMN} "
    "WHERE event_id = NEW.id"
)
TRIGGERS = {
    "tagged": ("AFTER INSERT", facets.TAGS, COPY_ONE),
    "event_changed": (
        "AFTER UPDATE OF start, span_end, span_class, stance, search_text",
        "timeline_event",
        FOLLOW_EVENT,
    ),
}


def replace_triggers(schema_editor, triggers):
    for name, (when, table, statement) in triggers.items():
        facets.drop_trigger(schema_editor, name, table)
        facets.create_trigger(schema_editor, name, when, table, statement)


def copy_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # btree_gin lets one GIN index hold the theme beside the words (a trusted extension: the
    # database's owner may create it).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(f"ALTER TABLE {facets.FACETS} ADD COLUMN {COLUMN} tsvector")
    replace_triggers(schema_editor, TRIGGERS)
    schema_editor.execute(
        f"UPDATE {facets.FACETS} AS facet SET {COLUMN} = event.{COLUMN} "  # noqa: S608
        "FROM timeline_event AS event WHERE event.id = facet.event_id"
    )
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON {facets.FACETS} USING gin (theme_id, {COLUMN})"
    )


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    replace_triggers(schema_editor, classes.TRIGGERS)
    schema_editor.execute(f"ALTER TABLE {facets.FACETS} DROP COLUMN {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("timeline", "0022_data_change_spans")]

    operations = [migrations.RunPython(copy_vectors, drop_vectors)]
