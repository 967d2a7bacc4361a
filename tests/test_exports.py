"""The downloads, each read back by a real parser: csv, icalendar, bibtexparser, citeproc-py."""

import csv
import datetime
import io
import json
import re

import bibtexparser
import markdown as markdown_lib
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware, MonthIntMiddleware
from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from icalendar.prop import vText
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import CitationFactory, EssayFactory, EventFactory
from tests.pages import listed_slugs
from timeline import calendar_file, export_cache
from timeline.models import Precision
from timeline.templatetags.timeline import rendered_markdown

pytestmark = pytest.mark.django_db

EXPORTS = [
    "export_events_csv",
    "export_citations_csv",
    "export_events_ics",
    "export_timelinejs",
    "export_essays_bibtex",
    "export_essays_csl",
]


def get(client, name, params=None):
    response = client.get(reverse(f"timeline:{name}"), params or {})
    assert response.status_code == 200
    return response


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def calendar_events(response):
    return {
        str(entry["uid"]): entry for entry in Calendar.from_ical(response.content).walk("VEVENT")
    }


def bibtex_entries(response):
    library = bibtexparser.parse_string(
        response.content.decode(),
        append_middleware=[MonthIntMiddleware(True), LatexDecodingMiddleware()],
    )
    assert library.failed_blocks == []
    return {entry.key: entry for entry in library.entries}


