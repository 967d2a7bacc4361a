"""Load the curated dataset (YAML) into the database, idempotently and all-or-nothing.

Each record's content is hashed; a record whose hash matches what was last loaded is left
alone, so a second run changes nothing and corrections made in the admin survive until the
file itself changes that record. A record that changed in the file is written again, with
its citations, links and relations made to match the file.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from . import dates
from .models import Citation, Essay, Event, EventLink, EventRelation, Period, RelationKind, Theme

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "timeline.yaml"

SCHEMA = {
    "themes": {"required": {"slug", "name", "colour"}, "optional": {"description"}},
    "periods": {
        "required": {"slug", "name", "start", "end"},
        "optional": {"description"},
    },
    "essays": {
        "required": {"slug", "title", "published"},
        "optional": {
            "title_descriptive",
            "authors",
            "affiliation",
            "publisher",
            "published_inferred",
            "date_note",
            "url",
            "url_note",
            "licence",
            "abstract",
            "source_file",
        },
    },
    "events": {
        "required": {"slug", "title", "start", "stance", "themes", "summary"},
        "optional": {
            "short_title",
            "end",
            "approximate",
            "aliases",
            "links",
            "discussion_prompt",
            "related",
            "citations",
        },
    },
}


class DatasetError(Exception):
    """A malformed data file: says which file, which record and why."""


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def count(self, kind, outcome):
        bucket = getattr(self, outcome)
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self):
        for kind in [*SCHEMA, "citations"]:
            yield (
                f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} "
                f"updated, {self.unchanged.get(kind, 0)} unchanged"
            )
        for warning in self.warnings:
            yield f"warning: {warning}"


def record_hash(record) -> str:
    return hashlib.sha256(
        json.dumps(record, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


class Loader:
    def __init__(self, path: Path, force: bool = False):
        self.path = Path(path)
        self.force = force
        self.report = LoadReport()

    def fail(self, where: str, reason: str):
        raise DatasetError(f"{self.path}: {where}: {reason}")

    def read(self) -> dict:
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DatasetError(f"{self.path}: no such file") from None
        except yaml.YAMLError as error:
            raise DatasetError(f"{self.path}: not valid YAML: {error}") from None
        except RecursionError:
            raise DatasetError(f"{self.path}: nested too deeply to be read") from None
        if not isinstance(data, dict):
            raise DatasetError(f"{self.path}: the file must hold a mapping of {', '.join(SCHEMA)}")
        unknown = set(data) - set(SCHEMA)
        if unknown:
            raise DatasetError(f"{self.path}: unknown sections: {', '.join(sorted(unknown))}")
        for kind, rules in SCHEMA.items():
            records = data.get(kind) or []
            if not isinstance(records, list):
                raise DatasetError(f"{self.path}: {kind} must be a list")
            seen = set()
            for index, record in enumerate(records):
                where = self.where(kind, index, record)
                if not isinstance(record, dict):
                    self.fail(where, "a record must be a mapping of fields")
                missing = rules["required"] - set(record)
                if missing:
                    self.fail(where, f"missing field(s): {', '.join(sorted(missing))}")
                extra = set(record) - rules["required"] - rules["optional"]
                if extra:
                    self.fail(where, f"unknown field(s): {', '.join(sorted(extra))}")
                if record["slug"] in seen:
                    self.fail(where, f"slug {record['slug']!r} is used twice")
                seen.add(record["slug"])
            data[kind] = records
        return data

    @staticmethod
    def where(kind, index, record) -> str:
        slug = record.get("slug") if isinstance(record, dict) else None
        return f"{kind}[{index}]" + (f" ({slug})" if slug else "")

    def partial_date(self, where, name, value):
        try:
            return dates.parse_partial_date(str(value))
        except dates.PartialDateError as error:
            self.fail(where, f"{name}: {error}")

    def save(self, kind, where, record, instance, values):
        """Create or update ``instance`` from ``values`` unless its record is unchanged."""
        digest = record_hash(record)
        if instance.pk and instance.source_hash == digest and not self.force:
            self.report.count(kind, "unchanged")
            return instance, False
        outcome = "updated" if instance.pk else "created"
        for name, value in values.items():
            setattr(instance, name, value)
        instance.source_hash = digest
        try:
            instance.full_clean(validate_unique=False)
        except ValidationError as error:
            self.fail(where, "; ".join(self.messages(error)))
        instance.save()
        self.report.count(kind, outcome)
        return instance, True

    @staticmethod
    def messages(error: ValidationError):
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                for message in errors:
                    yield message if name == "__all__" else f"{name}: {message}"
        else:
            yield from error.messages

    def load(self) -> LoadReport:
        data = self.read()
        with transaction.atomic():
            themes = self.load_themes(data["themes"])
            self.load_periods(data["periods"])
            essays = self.load_essays(data["essays"])
            self.load_events(data["events"], themes, essays)
        self.report.warnings = [c.later_event_warning for c in Citation.citing_later_events()]
        return self.report

    def load_themes(self, records):
        themes = {theme.slug: theme for theme in Theme.objects.all()}
        for index, record in enumerate(records):
            where = self.where("themes", index, record)
            instance = themes.get(record["slug"]) or Theme(slug=record["slug"])
            themes[record["slug"]], _ = self.save(
                "themes",
                where,
                record,
                instance,
                {
                    "name": record["name"],
                    "colour": record["colour"],
                    "description": record.get("description") or "",
                    "position": index,
                },
            )
        return themes

    def load_periods(self, records):
        periods = {period.slug: period for period in Period.objects.all()}
        for index, record in enumerate(records):
            where = self.where("periods", index, record)
            values = {"name": record["name"], "description": record.get("description") or ""}
            for name in ("start", "end"):
                day, precision = self.partial_date(where, name, record[name])
                if precision != dates.DAY:
                    self.fail(where, f"{name}: a period needs a full date (YYYY-MM-DD)")
                values[name] = day
            instance = periods.get(record["slug"]) or Period(slug=record["slug"])
            self.save("periods", where, record, instance, values)

    def load_essays(self, records):
        essays = {essay.slug: essay for essay in Essay.objects.all()}
        for index, record in enumerate(records):
            where = self.where("essays", index, record)
            published, precision = self.partial_date(where, "published", record["published"])
            authors = record.get("authors") or []
            if not isinstance(authors, list):
                self.fail(where, "authors must be a list of names ([] when none is named)")
            instance = essays.get(record["slug"]) or Essay(slug=record["slug"])
            essays[record["slug"]], _ = self.save(
                "essays",
                where,
                record,
                instance,
                {
                    "title": record["title"],
                    "title_descriptive": bool(record.get("title_descriptive", False)),
                    "authors": "; ".join(authors),
                    "affiliation": record.get("affiliation") or "",
                    "publisher": record.get("publisher") or "",
                    "published": published,
                    "published_precision": precision,
                    "published_inferred": bool(record.get("published_inferred", False)),
                    "date_note": record.get("date_note") or "",
                    "url": record.get("url") or "",
                    "url_note": record.get("url_note") or "",
                    "licence": record.get("licence") or "",
                    "abstract": record.get("abstract") or "",
                    "text_filename": record.get("source_file") or "",
                },
            )
        return essays

    def load_events(self, records, themes, essays):
        events = {event.slug: event for event in Event.objects.all()}
        slugs_in_file = {record["slug"] for record in records}
        changed = []
        for index, record in enumerate(records):
            where = self.where("events", index, record)
            start, start_precision = self.partial_date(where, "start", record["start"])
            end, end_precision = (None, "")
            if record.get("end") is not None:
                end, end_precision = self.partial_date(where, "end", record["end"])
            theme_slugs = record["themes"]
            if not isinstance(theme_slugs, list) or not theme_slugs:
                self.fail(where, "themes must be a list of at least one theme slug")
            for slug in theme_slugs:
                if slug not in themes:
                    self.fail(where, f"themes: there is no theme {slug!r}")
            aliases = record.get("aliases") or []
            if not isinstance(aliases, list):
                self.fail(where, "aliases must be a list")
            instance = events.get(record["slug"]) or Event(slug=record["slug"])
            event, was_written = self.save(
                "events",
                where,
                record,
                instance,
                {
                    "title": record["title"],
                    "short_title": record.get("short_title") or "",
                    "summary": record["summary"],
                    "start": start,
                    "start_precision": start_precision,
                    "end": end,
                    "end_precision": end_precision,
                    "approximate": bool(record.get("approximate", False)),
                    "stance": record["stance"],
                    "main_theme": themes[theme_slugs[0]],
                    "aliases": "\n".join(aliases),
                    "discussion_prompt": record.get("discussion_prompt") or "",
                },
            )
            events[record["slug"]] = event
            if was_written:
                event.themes.set([themes[slug] for slug in theme_slugs])
                changed.append((where, record, event))
        # Children come after every event exists, since relations may point forward.
        for where, record, event in changed:
            self.sync_links(where, record, event)
            self.sync_citations(where, record, event, essays)
            self.sync_relations(where, record, event, events, slugs_in_file)

    def sync_links(self, where, record, event):
        event.links.all().delete()
        for position, link in enumerate(record.get("links") or []):
            if not isinstance(link, dict) or "title" not in link or set(link) - {"title", "url"}:
                self.fail(
                    where, f"links[{position}] needs a title (a reference) and may have a url"
                )
            self.validated(
                f"{where} links[{position}]",
                EventLink(
                    event=event,
                    title=link["title"],
                    url=link.get("url") or "",
                    position=position,
                ),
            )

    def sync_citations(self, where, record, event, essays):
        existing = {
            citation.essay.slug: citation for citation in event.citations.select_related("essay")
        }
        kept = set()
        for position, item in enumerate(record.get("citations") or []):
            place = f"{where} citations[{position}]"
            if (
                not isinstance(item, dict)
                or not {"essay", "quote"} <= set(item)
                or (set(item) - {"essay", "quote", "note"})
            ):
                self.fail(place, "a citation needs an essay and a quote (and may have a note)")
            if item["essay"] not in essays:
                self.fail(place, f"there is no essay {item['essay']!r}")
            if item["essay"] in kept:
                self.fail(place, f"essay {item['essay']!r} cites this event twice")
            kept.add(item["essay"])
            citation = existing.get(item["essay"]) or Citation(
                event=event, essay=essays[item["essay"]]
            )
            citation.quote = str(item["quote"])
            citation.note = item.get("note") or ""
            outcome = "updated" if citation.pk else "created"
            self.validated(place, citation)
            self.report.count("citations", outcome)
        for slug, citation in existing.items():
            if slug not in kept:
                citation.delete()

    def sync_relations(self, where, record, event, events, slugs_in_file):
        event.relations_out.all().delete()
        for position, item in enumerate(record.get("related") or []):
            place = f"{where} related[{position}]"
            if not isinstance(item, dict) or set(item) != {"type", "event"}:
                self.fail(place, "a relation needs exactly a type and an event")
            if item["type"] not in RelationKind.values:
                self.fail(place, f"type must be one of {', '.join(RelationKind.values)}")
            if item["event"] not in slugs_in_file:
                self.fail(place, f"there is no event {item['event']!r} in the file")
            self.validated(
                place,
                EventRelation(from_event=event, kind=item["type"], to_event=events[item["event"]]),
            )

    def validated(self, where, instance):
        try:
            instance.full_clean()
        except ValidationError as error:
            self.fail(where, "; ".join(self.messages(error)))
        instance.save()
        return instance
