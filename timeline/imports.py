"""Importing events and citations from the exports' own formats: a plan first, then writes.

``read_file`` reads an uploaded file (events CSV, citations CSV, or TimelineJS JSON, told
apart by their content), ``plan_import`` says for each row whether it would create, update,
leave unchanged or reject a record, without writing anything, and ``apply_plan`` writes a
plan in one transaction. Rows are validated with the models' own ``full_clean``, so an
editor reads the same messages as in the admin's forms.

A row changes only what differs from the stored record, compared the way the export writes
it, so importing a fresh export changes nothing. Nothing is ever deleted: a record missing
from the file is left alone, since a file may hold a filtered selection.
"""

import csv
import hashlib
import html
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from . import dates, import_writes
from .exports import CITATION_COLUMNS, EVENT_COLUMNS, NO, THEME_SEPARATOR, YES, timelinejs_text
from .formula_cells import restored
from .loader import Loader
from .models import Citation, Essay, Event, Theme

MAX_FILE_SIZE = 2 * 1024 * 1024
# The most rows one import takes: previewing and confirming this many stays well inside the
# server's 30-second timeout on SQLite and PostgreSQL (docs/editing.md, "Importing",
# bench/imports.py).
MAX_ROWS = 10_000
EVENTS, CITATIONS = "events", "citations"
CSV, TIMELINEJS = "CSV", "TimelineJS"
CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
# Columns the export writes for reading only: the event's address on the site.
DERIVED_COLUMNS = {"url"}
# Columns a file may leave out (one written before they existed): the events keep theirs.
OPTIONAL_COLUMNS = {"short_title"}
TRUE_WORDS = {YES, "true", "1", "y"}
FALSE_WORDS = {NO, "false", "0", "n", ""}
EVENT_FIELDS = [
    "title",
    "short_title",
    "summary",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "approximate",
    "stance",
    "main_theme",
    "aliases",
    "discussion_prompt",
]


class ImportFileError(ValueError):
    """A file that cannot be read as one of the import formats at all."""


@dataclass
class ImportFile:
    kind: str  # EVENTS or CITATIONS
    format: str  # CSV or TIMELINEJS
    rows: list[tuple[str, dict]]  # (where, row) in file order: "row 2", "slide 1"
    notes: list[str] = field(default_factory=list)


@dataclass
class PlannedRow:
    where: str
    key: str
    action: str
    changes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    instance: object = None
    themes: list | None = None  # an event's themes to set, when they change
    # (field, stored value, value from the file) of each change, as text to show.
    differences: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportPlan:
    kind: str
    format: str
    rows: list[PlannedRow]
    notes: list[str] = field(default_factory=list)

    def count(self, action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (CREATE, UPDATE, UNCHANGED, REJECT)}

    @property
    def writes(self) -> int:
        return self.count(CREATE) + self.count(UPDATE)

    @property
    def digest(self) -> str:
        """What the plan would do, so a confirmation can check it still holds."""
        outline = [(row.key, row.action, row.changes, row.reasons) for row in self.rows]
        return hashlib.sha256(json.dumps(outline).encode()).hexdigest()


class PlanChanged(Exception):
    """The database changed between preview and confirmation; here is the new plan."""

    def __init__(self, plan):
        super().__init__("The data changed since the preview.")
        self.plan = plan


# --- reading files


def read_file(data: bytes) -> ImportFile:
    if len(data) > MAX_FILE_SIZE:
        raise ImportFileError(f"The file is larger than {MAX_FILE_SIZE // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” (or JSON) and try again."
        ) from None
    if not text.strip():
        raise ImportFileError("The file is empty.")
    import_file = read_timelinejs(text) if text.lstrip().startswith("{") else read_csv(text)
    if len(import_file.rows) > MAX_ROWS:
        noun = "slides" if import_file.format == TIMELINEJS else "rows"
        raise ImportFileError(
            f"The file holds {len(import_file.rows):,} {noun}; an import takes at most "
            f"{MAX_ROWS:,}. Split it into smaller files and import them one after another."
        )
    return import_file


