from django.core.management import call_command
from django.core.management.base import BaseCommand

# Left out: rows every database makes for itself (content types, permissions, the event
# facets its triggers derive from the events), and short-lived ones (sessions, django-axes'
# login attempts).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "timeline.eventfacet"]


class Command(BaseCommand):
    help = (
        "Write the whole site (timeline, history, users, groups, admin log) as portable JSON "
        "that `load_json` puts into any fresh database, SQLite or PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON file to write ('-' for standard output).")

    def handle(self, *args, path, **options):
        # Natural keys instead of ids for users, groups, permissions and content types,
        # which a fresh database numbers its own way.
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            indent=1,
            output=None if path == "-" else path,
            stdout=self.stdout,
        )
