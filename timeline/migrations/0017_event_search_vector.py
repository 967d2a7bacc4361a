"""PostgreSQL keeps each event's text search vector in a stored generated column with a GIN
index, in place of 0006's index on an expression: a search reads the vector to rank its
matches (ts_rank_cd) instead of parsing every matched event's text again. SQLite keeps its FTS5
table; the models know nothing of the column, which PostgreSQL alone maintains."""

from django.db import migrations

COLUMN = "search_vector"
INDEX = "timeline_event_search_vector_gin"
EXPRESSION_INDEX = "timeline_event_search_gin"  # migration 0006's


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE timeline_event ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS "
        "(to_tsvector('english'::regconfig, search_text)) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON timeline_event USING gin ({COLUMN})")
    schema_editor.execute(f"DROP INDEX IF EXISTS {EXPRESSION_INDEX}")


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX {EXPRESSION_INDEX} ON timeline_event USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(search_text, '')))"
    )
    schema_editor.execute(f"ALTER TABLE timeline_event DROP COLUMN {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("timeline", "0016_text_refuses_nul_and_colour_is_hex")]

    operations = [migrations.RunPython(add_search_vector, drop_search_vector)]
