import copy
import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from timeline.models import Citation, Essay, Event, EventRelation, Period, Theme

pytestmark = pytest.mark.django_db

DATASET = {
    "themes": [
        {"slug": "arms-control", "name": "Arms control", "colour": "#1f5fa8"},
        {"slug": "human-rights", "name": "Human rights", "colour": "#a3211b"},
    ],
    "periods": [
        {"slug": "the-reset", "name": "The reset", "start": "2009-01-20", "end": "2012-05-06"},
    ],
    "essays": [
        {
            "slug": "weitz",
            "title": "Russia-US Relations under Obama: Round 2",
            "authors": ["Richard Weitz"],
            "published": "2013-02-28",
        },
        {
            "slug": "valdai",
            "title": "No Pause for the Reset",
            "authors": [],
            "published": "2011",
            "published_inferred": True,
        },
    ],
    "events": [
        {
            "slug": "new-start",
            "title": "New START enters into force",
            "start": "2011-02-05",
            "stance": "cooperation",
            "themes": ["arms-control"],
            "aliases": ["New START", "Prague Treaty"],
            "summary": "The treaty enters into force.",
            "links": [{"title": "Treaty text", "url": "https://www.state.gov/new-start/"}],
            "citations": [{"essay": "valdai", "quote": "The New START Treaty"}],
        },
        {
            "slug": "magnitsky-act",
            "title": "Magnitsky Act",
            "start": "2012-12-14",
            "stance": "confrontation",
            "themes": ["human-rights", "arms-control"],
            "summary": "The act is signed.",
            "citations": [{"essay": "weitz", "quote": "After Congress enacted", "note": "n"}],
        },
        {
            "slug": "adoption-ban",
            "title": "Russia bans adoptions by Americans",
            "start": "2012-12",
            "stance": "confrontation",
            "themes": ["human-rights"],
            "summary": "The ban.",
            "related": [{"type": "retaliation_for", "event": "magnitsky-act"}],
        },
    ],
}


