"""Proposed citations: which events a text refers to, by which passage, and why; the
suggest_citations command that prints them."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CitationFactory, EssayFactory, EventFactory
from timeline.models import CitationRejection, Event, Precision
from timeline.quotes import normalise
from timeline.suggest import MAX_QUOTE, proposals_for_text

D = datetime.date


@pytest.fixture
def treaties(curated):
    """The curated events (New START's signing, entry into force and expiry, the Blinken-Lavrov
    meeting in Reykjavik, Putin's return in May 2012, …) and the Reykjavik summit of 1986."""
    EventFactory(
        slug="reykjavik-summit-1986",
        title="Reagan and Gorbachev meet at the Reykjavik summit",
        short_title="Reykjavik summit",
        aliases="Reykjavik summit",
        summary="Reagan and Gorbachev nearly agree to abolish nuclear weapons in Iceland.",
        start=D(1986, 10, 11),
    )


WEITZ_PUBLISHED = D(2013, 2, 28)


def proposed(text, published=WEITZ_PUBLISHED, precision=Precision.DAY, **kwargs):
    return {p.event.slug: p for p in proposals_for_text(text, published, precision, **kwargs)}


def test_an_alias_and_the_year_find_the_event_with_a_verbatim_passage_and_a_reason(treaties):
    text = (
        "Arms control had its moment. The Prague Treaty of 2010 cut deployed warheads by a "
        "third. Nobody expected more."
    )
    found = proposed(text)
    proposal = found["new-start-signed"]
    assert proposal.quote == "The Prague Treaty of 2010 cut deployed warheads by a third."
    assert proposal.reason == "name ‘Prague Treaty’ + 2010"
    assert 0 < proposal.score <= 1
    # The treaty's other events are not of 2010.
    assert "new-start-enters-into-force" not in found
    assert "new-start-expires" not in found
    assert "new-start-extended" not in found


@pytest.mark.parametrize(
    "sentence, slug, name",
    [
        (
            "The Nunn–Lugar programme paid to dismantle warheads in 1992.",
            "nunn-lugar-umbrella-agreement",
            "Nunn-Lugar",
        ),
        ("Both Magnitsky Acts punished officials in 2012.", "magnitsky-act", "Magnitsky Act"),
    ],
    ids=["a dash for a hyphen", "a plural"],
)
def test_a_name_written_nearly_alike_is_still_the_name(treaties, sentence, slug, name):
    assert proposed(sentence)[slug].reason.startswith(f"name ‘{name}’")


def test_a_year_in_the_sentence_rules_out_the_events_of_other_years(treaties):
    essay_of_2021 = {"published": D(2021, 6, 1)}
    summit = "In 1986 Reagan and Gorbachev nearly abolished nuclear weapons at Reykjavik."
    assert set(proposed(summit, **essay_of_2021)) == {"reykjavik-summit-1986"}
    meeting = "Blinken sat down with Lavrov in Reykjavik on May 19, 2021, for a first meeting."
    found = proposed(meeting, **essay_of_2021)
    assert "blinken-lavrov-reykjavik" in found and "reykjavik-summit-1986" not in found
    assert "May 19, 2021" in found["blinken-lavrov-reykjavik"].reason


def test_a_date_relative_to_the_publication_picks_the_event_it_means(treaties):
    sentence = (
        "Relations began to deteriorate after Vladimir Putin returned to the presidency last "
        "May, replacing Dmitry Medvedev."
    )
    found = proposals_for_text(sentence, D(2013, 2, 28), Precision.DAY, everything=True)
    best = found[0]
    assert best.event.slug == "putin-returns-to-presidency"
    assert best.reason.endswith("+ last May")
    # In an essay of 2016, "last May" is May 2015: no longer evidence for Putin's return.
    later = proposals_for_text(sentence, D(2016, 2, 1), Precision.DAY, everything=True)
    putin = next((p for p in later if p.event.slug == "putin-returns-to-presidency"), None)
    assert putin is None or ("last May" not in putin.reason and putin.score < best.score)


def test_an_event_after_the_essay_is_proposed_only_when_its_day_is_named(treaties):
    assert "new-start-expires" not in proposed("New START will expire one day.")
    found = proposed("New START will be in effect till February 5, 2026.")
    assert "new-start-expires" in found


def test_passages_stay_within_their_paragraph_and_keep_its_edges(treaties):
    text = (
        "The Prague Treaty of 2010\n\n"  # a heading: no full stop
        "Praised by both sides, New START\n"
        "entered into force on February 5, 2011 after ratification\n\n"
        "Next paragraph."
    )
    found = proposed(text)
    assert found["new-start-signed"].quote == "The Prague Treaty of 2010"
    in_force = found["new-start-enters-into-force"].quote
    assert in_force.startswith("Praised by both sides") and in_force.endswith("after ratification")
    assert normalise(in_force) in normalise(text)


def test_a_long_sentence_is_cut_to_its_clauses_about_the_event(treaties):
    filler = ", and ".join(f"the talks in city number {n} went nowhere" for n in range(12))
    text = f"In those years {filler}, while the Prague Treaty was finally signed in 2010, {filler}."
    quote = proposed(text)["new-start-signed"].quote
    assert len(quote) <= MAX_QUOTE
    assert "Prague Treaty" in quote and quote in text


def test_a_text_about_nothing_in_the_timeline_gets_no_proposals(treaties):
    text = (
        "Gardening in clay soil rewards patience.\n\nCompost, mulch and a little lime, in "
        "March or in the autumn, make all the difference."
    )
    assert proposed(text) == {}


def test_quotations_are_verbatim_even_in_a_text_with_markup_and_curly_quotes(treaties):
    text = "The [Prague Treaty](#) of 2010 — “New START” — cut warheads by a \\$ third."
    quote = proposed(text)["new-start-signed"].quote
    assert quote == "The Prague Treaty of 2010 — “New START” — cut warheads by a $ third."
    assert normalise(quote) in normalise(text)


def test_cited_and_rejected_events_are_left_out_for_their_essay(treaties):
    text = "The Prague Treaty of 2010 was signed. New START entered into force in 2011."
    essay = EssayFactory(text=text)
    found_slugs = ["new-start-signed", "new-start-enters-into-force"]
    assert set(proposed(text, essay=essay)) == set(found_slugs)
    signed, in_force = (Event.objects.get(slug=slug) for slug in found_slugs)
    CitationFactory(essay=essay, event=signed, quote="The Prague Treaty of 2010")
    CitationRejection.objects.create(essay=essay, event=in_force)
    assert proposed(text, essay=essay) == {}
    assert set(proposed(text)) == {"new-start-signed", "new-start-enters-into-force"}


def test_the_authors_biography_is_not_read_for_events(treaties):
    text = "Richard Weitz is Director of the Center for Political-Military Analysis."
    # Read as any text, "Center" and "Military" are words of the U.S. bases' "Transit Center".
    assert "us-military-presence-central-asia" in proposed(text)
    essay = EssayFactory(authors="Richard Weitz", text=text)
    assert proposed(text, essay=essay) == {}


def run_command(*args):
    out = StringIO()
    call_command("suggest_citations", *map(str, args), stdout=out)
    return out.getvalue()


def test_the_command_prints_one_entry_per_event_best_first_as_json(treaties, tmp_path):
    file = tmp_path / "essay.txt"
    file.write_text(
        "The Prague Treaty of 2010 was a start. New START entered into force on February 5, "
        "2011. Later the Prague Treaty was praised again.",
        encoding="utf-8",
    )
    rows = json.loads(run_command(file, "--published", "2013-02", "--format", "json"))
    assert {row["event"] for row in rows} == {"new-start-signed", "new-start-enters-into-force"}
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(set(row) == {"event", "quote", "score", "reason"} for row in rows)
    assert len({row["event"] for row in rows}) == len(rows)
    text = run_command(file, "--published", "2013", "--format", "text")
    assert "new-start-signed" in text and "“The Prague Treaty of 2010 was a start.”" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--published", "2013-14"], "not a real date"),
        (["--published", "spring"], r"is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        (["--published", "2013", "--essay", "no-such-essay"], "no essay has that slug"),
    ],
)
def test_the_command_refuses_bad_arguments_with_a_message(db, tmp_path, args, message):
    file = tmp_path / "essay.txt"
    file.write_text("Nothing.", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_command(file, *args)


def test_the_command_names_a_file_it_cannot_read(db, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.txt is not in"):
        run_command(tmp_path / "missing.txt", "--published", "2013")
