from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.backups import BackupError, backup, default_path


class Command(BaseCommand):
    help = (
        "Copy the database consistently while the site runs: SQLite through its online backup "
        "API, PostgreSQL with pg_dump. Put it back with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            help="File to write (default: backups/relations-<UTC time>.sqlite3 or .dump).",
        )

    def handle(self, *args, path, **options):
        path = path or default_path()
        try:
            backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}"))