def csl_bibliography(items):
    """The CSL-JSON items rendered as a reference list by citeproc-py."""
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(CslCitation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


# --- events.csv


def test_events_csv_is_a_utf8_spreadsheet_with_partial_dates(client, small_timeline):
    response = get(client, "export_events_csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="relations-timeline.csv"')
    assert response.content.startswith("\ufeff".encode())  # spreadsheets then read UTF-8
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "slug",
        "title",
        "short_title",
        "start",
        "end",
        "approximate",
        "stance",
        "themes",
        "aliases",
        "summary",
        "discussion_prompt",
        "url",
    ]
    by_slug = {row["slug"]: row for row in rows}
    assert [row["slug"] for row in rows] == ["nunn-lugar", "new-start", "usaid", "magnitsky-act"]
    assert (by_slug["nunn-lugar"]["start"], by_slug["nunn-lugar"]["end"]) == ("1992", "2013")
    assert (by_slug["usaid"]["start"], by_slug["usaid"]["end"]) == ("2012-09", "")
    assert by_slug["new-start"]["start"] == "2011-02-05"
    assert by_slug["new-start"]["aliases"] == "Prague Treaty"
    assert by_slug["new-start"]["approximate"] == "no"
    assert by_slug["magnitsky-act"]["title"] == "Magnitsky Act"
    assert by_slug["magnitsky-act"]["stance"] == "confrontation"
    assert by_slug["magnitsky-act"]["url"] == "http://testserver/events/magnitsky-act/"
    assert by_slug["nunn-lugar"]["title"] == "Nunn–Lugar umbrella agreement"


def test_events_csv_lists_the_main_theme_first(client, small_timeline):
    themes = small_timeline["themes"]
    event = EventFactory(slug="sanctions", main_theme=themes["rights"], themes=[themes["arms"]])
    rows = {row["slug"]: row for row in csv_rows(get(client, "export_events_csv"))}
    assert rows[event.slug]["themes"] == "human-rights;arms-control"


def test_events_csv_keeps_awkward_text_intact(client, small_timeline):
    summary = 'He said "no", then: yes; commas, quotes\nand a second line — with ünïcödé.'
    EventFactory(slug="awkward", summary=summary, aliases="One, two\nThree; four", approximate=True)
    row = next(r for r in csv_rows(get(client, "export_events_csv")) if r["slug"] == "awkward")
    assert row["summary"] == summary
    assert row["aliases"].splitlines() == ["One, two", "Three; four"]
    assert row["approximate"] == "yes"


@pytest.mark.parametrize(
    ("params", "slugs"),
    [
        ({"theme": "human-rights"}, ["usaid", "magnitsky-act"]),
        ({"theme": ["arms-control", "human-rights"], "stance": "confrontation"}, None),
        ({"period": "the-reset"}, ["nunn-lugar", "new-start"]),
        ({"from": "2012-10", "to": "2013"}, ["nunn-lugar", "magnitsky-act"]),
        ({"essay": "weitz"}, ["usaid", "magnitsky-act"]),
        ({"stance": "confrontation"}, ["usaid", "magnitsky-act"]),
        ({"q": "prague"}, ["new-start"]),
        ({"theme": "no-such-theme"}, ["nunn-lugar", "new-start", "usaid", "magnitsky-act"]),
    ],
)
def test_events_csv_selects_what_the_timeline_shows(client, small_timeline, params, slugs):
    page = client.get(reverse("timeline:index"), params).content.decode()
    shown = listed_slugs(page)
    if slugs is not None:
        assert shown == slugs
    assert [row["slug"] for row in csv_rows(get(client, "export_events_csv", params))] == shown


# --- citations.csv


def test_citations_csv_has_the_selected_events_citations(client, small_timeline):
    response = get(client, "export_citations_csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="relations-timeline-citations.csv"'
    )
    rows = csv_rows(response)
    assert list(rows[0]) == ["essay", "event", "quote", "note"]
    assert [(row["essay"], row["event"]) for row in rows] == [
        ("valdai", "new-start"),
        ("weitz", "usaid"),
        ("weitz", "magnitsky-act"),
    ]
    assert rows[2]["quote"] == "After Congress enacted the Act"
    rows = csv_rows(get(client, "export_citations_csv", {"theme": "arms-control"}))
    assert [(row["essay"], row["event"]) for row in rows] == [("valdai", "new-start")]


# --- events.ics


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
def test_calendar_lines_are_folded_as_icalendar_folds_them(text):
    """Our line folding (fast) writes exactly what icalendar's own (slow) writes."""
    entry = CalendarEvent()
    entry.add("description", text)
    assert calendar_file.component("VEVENT", [("DESCRIPTION", vText(text))]) == entry.to_ical()


def test_calendar_has_all_day_events_spanning_what_is_known(client, small_timeline):
    response = get(client, "export_events_ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="relations-timeline.ics"'
    entries = calendar_events(response)
    assert set(entries) == {
        "nunn-lugar@relations-timeline",
        "new-start@relations-timeline",
        "usaid@relations-timeline",
        "magnitsky-act@relations-timeline",
    }
    day = entries["new-start@relations-timeline"]
    assert day["dtstart"].params["VALUE"] == "DATE"
    assert (day["dtstart"].dt, day["dtend"].dt) == (
        datetime.date(2011, 2, 5),
        datetime.date(2011, 2, 6),
    )
    assert str(day["summary"]) == "New START enters into force"
    assert str(day["url"]) == "http://testserver/events/new-start/"
    assert "http://testserver/events/new-start/" in str(day["description"])
    assert small_timeline["events"]["new_start"].summary in str(day["description"])
    assert [str(c) for c in day["categories"].cats] == ["Arms control"]
    assert "known to the" not in str(day["description"])

    month = entries["usaid@relations-timeline"]
    assert (month["dtstart"].dt, month["dtend"].dt) == (
        datetime.date(2012, 9, 1),
        datetime.date(2012, 10, 1),
    )
    assert "Date known to the month." in str(month["description"])

    years = entries["nunn-lugar@relations-timeline"]
    assert (years["dtstart"].dt, years["dtend"].dt) == (
        datetime.date(1992, 1, 1),
        datetime.date(2014, 1, 1),
    )
    assert "Dates known to the year." in str(years["description"])


def test_calendar_says_how_each_end_of_a_mixed_range_is_known(client, small_timeline):
    EventFactory(
        slug="talks",
        start=datetime.date(2013, 8, 1),
        start_precision=Precision.MONTH,
        end=datetime.date(2014, 6, 12),
        end_precision=Precision.DAY,
        approximate=True,
    )
    entry = calendar_events(get(client, "export_events_ics"))["talks@relations-timeline"]
    assert (entry["dtstart"].dt, entry["dtend"].dt) == (
        datetime.date(2013, 8, 1),
        datetime.date(2014, 6, 13),
    )
    description = str(entry["description"])
    assert "Start date known to the month." in description
    assert "End date" not in description
    assert "Approximate date." in description


def test_calendar_descriptions_are_plain_text_without_markup(client, small_timeline):
    EventFactory(
        slug="odd",
        summary='**Bold** <script>alert(1)</script> and [a "link"](https://example.org/) & more',
    )
    entry = calendar_events(get(client, "export_events_ics"))["odd@relations-timeline"]
    summary = str(entry["description"]).split("\n\n")[0]
    assert " ".join(summary.split()) == "Bold and a “link” & more"


def test_calendar_uids_do_not_depend_on_the_host(client, small_timeline, settings):
    settings.ALLOWED_HOSTS = ["testserver", "timeline.example.org"]
    first = calendar_events(get(client, "export_events_ics"))
    response = client.get(reverse("timeline:export_events_ics"), HTTP_HOST="timeline.example.org")
    second = calendar_events(response)
    assert set(first) == set(second)
    assert str(second["usaid@relations-timeline"]["url"]).startswith("http://timeline.example.org")


def test_calendar_honours_the_filters(client, small_timeline):
    entries = calendar_events(get(client, "export_events_ics", {"essay": "weitz"}))
    assert set(entries) == {"usaid@relations-timeline", "magnitsky-act@relations-timeline"}


# --- timelinejs.json


def test_timelinejs_export_has_slides_to_the_known_precision(client, small_timeline):
    response = get(client, "export_timelinejs")
    data = json.loads(response.content)
    assert data["title"]["text"]["headline"]
    assert "4 events" in data["title"]["text"]["text"]
    slides = {slide["unique_id"]: slide for slide in data["events"]}
    assert list(slides) == ["nunn-lugar", "new-start", "usaid", "magnitsky-act"]
    assert slides["new-start"]["start_date"] == {"year": 2011, "month": 2, "day": 5}
    assert "end_date" not in slides["new-start"]
    assert slides["usaid"]["start_date"] == {"year": 2012, "month": 9}
    assert slides["nunn-lugar"]["start_date"] == {"year": 1992}
    assert slides["nunn-lugar"]["end_date"] == {"year": 2013}
    assert slides["nunn-lugar"]["display_date"] == "1992–2013"
    assert slides["magnitsky-act"]["group"] == "Human rights"
    assert slides["magnitsky-act"]["text"]["headline"] == "Magnitsky Act"
    summary = small_timeline["events"]["magnitsky"].summary
    assert slides["magnitsky-act"]["text"]["text"] == f"<p>{summary}</p>"
    # The two periods the events fall in, as eras.
    assert [era["text"]["headline"] for era in data["eras"]] == ["The reset", "Putin's return"]
    assert data["eras"][0]["start_date"] == {"year": 2009, "month": 1, "day": 20}


def test_a_timelinejs_file_made_again_after_an_edit_renders_only_what_changed(
    client, small_timeline, monkeypatch
):
    """Rendering summaries is most of the file's making: each text is rendered once."""
    rendered_markdown.cache_clear()
    conversions = []
    convert = markdown_lib.Markdown.convert
    monkeypatch.setattr(
        markdown_lib.Markdown,
        "convert",
        lambda self, text: conversions.append(text) or convert(self, text),
    )
    events = len(json.loads(get(client, "export_timelinejs").content)["events"])
    assert len(conversions) == events > 3
    event = small_timeline["events"]["usaid"]
    event.summary = "Russia expelled *USAID*."
    event.save()
    conversions.clear()
    slides = json.loads(get(client, "export_timelinejs").content)["events"]
    assert conversions == ["Russia expelled *USAID*."]
    (slide,) = [slide for slide in slides if slide["unique_id"] == "usaid"]
    assert slide["text"]["text"] == "<p>Russia expelled <em>USAID</em>.</p>"


def test_timelinejs_export_honours_the_filters(client, small_timeline):
    data = json.loads(get(client, "export_timelinejs", {"theme": "arms-control"}).content)
    assert [slide["unique_id"] for slide in data["events"]] == ["nunn-lugar", "new-start"]
    assert "2 events" in data["title"]["text"]["text"]
    assert "?theme=arms-control" in data["title"]["text"]["text"]


def test_a_timelinejs_file_links_to_its_view_whoever_asked_for_it_first(client, small_timeline):
    # The file is made once and kept: the first request's other parameters must not show.
    first = get(client, "export_timelinejs", {"theme": "arms-control", "ref": '"><b>x'})
    second = get(client, "export_timelinejs", {"theme": "arms-control"})
    for response in (first, second):
        title = json.loads(response.content)["title"]["text"]["text"]
        assert 'href="http://testserver/?theme=arms-control"' in title


def test_timelinejs_export_escapes_headlines_and_sanitises_text(client, small_timeline):
    EventFactory(slug="odd", title="<Cold> & War", summary="**Bold** <script>x()</script>")
    data = json.loads(get(client, "export_timelinejs", {"q": "Cold"}).content)
    slide = next(slide for slide in data["events"] if slide["unique_id"] == "odd")
    assert slide["text"]["headline"] == "&lt;Cold&gt; &amp; War"
    assert "<strong>Bold</strong>" in slide["text"]["text"]
    assert "<script>" not in slide["text"]["text"]


# --- essays.bib


def test_bibtex_has_every_essay_when_unfiltered(client, small_timeline):
    uncited = EssayFactory(slug="uncited", title="Nobody cites me")
    response = get(client, "export_essays_bibtex")
    assert response["Content-Disposition"] == (
        'attachment; filename="relations-timeline-essays.bib"'
    )
    entries = bibtex_entries(response)
    assert set(entries) == {"weitz", "valdai", uncited.slug}
    weitz = entries["weitz"]
    essay = small_timeline["essays"]["weitz"]
    family = essay.authors.rsplit(" ", 1)[-1]
    assert weitz.entry_type == "misc"
    assert weitz["author"].startswith(f"{family}, ")
    assert weitz["title"] == "Russia-US Relations under Obama: Round 2"
    assert (weitz["year"], weitz["month"], weitz["date"]) == ("2013", 2, "2013-02-28")
    assert weitz["howpublished"] == "Example Press"
    assert "author" not in entries["valdai"].fields_dict  # the text names no author


def test_bibtex_notes_inferred_dates_and_keeps_the_known_precision(client, small_timeline):
    EssayFactory(
        slug="inferred",
        title="Costs & 100% of the _reset_",
        authors="Dmitri Trenin; Lu, Han",
        published=datetime.date(2014, 1, 1),
        published_precision=Precision.YEAR,
        published_inferred=True,
        date_note="The text mentions events of late 2013.",
    )
    entry = bibtex_entries(get(client, "export_essays_bibtex"))["inferred"]
    assert entry["title"] == "Costs & 100% of the _reset_"
    assert entry["author"] == "Trenin, Dmitri and Lu, Han"
    assert (entry["year"], entry["date"]) == ("2014", "2014")
    assert "month" not in entry.fields_dict
    assert entry["note"] == "Date inferred. The text mentions events of late 2013."


def test_bibtex_keys_are_stable_and_filters_choose_the_citing_essays(client, small_timeline):
    first = get(client, "export_essays_bibtex", {"theme": "human-rights"})
    assert set(bibtex_entries(first)) == {"weitz"}
    second = get(client, "export_essays_bibtex", {"theme": "human-rights"})
    assert first.content == second.content
    assert set(bibtex_entries(get(client, "export_essays_bibtex", {"q": "prague"}))) == {"valdai"}
    assert bibtex_entries(get(client, "export_essays_bibtex", {"q": "zzz-nothing"})) == {}


# --- essays.csl.json


def test_csl_json_renders_as_a_bibliography(client, small_timeline):
    EssayFactory(
        slug="trenin",
        title="U.S.-Russian relations: islands of cooperation",
        title_descriptive=True,
        authors="Dmitri Trenin",
        publisher="Carnegie Moscow Center",
        published=datetime.date(2014, 1, 1),
        published_precision=Precision.MONTH,
        url="https://carnegie.example/trenin",
    )
    response = get(client, "export_essays_csl")
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    items = json.loads(response.content)
    by_id = {item["id"]: item for item in items}
    assert by_id["trenin"]["issued"] == {"date-parts": [[2014, 1]]}
    assert by_id["trenin"]["author"] == [{"family": "Trenin", "given": "Dmitri"}]
    assert by_id["trenin"]["URL"] == "https://carnegie.example/trenin"
    assert by_id["trenin"]["note"] == "The text has no title; this one describes it."
    assert by_id["weitz"]["issued"] == {"date-parts": [[2013, 2, 28]]}
    assert by_id["weitz"]["publisher"] == "Example Press"
    assert "author" not in by_id["valdai"]

    references = csl_bibliography(items)
    assert len(references) == 3
    trenin = next(text for text in references if "islands of cooperation" in text)
    assert trenin.startswith("Trenin, D. (2014)")
    assert "Carnegie Moscow Center" in trenin
    assert "https://carnegie.example/trenin" in trenin
    assert any(text.startswith("No Pause for the Reset (2013)") for text in references)


def test_csl_json_honours_the_filters_and_inferred_dates(client, small_timeline):
    valdai = small_timeline["essays"]["valdai"]
    valdai.published, valdai.published_precision = datetime.date(2011, 1, 1), Precision.YEAR
    valdai.published_inferred, valdai.date_note = True, "Inferred from the text."
    valdai.save()
    items = json.loads(get(client, "export_essays_csl", {"theme": "arms-control"}).content)
    assert [item["id"] for item in items] == ["valdai"]
    assert items[0]["issued"] == {"date-parts": [[2011]]}
    assert items[0]["note"] == "Date inferred. Inferred from the text."
    [reference] = csl_bibliography(items)
    assert "(2011)" in reference
    assert "No Pause for the Reset" in reference


# --- all exports


@pytest.mark.parametrize(
    ("name", "params", "queries"),
    [
        # The event exports' first query asks whether the selection fits in a download.
        ("export_events_csv", {}, 4),
        ("export_events_csv", {"theme": "arms-control", "q": "treaty"}, 4),
        ("export_citations_csv", {}, 3),
        ("export_events_ics", {"stance": "confrontation"}, 4),
        ("export_timelinejs", {}, 4),
        ("export_essays_bibtex", {}, 1),
        ("export_essays_bibtex", {"essay": "weitz"}, 2),
        ("export_essays_csl", {"period": "the-reset"}, 2),
    ],
)
def test_export_query_count_does_not_grow_with_the_data(
    client, small_timeline, django_assert_num_queries, warm_choices, name, params, queries
):
    url = reverse(f"timeline:{name}")
    warm_choices()
    with django_assert_num_queries(queries):
        client.get(url, params)
    arms = small_timeline["themes"]["arms"]
    essay = small_timeline["essays"]["weitz"]
    for event in EventFactory.create_batch(25, main_theme=arms, title="A treaty"):
        CitationFactory(event=event, essay=essay)
    warm_choices()
    with django_assert_num_queries(queries):
        client.get(url, params)


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_refuse_writes_and_shrug_off_bad_filters(client, small_timeline, name):
    url = reverse(f"timeline:{name}")
    assert client.post(url).status_code == 405
    response = client.get(url, {"from": "not-a-date", "theme": "<script>", "q": "x" * 5000})
    assert response.status_code == 200


def test_timeline_offers_every_download_with_the_current_filters(client, small_timeline):
    html = client.get("/", {"theme": "arms-control", "q": "treaty"}).content.decode()
    paragraph = re.search(r'<details class="downloads">(.*?)</details>', html, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"', paragraph)
    assert {link.split("?")[0] for link in links} == {
        reverse("timeline:export_events_json"),
        *(reverse(f"timeline:{name}") for name in EXPORTS),
    }
    assert all(link.endswith("?theme=arms-control&amp;q=treaty") for link in links)
    html = client.get("/").content.decode()
    paragraph = re.search(r'<details class="downloads">(.*?)</details>', html, re.S).group(1)
    assert "?" not in paragraph


@pytest.mark.parametrize("name", [*EXPORTS[:4], "export_events_json"])
def test_a_selection_too_large_to_download_gets_a_400_that_says_how_to_narrow_it(
    client, small_timeline, monkeypatch, name
):
    monkeypatch.setattr("timeline.exports.MAX_EXPORT_EVENTS", 1)
    refused = client.get(reverse(f"timeline:{name}"), {"theme": "arms-control", "from": "1990"})
    assertContains(
        refused, "This selection holds 2 events; a download holds at most 1.", status_code=400
    )
    assertContains(refused, 'href="/?theme=arms-control&amp;from=1990"', status_code=400)
    assert get(client, name, {"theme": "arms-control", "to": "2000"}).status_code == 200


def test_the_timeline_offers_downloads_only_for_selections_a_download_can_hold(
    client, small_timeline, monkeypatch
):
    monkeypatch.setattr("timeline.exports.MAX_EXPORT_EVENTS", 1)
    response = client.get("/", {"theme": "arms-control", "from": "1990"})
    assertContains(response, "Downloads hold at most 1 events: narrow these 2")
    assertNotContains(response, "/export/events.csv")
    response = client.get("/", {"theme": "arms-control", "to": "2000"})
    assertContains(response, "/export/events.csv?theme=arms-control&amp;to=2000")


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("export_events_json", ".json"),
        ("export_events_csv", ".csv"),
        ("export_events_ics", ".ics"),
        ("export_timelinejs", "-timelinejs.json"),
        ("export_citations_csv", "-citations.csv"),
        ("export_essays_bibtex", "-essays.bib"),
        ("export_essays_csl", "-essays.csl.json"),
    ],
)
def test_every_download_is_named_for_its_filters(client, small_timeline, name, suffix):
    params = {"theme": "arms-control", "from": "2009", "to": "2012"}
    response = client.get(reverse(f"timeline:{name}"), params)
    assert response["Content-Disposition"] == (
        f'attachment; filename="relations-timeline-arms-control-2009-2012{suffix}"'
    )


def test_a_download_name_holds_only_safe_characters(client, small_timeline):
    response = client.get(reverse("timeline:export_events_csv"), {"q": 'Ünïcode "x"/../\\ ok'})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="relations-timeline-unicode-x-ok.csv"'
    )


