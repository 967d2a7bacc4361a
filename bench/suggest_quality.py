#!/usr/bin/env python
"""How well the proposed citations (timeline.suggest) find each essay's stored citations.

For each essay with a stored text and citations, one at a time: its text is proposed from as
a new essay would be (the proposals never read citations, so the essay's own are out of it),
and the proposals scored at least the threshold are compared with the events it cites:

  recall, cited   of the events the essay cites, the share proposed
  recall, named   of the cited events whose stored quotation names them (one of the event's
                  names or aliases, or a date the quotation gives that is the event's), the
                  share proposed: citations by allusion ("the Georgia and Moldova disputes")
                  are left out
  precision       of the events proposed, the share the essay cites (a floor: a proposal the
                  editors did not cite may still be right; -v lists them to judge)

Run on a database holding the curated dataset and the texts:
  python manage.py load_timeline && python manage.py load_essay_texts ../shared/seeds
  .venv/bin/python bench/suggest_quality.py [-v]

-v lists each essay's proposals (OK: cited; --: not cited) and the cited events missed.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relations.settings")

import django

django.setup()

from timeline import dates  # noqa: E402
from timeline.models import Essay, Event  # noqa: E402
from timeline.quotes import normalise  # noqa: E402
from timeline.suggest import THRESHOLD, Proposer, candidate_of, name_in, sentences_of  # noqa: E402
from timeline.text_dates import date_spans  # noqa: E402


def names_the_event(citation) -> bool:
    """Whether the stored quotation names its event: a name or alias, or its date."""
    essay, event = citation.essay, citation.event
    sentence = sentences_of(normalise(citation.quote))[0]
    if any(name_in(pattern, sentence) for _, pattern in candidate_of(event).names):
        return True
    published_last = dates.last_day_covered(essay.published, essay.published_precision)
    spans = date_spans(sentence.text, essay.published, published_last)
    return any(
        span.precision in ("day", "month", "season") and span.holds(event.start) for span in spans
    )


def main(verbose: bool) -> None:
    proposer = Proposer(Event.objects.filter(synthetic=False))
    essays = Essay.objects.exclude(text="").prefetch_related("citations__event", "citations__essay")
    print(f"threshold {THRESHOLD}")
    print(
        f"{'essay':45} {'cited':>5} {'named':>5} {'proposed':>8} {'recall, cited':>13} "
        f"{'recall, named':>13} {'precision':>9}"
    )
    for essay in essays:
        citations = list(essay.citations.all())
        if not citations:
            continue
        cited = {citation.event.slug for citation in citations}
        named = {c.event.slug for c in citations if names_the_event(c)}
        proposals = [
            proposal
            for proposal in proposer.propose(
                essay.text, essay.published, essay.published_precision, authors=essay.author_list
            )
            if proposal.score >= THRESHOLD
        ]
        proposed = {proposal.event.slug for proposal in proposals}
        print(
            f"{essay.slug[:45]:45} {len(cited):5} {len(named):5} {len(proposed):8} "
            f"{len(proposed & cited) / len(cited):13.0%} "
            f"{len(proposed & named) / max(1, len(named)):13.0%} "
            f"{len(proposed & cited) / max(1, len(proposed)):9.0%}"
        )
        if verbose:
            for proposal in proposals:
                mark = "OK" if proposal.event.slug in cited else "--"
                print(
                    f"    {mark} {proposal.score:.2f} {proposal.event.slug} | {proposal.reason}"
                    f" | {proposal.quote}"
                )
            for slug in sorted(cited - proposed):
                print(f"    MISSED {slug}{' (named)' if slug in named else ''}")


if __name__ == "__main__":
    main("-v" in sys.argv)
