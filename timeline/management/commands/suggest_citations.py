import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline import dates
from timeline.models import Essay
from timeline.quotes import EssayTextError, read_essay_text
from timeline.suggest import proposals_for_text


def published_date(text: str):
    """(first day, precision) of YYYY, YYYY-MM or YYYY-MM-DD."""
    try:
        return dates.parse_partial_date(text)
    except dates.PartialDateError as error:
        raise CommandError(f"--published: {error}.") from None


class Command(BaseCommand):
    help = (
        "Propose citations for an essay's text: for each event of the timeline it refers to, "
        "its best verbatim passage (at most 300 characters), a score from 0 to 1 and why, best "
        "first. With --essay, that essay's citations and rejected proposals are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The essay's text, a UTF-8 text file.")
        parser.add_argument(
            "--published",
            required=True,
            help="When the essay was published: YYYY, YYYY-MM or YYYY-MM-DD.",
        )
        parser.add_argument("--essay", help="The slug of the essay the text is, if stored.")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also list proposals scored below the threshold.",
        )

    def handle(self, *args, file, published, essay, format, **options):
        first_day, precision = published_date(published)
        try:
            text = read_essay_text(file)
        except EssayTextError as error:
            raise CommandError(str(error)) from None
        stored = None
        if essay:
            stored = Essay.objects.filter(slug=essay).first()
            if stored is None:
                raise CommandError(f"--essay {essay!r}: no essay has that slug.")
        proposals = proposals_for_text(
            text, first_day, precision, essay=stored, everything=options["all"]
        )
        if format == "json":
            rows = [proposal.as_json() for proposal in proposals]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not proposals:
            self.stdout.write("No event of the timeline is referred to in this text.")
            return
        width = max(len(proposal.event.slug) for proposal in proposals)
        for proposal in proposals:
            self.stdout.write(
                f"{proposal.score:.2f}  {proposal.event.slug:<{width}}  {proposal.reason}\n"
                f"      “{proposal.quote}”"
            )
        self.stdout.write(f"{len(proposals)} proposals.")
