"""What the downloads of the selected events hold: CSV, JSON, iCalendar, TimelineJS, BibTeX
and CSL-JSON (served by views/exports.py).

Every export reads the timeline's filters through EventFilter, so a file holds exactly what
the page shows, and runs a fixed number of queries whatever the number of events. The row
and slide builders are also what the admin import compares against (timeline/imports.py),
so exporting and importing again changes nothing.
"""

import datetime
import html
import json

from django.db.models import Exists, OuterRef
from django.utils.html import strip_tags
from icalendar.prop import vCategory, vDate, vDDDTypes, vText, vUri

from . import calendar_file, dates
from .filters import filterset_for
from .models import Citation, Essay
from .templatetags.timeline import markdown, rendered_markdown

EVENT_COLUMNS = [
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
CITATION_COLUMNS = ["essay", "event", "quote", "note"]
THEME_SEPARATOR = ";"
YES, NO = "yes", "no"
# A domain of our own, not the serving host, so a calendar keeps its events' identities
# whichever address the file was downloaded from.
UID_DOMAIN = "relations-timeline"
TIMELINE_TITLE = "U.S.–Russia relations"


# A download holds at most this many events. Past it, an export would keep a worker busy for
# tens of seconds and take a gigabyte of memory (all of 100,000 events: 59 MB of JSON in
# 23 s); the reader is asked to narrow the selection instead.
MAX_EXPORT_EVENTS = 10_000


class SelectionTooLarge(Exception):
    def __init__(self, filterset):
        self.filterset = filterset


def selected_events(request, *, capped=True):
    """The filter set for the request's filters, and the events it selects in time order.
    ``capped``: raise SelectionTooLarge past MAX_EXPORT_EVENTS (one query that stops there)."""
    filterset = filterset_for(request, request.GET)
    events = filterset.qs.in_time_order()
    if capped:
        beyond = events.order_by().values("pk")[MAX_EXPORT_EVENTS : MAX_EXPORT_EVENTS + 1]
        if beyond.exists():
            raise SelectionTooLarge(filterset)
    return filterset, events


def filters_applied(filterset) -> bool:
    """Whether any filter survived cleaning (an unknown theme alone selects everything)."""
    return any(filterset.values.values())


def partial_end(event) -> str:
    if event.end is None:
        return ""
    return dates.to_partial_text(event.end, event.end_precision or event.start_precision)


def event_csv_row(event) -> dict[str, str]:
    """An event (export_rows.ExportedEvent) as a spreadsheet row; dates keep their precision
    ("1992", "2012-09")."""
    return {
        "slug": event.slug,
        "title": event.title,
        "short_title": event.short_title,
        "start": dates.to_partial_text(event.start, event.start_precision),
        "end": partial_end(event),
        "approximate": YES if event.approximate else NO,
        "stance": event.stance,
        "themes": THEME_SEPARATOR.join(theme.slug for theme in event.themes),
        # One alias per line, as the model stores them: an alias may contain any punctuation.
        "aliases": "\n".join(event.alias_list),
        "summary": event.summary,
        "discussion_prompt": event.discussion_prompt,
        "url": event.url,
    }


def citation_csv_rows(events):
    """The citations of ``events`` (a queryset) as spreadsheet rows, in the events' order."""
    citations = (
        Citation.objects.filter(event__in=events.values("pk"))
        .order_by("event__start", "event__span_end", "event__title", "essay__published", "pk")
        .values_list("essay__slug", "event__slug", "quote", "note")
    )
    return (dict(zip(CITATION_COLUMNS, values, strict=True)) for values in citations)


def event_json(event, periods) -> dict:
    return {
        "slug": event.slug,
        "title": event.title,
        "start": event.start.isoformat(),
        "start_precision": event.start_precision,
        "end": event.end.isoformat() if event.end else None,
        "end_precision": event.end_precision or None,
        "approximate": event.approximate,
        "stance": event.stance,
        "themes": [theme.slug for theme in event.themes],
        "periods": [
            period.slug for period in periods if period.covers(event.start, event.span_end)
        ],
        "url": event.url,
        "citations": [
            {
                "essay": {"slug": essay.slug, "title": essay.title, "authors": essay.author_list},
                "quote": quote,
            }
            for essay, quote in event.citations
        ],
    }


def events_json(events, periods, notices) -> dict:
    """The JSON download of ``events`` (export_rows.ExportedEvent, with their citations),
    and what the filters' cleaning noticed."""
    payload = {"count": len(events), "events": [event_json(event, periods) for event in events]}
    if notices:
        payload["notices"] = notices
    return payload


PRECISION_WORDS = {dates.MONTH: "month", dates.YEAR: "year"}


def precision_note(event) -> str:
    """ "Date known to the month." and the like, or "" for day-precise dates."""
    if event.end is None:
        word = PRECISION_WORDS.get(event.start_precision)
        return f"Date known to the {word}." if word else ""
    start_word = PRECISION_WORDS.get(event.start_precision)
    end_word = PRECISION_WORDS.get(event.end_precision or event.start_precision)
    if start_word and start_word == end_word:
        return f"Dates known to the {start_word}."
    notes = []
    if start_word:
        notes.append(f"Start date known to the {start_word}.")
    if end_word:
        notes.append(f"End date known to the {end_word}.")
    return " ".join(notes)


def plain_text(summary: str) -> str:
    """The summary as our pages show it, without markup: calendars show a description as
    text, and some would run its HTML."""
    return html.unescape(strip_tags(rendered_markdown(summary))).strip()


def calendar_entry(event) -> bytes:
    """An all-day entry covering every day the event may cover (DTEND is exclusive)."""
    notes = [precision_note(event), "Approximate date." if event.approximate else ""]
    parts = (plain_text(event.summary), " ".join(n for n in notes if n), event.url)
    description = "\n\n".join(part for part in parts if part)
    return calendar_file.component(
        "VEVENT",
        [
            ("SUMMARY", vText(event.title)),
            ("DTSTART;VALUE=DATE", vDate(event.start)),
            ("DTEND;VALUE=DATE", vDate(event.span_end + datetime.timedelta(days=1))),
            ("DTSTAMP", vDDDTypes(event.updated_at.astimezone(datetime.UTC))),
            ("UID", vText(f"{event.slug}@{UID_DOMAIN}")),
            ("CATEGORIES", vCategory([theme.name for theme in event.themes])),
            ("DESCRIPTION", vText(description)),
            # History, not appointments: never shown as busy time.
            ("TRANSP", vText("TRANSPARENT")),
            ("URL", vUri(event.url)),
        ],
    )


def events_calendar(events) -> bytes:
    """The iCalendar download of ``events`` (export_rows.ExportedEvent)."""
    return calendar_file.component(
        "VCALENDAR",
        [
            ("VERSION", vText("2.0")),
            ("PRODID", vText(f"-//Relations Timeline//{UID_DOMAIN}//EN")),
            ("X-WR-CALNAME", vText(TIMELINE_TITLE)),
        ],
        inner=b"".join(calendar_entry(event) for event in events),
    )


def timelinejs_date(value: datetime.date, precision: str) -> dict[str, int]:
    """{year, month, day}, only as far as the date is known."""
    parts = {"year": value.year}
    if precision in (dates.MONTH, dates.DAY):
        parts["month"] = value.month
    if precision == dates.DAY:
        parts["day"] = value.day
    return parts


def html_text(text: str) -> str:
    """Plain text for a TimelineJS field that is sanitised and read as HTML (headlines)."""
    return html.escape(text, quote=False)


def stripped_html_text(text: str) -> str:
    """Plain text for a TimelineJS field (``group``, ``display_date``) whose tags it strips by
    reading it as HTML, which decodes entities once, and then sets as HTML: escaped twice, so
    what it finally shows is the text itself and never markup."""
    return html.escape(html.escape(text, quote=False), quote=False)


def timelinejs_text(summary: str) -> str:
    """The summary as TimelineJS shows it: Markdown rendered and sanitised, as on our pages."""
    return str(markdown(summary))


def timelinejs_slide(event) -> dict:
    slide = {
        "unique_id": event.slug,
        "start_date": timelinejs_date(event.start, event.start_precision),
        "display_date": stripped_html_text(event.date_display),
        "text": {"headline": html_text(event.title), "text": timelinejs_text(event.summary)},
        "group": stripped_html_text(event.main_theme.name),
    }
    if event.end is not None:
        slide["end_date"] = timelinejs_date(event.end, event.end_precision or event.start_precision)
    return slide


def timelinejs_file(events, periods, view_url: str) -> dict:
    """The TimelineJS download of ``events`` (export_rows.ExportedEvent): a slide each, the
    periods they fall in as eras, and a title linking to ``view_url``."""
    first = min((event.start for event in events), default=None)
    last = max((event.span_end for event in events), default=None)
    eras = [
        {
            "start_date": timelinejs_date(period.start, dates.DAY),
            "end_date": timelinejs_date(period.end, dates.DAY),
            "text": {"headline": html_text(period.name)},
        }
        for period in periods
        # Only the periods the events fall in, so the time scale fits the selection.
        if first and period.covers(first, last)
    ]
    count = f"{len(events)} event" if len(events) == 1 else f"{len(events)} events"
    return {
        "title": {
            "text": {
                "headline": TIMELINE_TITLE,
                "text": f'<p>{count} from <a href="{html.escape(view_url)}">the Relations '
                "Timeline</a>.</p>",
            }
        },
        "events": [timelinejs_slide(event) for event in events],
        "eras": eras,
    }


def citing_essays(filterset, events):
    """Essays citing the selected events; every essay when no filter narrows the events."""
    if not filters_applied(filterset):
        return filterset.snapshot.essays
    cited = Citation.objects.filter(essay=OuterRef("pk"), event__in=events.values("pk"))
    return list(Essay.objects.filter(Exists(cited)))


def split_name(name: str) -> tuple[str, str]:
    """ "Richard Weitz" → ("Weitz", "Richard"); "Weitz, Richard" is read the same way."""
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip()
    given, _, family = name.rpartition(" ")
    return family, given


def essay_note(essay) -> str:
    notes = []
    if essay.title_descriptive:
        notes.append("The text has no title; this one describes it.")
    if essay.published_inferred:
        notes.append(f"Date inferred. {essay.date_note}".strip())
    return " ".join(notes)


BIBTEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def bibtex_entry(essay) -> str:
    """A @misc entry keyed by the essay's slug, so keys survive re-exports."""

    def text(value):
        return "{" + value.translate(BIBTEX_SPECIALS) + "}"

    fields = []
    if authors := essay.author_list:
        names = (", ".join(filter(None, split_name(name))) for name in authors)
        fields.append(("author", text(" and ".join(names))))
    # Double braces keep the title's capitals in styles that lower-case titles.
    fields.append(("title", "{" + text(essay.title) + "}"))
    if essay.publisher:
        fields.append(("howpublished", text(essay.publisher)))
    fields.append(("year", f"{{{essay.published.year}}}"))
    if essay.published_precision != dates.YEAR:
        fields.append(("month", BIBTEX_MONTHS[essay.published.month - 1]))
    # biblatex's date field, as precise as the date is known.
    date = dates.to_partial_text(essay.published, essay.published_precision)
    fields.append(("date", f"{{{date}}}"))
    if essay.url:
        # URLs are typeset verbatim by \url: only braces would break the entry.
        fields.append(("url", "{" + essay.url.replace("{", "%7B").replace("}", "%7D") + "}"))
    if note := essay_note(essay):
        fields.append(("note", text(note)))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{essay.slug},\n{body},\n}}\n"


