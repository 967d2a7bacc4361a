from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from timeline.models import Citation, Essay
from timeline.quotes import check_quotations


class Command(BaseCommand):
    help = (
        "Check every stored quotation against the essays' texts in a folder, or against the "
        "texts stored with the essays when no folder is given (ignoring only whitespace, "
        "typographic quotes and dashes, and link markup), and list any mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder",
            type=Path,
            nargs="?",
            help="Folder holding the essays' text files (default: the texts stored with them).",
        )

    def handle(self, *args, folder=None, **options):
        if folder is not None and not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        essays = Essay.objects.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("event"))
        )
        checked = sum(essay.citations.count() for essay in essays)
        problems = list(check_quotations(folder, essays))
        for essay, citation, problem in problems:
            where = f"{essay.slug}" + (f" → {citation.event.slug}" if citation else "")
            quote = f": “{citation.quote}”" if citation else ""
            self.stderr.write(f"MISMATCH {where}{quote} ({problem})")
        if problems:
            raise CommandError(f"{len(problems)} of {checked} quotations do not match the texts.")
        self.stdout.write(self.style.SUCCESS(f"All {checked} quotations match the texts."))
