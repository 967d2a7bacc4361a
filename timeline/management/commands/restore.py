from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from timeline.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with a copy made by `backup`. Everything saved since that "
        "copy is lost, so it asks first unless --no-input is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="A file written by `manage.py backup`.")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask first."
        )

    def handle(self, *args, path, interactive, **options):
        if interactive:
            answer = input(
                f"Replace the database {connection.settings_dict['NAME']} with {path}? "
                "Everything saved since that backup will be lost. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored from {path}."))
