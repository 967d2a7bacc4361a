from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.models import Essay
from timeline.quotes import EssayTextError, read_essay_text, text_file


class Command(BaseCommand):
    help = (
        "Load each essay's full text from the file its record names (its text file name, a "
        "plain name inside FOLDER), e.g. ../shared/seeds. Texts stay out of the repository; "
        "who may read each is set per essay in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Folder holding the essays' text files.")

    def handle(self, *args, folder, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        loaded = unchanged = 0
        problems, unnamed = [], []
        for essay in Essay.objects.order_by("slug"):
            if not essay.text_filename:
                unnamed.append(essay.slug)
                continue
            try:
                text = read_essay_text(text_file(folder, essay.text_filename))
            except EssayTextError as error:
                problems.append(f"{essay.slug}: {error}")
                continue
            if text == essay.text:
                unchanged += 1
                continue
            essay.text = text
            essay.save(update_fields=["text"])
            loaded += 1
        for slug in unnamed:
            self.stdout.write(f"{slug}: no text file named in its record; skipped")
        for problem in problems:
            self.stderr.write(f"NOT LOADED {problem}")
        if problems:
            raise CommandError(
                f"{len(problems)} texts could not be loaded ({loaded} loaded, {unchanged} "
                "unchanged): nothing already stored was changed for them."
            )
        self.stdout.write(
            self.style.SUCCESS(f"{loaded} texts loaded, {unchanged} unchanged, from {folder}.")
        )
