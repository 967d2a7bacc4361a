from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.database import refresh_statistics
from timeline.loader import DEFAULT_PATH, DatasetError, Loader


class Command(BaseCommand):
    help = (
        "Load the curated dataset into the database. Idempotent: unchanged records are left "
        "alone; a malformed file is refused and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", type=Path, default=DEFAULT_PATH, help="YAML data file to load."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write every record again, even those unchanged since the last load.",
        )

    def handle(self, *args, path, force, **options):
        try:
            report = Loader(path, force=force).load()
        except DatasetError as error:
            raise CommandError(f"Refused: {error}. Nothing was written.") from None
        refresh_statistics()
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS("Dataset loaded.") if report.changed else "Nothing to change."
        )