def read_csv(text: str) -> ImportFile:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        # Cells that the export kept from running as formulas, as they were.
        records = [{name: restored(value) for name, value in row.items()} for row in reader]
    except csv.Error as error:
        raise ImportFileError(f"The file is not readable as CSV: {error}.") from None
    if "quote" in header:
        kind, columns, required = CITATIONS, CITATION_COLUMNS, set(CITATION_COLUMNS)
    elif "slug" in header:
        kind, columns, required = (
            EVENTS,
            EVENT_COLUMNS,
            set(EVENT_COLUMNS) - DERIVED_COLUMNS - OPTIONAL_COLUMNS,
        )
    else:
        raise ImportFileError(
            "The first row names neither the events' columns ("
            + ", ".join(EVENT_COLUMNS)
            + ") nor the citations' ("
            + ", ".join(CITATION_COLUMNS)
            + ")."
        )
    missing = [name for name in columns if name in required and name not in header]
    unknown = [name for name in header if name not in columns]
    problems = []
    if missing:
        problems.append(f"it lacks the column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"it has unknown column(s) {', '.join(unknown)}")
    if problems:
        raise ImportFileError(f"This looks like a file of {kind}, but " + " and ".join(problems))
    rows = []
    for number, record in enumerate(records, start=2):  # the header is row 1
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue  # blank lines that spreadsheets leave at the end
        rows.append((f"row {number}", record))
    return ImportFile(kind=kind, format=CSV, rows=rows)


def read_timelinejs(text: str) -> ImportFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise ImportFileError(
            "The file nests lists or objects too deeply to be read; a TimelineJS file nests "
            "only a few levels."
        ) from None
    except ValueError as error:  # a number of more digits than Python converts, say
        raise ImportFileError(f"The file is not readable as JSON: {error}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ImportFileError("A TimelineJS file holds an object with a list of “events”.")
    notes = []
    if data.get("eras"):
        notes.append("Eras are not imported: periods are edited in the admin.")
    rows = [(f"slide {number}", slide) for number, slide in enumerate(data["events"], start=1)]
    return ImportFile(kind=EVENTS, format=TIMELINEJS, rows=rows, notes=notes)


# --- planning


class RowError(Exception):
    """Reasons a row is rejected before the model is even built."""

    def __init__(self, reasons):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def cell(row: dict, name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def partial_date(name: str, text: str):
    """(day, precision) for "2012", "2012-09" or "2012-09-01"; (None, "") for an empty cell."""
    if not text:
        return None, ""
    try:
        return dates.parse_partial_date(text)
    except dates.PartialDateError:
        raise RowError(
            [f"{name}: “{text}” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD."]
        ) from None


def storable(keys) -> list[str]:
    """The keys a query may hold: PostgreSQL refuses a NUL character even there. No stored
    key holds one (the models refuse it), so leaving them out finds the same records."""
    return [key for key in keys if "\x00" not in key]


def validation_messages(error: ValidationError) -> list[str]:
    return list(Loader.messages(error))


def normalised(name: str, value):
    """A field's value as compared: surrounding spaces (which the admin strips too), blank
    lines between aliases and a quotation's spacing (which its clean() tidies) do not count."""
    if name == "aliases":
        return [line.strip() for line in value.splitlines() if line.strip()]
    if name == "quote":
        return " ".join(value.split())
    return value.strip() if isinstance(value, str) else value


def set_changed_values(instance, values: dict) -> set[str]:
    """Set each value that differs from the instance's (all of them on a new instance)."""
    touched = set()
    for name, value in values.items():
        if instance.pk is None or normalised(name, value) != normalised(
            name, getattr(instance, name)
        ):
            setattr(instance, name, value)
            touched.add(name)
    return touched


def validate(instance, before: dict, touched: set[str], fetched=()) -> list[str]:
    """The model's full_clean messages; untouched fields keep their stored value even when
    clean() would tidy them, so an unchanged row stays unchanged.

    Without the queries full_clean makes per row: related records named in ``fetched`` were
    read by the planner, which also matches rows to records by their unique keys, and each
    model's clean() refuses all that its check constraints refuse (tests/test_models.py)."""
    try:
        instance.full_clean(exclude=fetched, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return validation_messages(error)
    for name, value in before.items():
        if name not in touched:
            setattr(instance, name, value)
    return []


def extra_cells_reason(row) -> list[str]:
    # csv.DictReader gathers cells beyond the header's columns under the key None.
    return ["This row has more cells than the first row has columns."] if None in row else []


def duplicate_reason(key, seen, where, noun):
    if key in seen:
        return f"{noun} “{key}” is also in {seen[key]}; only the first is imported."
    seen[key] = where
    return None


def plan_event(where, slug, values, theme_slugs, existing, themes_by_slug) -> PlannedRow:
    """Apply ``values`` (model field → value; absent fields are kept) to the event."""
    event = existing.get(slug) or Event(slug=slug)
    before = {name: getattr(event, name) for name in values} if event.pk else {}
    themes_before = {theme.pk for theme in event.themes.all()} if event.pk else set()
    touched = set_changed_values(event, values)
    reasons = validate(event, before, touched, fetched=["main_theme"])
    if reasons:
        return PlannedRow(where, slug, REJECT, reasons=reasons)
    if theme_slugs is not None:
        themes = [themes_by_slug[theme_slug] for theme_slug in theme_slugs]
    else:
        # TimelineJS names only the main theme: add it to the others.
        themes = [*event.themes.all(), values["main_theme"]] if event.pk else []
    if not event.pk:
        return PlannedRow(where, slug, CREATE, instance=event, themes=themes)
    changes = [
        name for name in EVENT_FIELDS if name in before and getattr(event, name) != before[name]
    ]
    differences = [(name, shown(before[name]), shown(getattr(event, name))) for name in changes]
    if {theme.pk for theme in themes} != themes_before:
        changes.append("themes")
        old_themes = sorted(theme.slug for theme in event.themes.all())
        differences.append(
            ("themes", " ".join(old_themes), " ".join(sorted(theme.slug for theme in themes)))
        )
    else:
        themes = None
    action = UPDATE if changes else UNCHANGED
    return PlannedRow(
        where, slug, action, changes=changes, instance=event, themes=themes, differences=differences
    )


def shown(value) -> str:
    """A stored or imported value as the preview shows it."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def event_values_from_csv(row, themes_by_slug):
    reasons = extra_cells_reason(row)
    start, start_precision, end, end_precision = None, "", None, ""
    try:
        start, start_precision = partial_date("start", cell(row, "start"))
        if start is None:
            reasons.append("start: This field cannot be blank.")
    except RowError as error:
        reasons += error.reasons
    try:
        end, end_precision = partial_date("end", cell(row, "end"))
    except RowError as error:
        reasons += error.reasons
    approximate = cell(row, "approximate").lower()
    if approximate not in TRUE_WORDS | FALSE_WORDS:
        reasons.append(f"approximate: write “{YES}” or “{NO}”, not “{approximate}”.")
    theme_slugs = [s.strip() for s in cell(row, "themes").split(THEME_SEPARATOR) if s.strip()]
    if not theme_slugs:
        reasons.append("themes: name at least one theme; the first is the main theme.")
    for slug in theme_slugs:
        if slug not in themes_by_slug:
            reasons.append(f"themes: there is no theme “{slug}”.")
    if reasons:
        raise RowError(reasons)
    values = {
        "title": cell(row, "title"),
        "summary": cell(row, "summary"),
        "start": start,
        "start_precision": start_precision,
        "end": end,
        "end_precision": end_precision,
        "approximate": approximate in TRUE_WORDS,
        "stance": cell(row, "stance"),
        "main_theme": themes_by_slug[theme_slugs[0]],
        "aliases": "\n".join(normalised("aliases", row.get("aliases") or "")),
        "discussion_prompt": cell(row, "discussion_prompt"),
    }
    if "short_title" in row:
        values["short_title"] = cell(row, "short_title")
    return values, list(dict.fromkeys(theme_slugs))


def timelinejs_date(name, value):
    """A TimelineJS date ({year, month, day}, as far as known) → (day, precision)."""
    if value is None:
        return None, ""
    if not isinstance(value, dict) or value.get("year") in (None, ""):
        raise RowError([f"{name}: a date needs at least a year."])
    parts = [value.get(part) for part in ("year", "month", "day")]
    if parts[1] in (None, "") and parts[2] not in (None, ""):
        raise RowError([f"{name}: a day needs its month."])
    try:
        numbers = [int(str(part)) for part in parts if part not in (None, "")]
    except ValueError:
        raise RowError([f"{name}: {json.dumps(value)} is not a date."]) from None
    text = "-".join(
        f"{number:04d}" if index == 0 else f"{number:02d}" for index, number in enumerate(numbers)
    )
    return partial_date(name, text)


def event_values_from_slide(slide, slug, existing, themes_by_name):
    reasons = []
    start, start_precision, end, end_precision = None, "", None, ""
    try:
        start, start_precision = timelinejs_date("start_date", slide.get("start_date"))
        if start is None:
            reasons.append("start_date: This field cannot be blank.")
    except RowError as error:
        reasons += error.reasons
    try:
        end, end_precision = timelinejs_date("end_date", slide.get("end_date"))
    except RowError as error:
        reasons += error.reasons
    # The export escapes the group twice (exports.stripped_html_text).
    group = html.unescape(html.unescape(str(slide.get("group") or ""))).strip()
    main_theme = themes_by_name.get(group.casefold())
    if not group:
        reasons.append("group: name the main theme.")
    elif main_theme is None:
        reasons.append(f"group: there is no theme “{group}”.")
    if slug not in existing:
        reasons.append(
            "stance: TimelineJS has no stance, so a new event must come from the events CSV "
            "or the admin."
        )
    if reasons:
        raise RowError(reasons)
    text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
    summary = str(text.get("text") or "").strip()
    # The export renders the summary's Markdown; the same HTML means the same summary.
    if summary == timelinejs_text(existing[slug].summary).strip():
        summary = existing[slug].summary
    values = {
        # The export escapes the title, since TimelineJS reads a headline as HTML.
        "title": html.unescape(str(text.get("headline") or "")).strip(),
        "summary": summary,
        "start": start,
        "start_precision": start_precision,
        "end": end,
        "end_precision": end_precision,
        "main_theme": main_theme,
    }
    return values


def row_key(import_file, row) -> str:
    if import_file.kind == CITATIONS:
        return f"{cell(row, 'essay')} → {cell(row, 'event')}"
    if import_file.format == TIMELINEJS:
        return str(row.get("unique_id") or "").strip() if isinstance(row, dict) else ""
    return cell(row, "slug")


def plan_events(import_file: ImportFile) -> list[PlannedRow]:
    themes = list(Theme.objects.all())
    themes_by_slug = {theme.slug: theme for theme in themes}
    themes_by_name = {theme.slug: theme for theme in themes} | {
        theme.name.casefold(): theme for theme in themes
    }
    slugs = [row_key(import_file, row) for _, row in import_file.rows]
    existing = {
        event.slug: event
        for event in Event.objects.filter(slug__in=storable(slugs))
        .select_related("main_theme")
        .prefetch_related("themes")
    }
    planned, seen = [], {}
    for (where, row), slug in zip(import_file.rows, slugs, strict=True):
        try:
            if not isinstance(row, dict):
                raise RowError(["a slide must be an object."])
            if not slug:
                name = "unique_id" if import_file.format == TIMELINEJS else "slug"
                raise RowError([f"{name}: This field cannot be blank."])
            if reason := duplicate_reason(slug, seen, where, "Event"):
                raise RowError([reason])
            if import_file.format == TIMELINEJS:
                values = event_values_from_slide(row, slug, existing, themes_by_name)
                theme_slugs = None
            else:
                values, theme_slugs = event_values_from_csv(row, themes_by_slug)
        except RowError as error:
            planned.append(PlannedRow(where, slug, REJECT, reasons=error.reasons))
            continue
        planned.append(plan_event(where, slug, values, theme_slugs, existing, themes_by_slug))
    return planned


def plan_citations(import_file: ImportFile) -> list[PlannedRow]:
    essays = {essay.slug: essay for essay in Essay.objects.all()}
    event_slugs = storable({cell(row, "event") for _, row in import_file.rows})
    events = {event.slug: event for event in Event.objects.filter(slug__in=event_slugs)}
    existing = {
        (citation.essay.slug, citation.event.slug): citation
        for citation in Citation.objects.filter(event__slug__in=event_slugs).select_related(
            "essay", "event"
        )
    }
    planned, seen = [], {}
    for where, row in import_file.rows:
        essay_slug, event_slug = cell(row, "essay"), cell(row, "event")
        key = row_key(import_file, row)
        reasons = extra_cells_reason(row)
        if essay_slug not in essays:
            reasons.append(
                f"essay: there is no essay “{essay_slug}”."
                if essay_slug
                else "essay: This field cannot be blank."
            )
        if event_slug not in events:
            reasons.append(
                f"event: there is no event “{event_slug}”."
                if event_slug
                else "event: This field cannot be blank."
            )
        if not reasons and (reason := duplicate_reason(key, seen, where, "Citation")):
            reasons.append(reason)
        if reasons:
            planned.append(PlannedRow(where, key, REJECT, reasons=reasons))
            continue
        citation = existing.get((essay_slug, event_slug)) or Citation(
            essay=essays[essay_slug], event=events[event_slug]
        )
        before = {"quote": citation.quote, "note": citation.note}
        touched = set_changed_values(
            citation, {"quote": cell(row, "quote"), "note": cell(row, "note")}
        )
        if reasons := validate(citation, before, touched, fetched=["essay", "event"]):
            planned.append(PlannedRow(where, key, REJECT, reasons=reasons))
            continue
        if not citation.pk:
            planned.append(PlannedRow(where, key, CREATE, instance=citation))
            continue
        changes = [name for name, value in before.items() if getattr(citation, name) != value]
        differences = [(name, before[name], getattr(citation, name)) for name in changes]
        action = UPDATE if changes else UNCHANGED
        planned.append(
            PlannedRow(
                where, key, action, changes=changes, instance=citation, differences=differences
            )
        )
    return planned


def plan_import(import_file: ImportFile) -> ImportPlan:
    """What importing the file would do, row by row. Reads the database, writes nothing."""
    planner = plan_citations if import_file.kind == CITATIONS else plan_events
    return ImportPlan(
        kind=import_file.kind,
        format=import_file.format,
        rows=planner(import_file),
        notes=list(import_file.notes),
    )


@transaction.atomic
def apply_plan(plan: ImportPlan, user=None):
    """Write the plan's creations and updates, recorded in the history as ``user``'s;
    rejected and unchanged rows are left out."""
    created = [row for row in plan.rows if row.action == CREATE]
    updated = [row for row in plan.rows if row.action == UPDATE]
    if not created and not updated:
        return
    writer = import_writes.write_citations if plan.kind == CITATIONS else import_writes.write_events
    writer(created, updated, user)


def import_as_previewed(import_file: ImportFile, digest: str, user=None) -> ImportPlan:
    """Plan again and write, in one transaction, only if the plan is still the previewed one."""
    with transaction.atomic():
        plan = plan_import(import_file)
        if plan.digest != digest:
            raise PlanChanged(plan)
        apply_plan(plan, user)
    return plan
