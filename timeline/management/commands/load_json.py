from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.test.utils import override_settings


class Command(BaseCommand):
    help = (
        "Load a file written by `dump_json` into a migrated database (run `migrate` first), "
        "history included, as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by `manage.py dump_json`.")

    def handle(self, *args, path, **options):
        # The dump holds the history as it was; without this, setting each event's themes
        # would record new, spurious history entries while loading.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            try:
                call_command("loaddata", path, stdout=self.stdout)
            except DeserializationError as error:
                # loaddata writes in one transaction: a file it cannot read leaves nothing.
                reason = error.__cause__ or error
                raise CommandError(
                    f"Refused: {path} is not readable ({reason}). Nothing was written."
                ) from None