def write(tmp_path, data, name="timeline.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load(path):
    call_command("load_timeline", str(path), stdout=io.StringIO())


def snapshot():
    return {
        "themes": list(Theme.objects.values()),
        "periods": list(Period.objects.values()),
        "essays": list(Essay.objects.values()),
        "events": list(Event.objects.values()),
        "citations": list(Citation.objects.values()),
        "relations": list(EventRelation.objects.values()),
    }


def test_loader_creates_every_record(tmp_path):
    load(write(tmp_path, DATASET))
    event = Event.objects.get(slug="magnitsky-act")
    assert event.main_theme.slug == "human-rights"
    assert {t.slug for t in event.themes.all()} == {"human-rights", "arms-control"}
    assert Event.objects.get(slug="adoption-ban").date_display == "Dec 2012"
    assert Essay.objects.get(slug="valdai").published_display == "2011 (inferred)"
    assert Citation.objects.count() == 2
    relation = EventRelation.objects.get()
    assert (relation.from_event.slug, relation.kind, relation.to_event.slug) == (
        "adoption-ban",
        "retaliation_for",
        "magnitsky-act",
    )
    assert Event.objects.get(slug="new-start").alias_list == ["New START", "Prague Treaty"]


def test_second_run_changes_nothing(tmp_path, capsys):
    path = write(tmp_path, DATASET)
    load(path)
    before = snapshot()
    call_command("load_timeline", str(path))
    assert snapshot() == before
    assert "Nothing to change." in capsys.readouterr().out


def test_edited_file_updates_the_rows(tmp_path):
    load(write(tmp_path, DATASET))
    edited = copy.deepcopy(DATASET)
    edited["events"][0]["title"] = "New START treaty enters into force"
    edited["events"][1]["citations"][0]["quote"] = "After Congress enacted the Act"
    edited["events"][0]["citations"] = []
    load(write(tmp_path, edited))
    assert Event.objects.get(slug="new-start").title == "New START treaty enters into force"
    assert Citation.objects.get(event__slug="magnitsky-act").quote == (
        "After Congress enacted the Act"
    )
    assert not Citation.objects.filter(event__slug="new-start").exists()


def test_admin_correction_survives_a_reload_of_an_unchanged_file(tmp_path):
    path = write(tmp_path, DATASET)
    load(path)
    Event.objects.filter(slug="new-start").update(title="Corrected by an editor")
    load(path)
    assert Event.objects.get(slug="new-start").title == "Corrected by an editor"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["events"][0].update(start="2011-02-30"), "events[0] (new-start): start"),
        (lambda d: d["events"][0].update(end="2010"), "events[0] (new-start): end"),
        (lambda d: d["events"][1].update(themes=["nope"]), "there is no theme 'nope'"),
        (lambda d: d["events"][0].pop("summary"), "missing field(s): summary"),
        (lambda d: d["events"][0].update(colour="red"), "unknown field(s): colour"),
        (lambda d: d["events"][2].update(slug="new-start"), "slug 'new-start' is used twice"),
        (
            lambda d: d["events"][0]["citations"][0].update(quote=""),
            "quote: The quotation cannot be empty.",
        ),
        (
            lambda d: d["events"][0]["citations"][0].update(quote="x" * 301),
            "at most 300 characters",
        ),
        (lambda d: d["events"][0].update(stance="friendly"), "stance"),
        (lambda d: d["themes"][0].update(colour="blue"), "Enter a colour as #RRGGBB."),
        (lambda d: d["events"][2]["related"][0].update(event="ghost"), "no event 'ghost'"),
    ],
)
def test_malformed_file_is_refused_and_nothing_changes(tmp_path, mutate, message):
    load(write(tmp_path, DATASET))
    before = snapshot()
    broken = copy.deepcopy(DATASET)
    broken["events"][0]["title"] = "This edit must not land"
    mutate(broken)
    path = write(tmp_path, broken, "broken.yaml")
    with pytest.raises(CommandError) as error:
        load(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)
    assert snapshot() == before


def test_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("events: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        load(path)


def test_a_deeply_nested_file_is_refused_and_nothing_changes(tmp_path):
    load(write(tmp_path, DATASET))
    before = snapshot()
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(CommandError, match=r"nested too deeply to be read\. Nothing was written\."):
        load(path)
    assert snapshot() == before


def test_report_counts_what_was_created_then_what_was_left_alone(tmp_path, capsys):
    path = write(tmp_path, DATASET)
    call_command("load_timeline", str(path))
    first = capsys.readouterr().out
    assert "events: 3 created, 0 updated, 0 unchanged" in first
    assert "citations: 2 created, 0 updated" in first
    call_command("load_timeline", str(path))
    assert "events: 0 created, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_report_warns_of_an_essay_citing_an_event_after_it_came_out(tmp_path, capsys):
    data = copy.deepcopy(DATASET)
    data["events"][1]["citations"].append({"essay": "valdai", "quote": "The act will come"})
    call_command("load_timeline", str(write(tmp_path, data)))
    out = capsys.readouterr().out
    assert Citation.objects.filter(essay__slug="valdai", event__slug="magnitsky-act").exists()
    assert (
        "warning: “No Pause for the Reset”, published 2011 (inferred), cites “Magnitsky Act”, "
        "which starts later (14 Dec 2012)"
    ) in out
    # Within the year an essay is known by, nothing is said.
    assert "New START" not in out.split("warning:", 1)[1]


def test_a_source_may_be_a_reference_without_a_link(tmp_path):
    data = copy.deepcopy(DATASET)
    data["events"][1]["links"] = [
        {"title": "Sergei Magnitsky Rule of Law Accountability Act of 2012, Public Law 112-208"}
    ]
    load(write(tmp_path, data))
    (source,) = Event.objects.get(slug="magnitsky-act").links.all()
    assert source.title.startswith("Sergei Magnitsky") and source.url == ""