def bibtex_file(essays, source_url: str) -> str:
    """A BibTeX file of ``essays``, headed by the address it was downloaded from."""
    header = f"% Essays from the Relations Timeline, {source_url}\n\n"
    return header + "\n".join(bibtex_entry(essay) for essay in essays)


def csl_name(name: str) -> dict[str, str]:
    family, given = split_name(name)
    return {"family": family, "given": given} if given else {"family": family}


def csl_item(essay) -> dict:
    parts = [essay.published.year]
    if essay.published_precision in (dates.MONTH, dates.DAY):
        parts.append(essay.published.month)
    if essay.published_precision == dates.DAY:
        parts.append(essay.published.day)
    item = {
        "id": essay.slug,
        # Think-tank papers and commentaries: CSL's "report" (publisher, no journal).
        "type": "report",
        "title": essay.title,
        "issued": {"date-parts": [parts]},
    }
    if authors := essay.author_list:
        item["author"] = [csl_name(name) for name in authors]
    if essay.publisher:
        item["publisher"] = essay.publisher
    if essay.url:
        item["URL"] = essay.url
    if note := essay_note(essay):
        item["note"] = note
    return item


def csl_file(essays) -> str:
    """A CSL-JSON file of ``essays``."""
    return json.dumps([csl_item(essay) for essay in essays], ensure_ascii=False, indent=1)