# --- made once, one at a time


def test_a_download_is_made_once_whatever_parameters_are_added_or_reordered(
    client, small_timeline, django_assert_num_queries
):
    first = get(client, "export_events_csv", {"theme": "arms-control", "q": "treaty"})
    # Only the data version is read: the file made for the first request is sent again.
    with django_assert_num_queries(1):
        again = client.get(
            reverse("timeline:export_events_csv") + "?junk=1&q=treaty&theme=arms-control&theme="
        )
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_an_edit_makes_the_download_anew(client, small_timeline):
    before = csv_rows(get(client, "export_events_csv"))
    event = small_timeline["events"]["usaid"]
    event.title = "Russia expels the U.S. aid agency"
    event.save()
    after = csv_rows(get(client, "export_events_csv"))
    assert len(after) == len(before)
    assert [row["title"] for row in after if row["slug"] == "usaid"] == [event.title]


def test_while_another_download_is_made_a_request_is_asked_to_retry(
    client, small_timeline, monkeypatch
):
    monkeypatch.setattr(export_cache, "WAIT_SECONDS", 0.01)
    assert export_cache._building.acquire(timeout=1)
    try:
        response = client.get(reverse("timeline:export_events_ics"))
        # With another request already waiting, a third is answered at once.
        assert export_cache._waiting.acquire(timeout=1)
        try:
            monkeypatch.setattr(export_cache, "WAIT_SECONDS", 60)
            at_once = client.get(reverse("timeline:export_events_json"))
        finally:
            export_cache._waiting.release()
    finally:
        export_cache._building.release()
    for answer in (response, at_once):
        assert answer.status_code == 503
        assert answer["Retry-After"] == str(export_cache.RETRY_AFTER_SECONDS)
        assertContains(answer, "try again in", status_code=503)
    assert client.get(reverse("timeline:export_events_ics")).status_code == 200
