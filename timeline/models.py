import bisect
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalChanges, HistoricalRecords

from . import dates
from .backends import backend_for
from .quotes import validate_text_filename
from .search_text import search_words, searchable_text
from .typography import curly_quotes, in_quotes


class Precision(models.TextChoices):
    DAY = dates.DAY, "Day"
    MONTH = dates.MONTH, "Month"
    YEAR = dates.YEAR, "Year"


class Stance(models.TextChoices):
    COOPERATION = "cooperation", "Cooperation"
    CONFRONTATION = "confrontation", "Confrontation"
    MIXED = "mixed", "Mixed"


def precision_consistent(field: str) -> Q:
    """The date in ``field`` is the 1st of its month or year when less precise than a day."""
    precision = f"{field}_precision"
    return (
        Q(**{precision: Precision.DAY})
        | Q(**{precision: Precision.MONTH, f"{field}__day": 1})
        | Q(**{precision: Precision.YEAR, f"{field}__day": 1, f"{field}__month": 1})
    )


# PostgreSQL cannot store a NUL character: every text field refuses one, as the admin's
# forms do, so the import and the loader reject it with a reason instead of failing to write.
NO_NUL = ProhibitNullCharactersValidator()


@receiver(class_prepared)
def refuse_nul_in_text_fields(sender, **kwargs):
    """Every text field of the timeline's models gets the one NUL check as its model is
    defined, before django-simple-history copies the fields into the model's history."""
    if sender._meta.app_label != "timeline" or issubclass(sender, HistoricalChanges):
        return  # a history's copies have the check already; its own fields are the library's
    for field in sender._meta.local_fields:
        if isinstance(field, models.CharField | models.TextField):
            # The list validation runs, read first: a CharField fills it in when it is created.
            field.validators.append(NO_NUL)
            # The declared list, which migrations record: there, too, the NUL check comes last.
            field._validators.append(NO_NUL)


# The only colours /themes.css writes into its rules, so a colour can never be other CSS.
# \A and \Z, not ^ and $, mean the same in Python and in PostgreSQL's regular expressions.
COLOUR_PATTERN = r"\A#[0-9a-fA-F]{6}\Z"
COLOUR_MESSAGE = "Enter a colour as #RRGGBB."

PRECISION_MESSAGE = (
    "A month-precise date must be the 1st of the month and a year-precise date 1 January: "
    "the precision says which part is known."
)


class Theme(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    colour = models.CharField(
        max_length=7,
        validators=[RegexValidator(COLOUR_PATTERN, COLOUR_MESSAGE)],
        help_text="Hex colour, #RRGGBB. It must keep white text readable (contrast 4.5:1).",
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    # Every save is kept with who and when (django-simple-history). The loader's source_hash
    # stays out of it: a revert keeps the current hash, so it counts as an editor's correction
    # that later loads leave alone. updated_at stays out too: each record has its own date.
    history = HistoricalRecords(excluded_fields=["source_hash"])

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__regex=COLOUR_PATTERN),
                name="theme_colour_is_hex",
                violation_error_message=COLOUR_MESSAGE,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('timeline:index')}?theme={self.slug}"

    @property
    def colour_class(self) -> str:
        """The class that gives an element this theme's colour (/themes.css): short, since
        every mark, entry and swatch of a page carries one."""
        return f"th{self.pk}"


class PeriodQuerySet(models.QuerySet):
    def overlapping(self, first_day, last_day):
        return self.filter(start__lte=last_day, end__gte=first_day)


class Period(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    start = models.DateField()
    end = models.DateField()
    description = models.TextField(blank=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = PeriodQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["source_hash"])

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="period_end_not_before_start",
                violation_error_message="A period cannot end before it starts.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('timeline:index')}?period={self.slug}"

    def clean(self):
        self.name = curly_quotes(self.name)
        errors = {
            name: dates.OUT_OF_RANGE
            for name in ("start", "end")
            if getattr(self, name) and not dates.in_range(getattr(self, name))
        }
        if self.start and self.end and self.end < self.start:
            errors["end"] = "A period cannot end before it starts."
        if errors:
            raise ValidationError(errors)

    @cached_property  # drawn on every axis from the loaded periods
    def span_text(self):
        return f"{dates.format_partial_date(self.start, dates.DAY)} – " + (
            dates.format_partial_date(self.end, dates.DAY)
        )

    def covers(self, first_day, last_day) -> bool:
        return self.start <= last_day and self.end >= first_day


class TextDisplay(models.TextChoices):
    EDITORS = "editors", "Editors only: kept for citing and checking, never shown"
    PUBLIC = "public", "Public: readers may read it"


class Essay(models.Model):
    title = models.CharField(max_length=300)
    title_descriptive = models.BooleanField(
        "descriptive title",
        default=False,
        help_text="Tick when the text has no title and this one was written by us.",
    )
    slug = models.SlugField(max_length=120, unique=True)
    authors = models.CharField(
        max_length=300,
        blank=True,
        help_text="Names separated by semicolons. Leave empty when the text names no author.",
    )
    affiliation = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    published = models.DateField()
    published_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    published_inferred = models.BooleanField(
        "date inferred",
        default=False,
        help_text="Tick when the date is inferred from the text, not printed with it.",
    )
    date_note = models.CharField(max_length=500, blank=True, help_text="How the date is known.")
    url = models.URLField("URL", max_length=500, blank=True)
    url_note = models.CharField(
        "note on the URL",
        max_length=300,
        blank=True,
        help_text="What a reader should know of the address, e.g. that the site has closed.",
    )
    licence = models.CharField(max_length=200, blank=True)
    abstract = models.TextField(blank=True, help_text="One paragraph, in our own words.")
    text_filename = models.CharField(
        max_length=200,
        blank=True,
        help_text="File name of the essay's text, for load_essay_texts and verify_quotes.",
        validators=[validate_text_filename],
    )
    text = models.TextField(
        "full text",
        blank=True,
        help_text=(
            "The essay as published, pasted here or loaded with load_essay_texts: citations "
            "are checked against it and proposed from it."
        ),
    )
    text_display = models.CharField(
        "who may read the text",
        max_length=7,
        choices=TextDisplay.choices,
        default=TextDisplay.EDITORS,
        help_text=(
            "Most essays are under copyright: show the text to readers only when its licence "
            "allows it."
        ),
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["source_hash", "updated_at"])

    class Meta:
        ordering = ["published", "title"]
        constraints = [
            models.CheckConstraint(
                condition=precision_consistent("published"),
                name="essay_published_precision_consistent",
                violation_error_message=PRECISION_MESSAGE,
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:essay_detail", args=[self.slug])

    def clean(self):
        self.title = curly_quotes(self.title)
        if self.published and not dates.is_consistent(self.published, self.published_precision):
            raise ValidationError({"published": PRECISION_MESSAGE})

    @property
    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.split(";") if name.strip()]

    @property
    def authors_display(self) -> str:
        names = self.author_list
        if not names:
            return "Author not named"
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def short_label(self) -> str:
        """ "Richard Weitz 2013": a column heading for grids. Full names, since which part
        is the family name differs between naming traditions."""
        names = self.author_list
        who = names[0] if names else self.publisher.split(",")[0].split("(")[0].strip()
        return f"{who or 'Unknown'} {self.published.year}"

    @property
    def published_display(self) -> str:
        text = dates.format_partial_date(self.published, self.published_precision)
        return f"{text} (inferred)" if self.published_inferred else text


# The most days an event of each span class but the last may span (span_end − start); the
# last class holds the longer ones.
SPAN_CLASS_DAYS = (31, 366, 1461)


def span_class_of(start, span_end) -> int:
    return bisect.bisect_left(SPAN_CLASS_DAYS, (span_end - start).days)


class SelectionQuerySet(models.QuerySet):
    """The filters of a selection of events, shared by events and their facets (one row per
    event and theme, see EventFacet): ``event_field`` names the event's id in each."""

    event_field = "pk"

    def between(self, first_day=None, last_day=None, longest_span=None):
        """Events whose span overlaps [first_day, last_day]; either bound may be open.
        ``longest_span`` (no event spans longer) bounds the start from below too, so an
        index on the start is read from there rather than from the first event."""
        conditions = {}
        if first_day is not None:
            conditions["span_end__gte"] = first_day
            if longest_span is not None:
                conditions["start__gte"] = first_day - longest_span
        if last_day is not None:
            conditions["start__lte"] = last_day
        return self.filter(**conditions) if conditions else self

    def in_period(self, period, longest_span=None):
        return self.between(period.start, period.end, longest_span)

    def cited_by(self, essay):
        citations = Citation.objects.filter(event=OuterRef(self.event_field), essay=essay)
        return self.filter(Exists(citations))

    def cited(self, by_any: bool):
        """Events some essay cites (``by_any``), or those none does."""
        citations = Exists(Citation.objects.filter(event=OuterRef(self.event_field)))
        return self.filter(citations if by_any else ~citations)

    def with_stance(self, stance):
        return self.filter(stance=stance)

    def search(self, text):
        """Events matching every word of ``text`` (as a prefix) in their title, summary,
        aliases or quotations, through the database's full-text index (timeline.backends)."""
        words = search_words(text)
        if not words:
            return self
        matches = backend_for(self.db).matching_ids(words)
        return self.filter(**{f"{self.event_field}__in": matches})


class EventQuerySet(SelectionQuerySet):
    def with_themes(self, themes):
        """Events tagged with any of ``themes``: a correlated EXISTS on the (event, theme)
        index, so a list in time order stops at its page."""
        tagged = Event.themes.through.objects.filter(event_id=OuterRef("pk"), theme__in=themes)
        return self.filter(Exists(tagged))

    def in_time_order(self):
        """These events as the timeline lists them: by start, then end, then title."""
        return self.order_by("start", "span_end", "title")

    def with_page_details(self):
        """With everything a full event view shows (its page, a slide, a handout's entry):
        themes, links, citations with their essays, relations with the related events."""
        return self.select_related("main_theme").prefetch_related(
            "themes",
            "links",
            Prefetch("citations", queryset=Citation.objects.select_related("essay")),
            Prefetch("relations_out", queryset=EventRelation.objects.select_related("to_event")),
            Prefetch("relations_in", queryset=EventRelation.objects.select_related("from_event")),
        )


# The longest label a mark on the time axis carries.
SHORT_TITLE_LENGTH = 32


def shorten_title(title: str, length: int = SHORT_TITLE_LENGTH) -> str:
    """``title`` cut on a word boundary to at most ``length`` characters, an ellipsis
    included; a word longer than that is cut where it must be."""
    title = " ".join(title.split())
    if len(title) <= length:
        return title
    cut = title[: length - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–—-(") + "…"


class Event(models.Model):
    title = models.CharField(max_length=200)
    short_title = models.CharField(
        max_length=SHORT_TITLE_LENGTH,
        blank=True,
        help_text="The label of the event's mark on the time axis, at most "
        f"{SHORT_TITLE_LENGTH} characters (“New START signed”). Left empty, the title is "
        "shortened on a word boundary.",
    )
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(help_text="A neutral paragraph in our own words. Markdown allowed.")
    start = models.DateField(help_text="For a month or a year, enter its first day.")
    start_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    approximate = models.BooleanField(
        default=False, help_text="Tick when even the given precision is uncertain."
    )
    end = models.DateField(null=True, blank=True, help_text="Only for events that span time.")
    end_precision = models.CharField(max_length=5, choices=Precision.choices, blank=True)
    # The last day the event may cover, derived from end (or start) and its precision, so
    # that period and date filters are plain indexed comparisons.
    span_end = models.DateField(editable=False, blank=True, db_index=True)
    # How long the event lasts, as a class of SPAN_CLASS_DAYS (derived like span_end): a date
    # filter reads the events of each class from only as far back as that class reaches.
    span_class = models.PositiveSmallIntegerField(default=0, editable=False)
    stance = models.CharField(max_length=13, choices=Stance.choices, db_index=True)
    main_theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        related_name="main_events",
        help_text="The theme that colours the event's mark.",
    )
    themes = models.ManyToManyField(Theme, related_name="events", blank=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names a text may use, one per line (“Prague Treaty”).",
    )
    discussion_prompt = models.TextField(
        blank=True,
        help_text="An open question for a class, shown on the event's slide.",
    )
    # Title, aliases, summary and quotations in one column, kept up to date on save and
    # when citations change; the full-text index is built on it.
    search_text = models.TextField(blank=True, editable=False)
    synthetic = models.BooleanField(
        default=False,
        editable=False,
        help_text="Made by generate_events for measuring; removed by its --delete.",
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every save; an editor's form remembers the version it showed, so a save
    # over someone else's newer one is refused (timeline.editing.EventAdminForm).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["source_hash", "updated_at", "version", "search_text"],
        m2m_fields=["themes"],
    )

    class Meta:
        ordering = ["start", "span_end", "title"]
        # Covering for date and stance filters and for counting by month: read without
        # fetching a row.
        indexes = [
            models.Index(fields=["start", "span_end", "stance"], name="event_span_stance_idx"),
            models.Index(
                fields=["span_class", "start", "span_end", "stance"], name="event_class_span_idx"
            ),
            # A search's matches looked up by id, without reading their whole rows.
            models.Index(
                fields=["id", "start", "span_end", "span_class", "stance"], name="event_id_span_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=precision_consistent("start"),
                name="event_start_precision_consistent",
                violation_error_message=PRECISION_MESSAGE,
            ),
            models.CheckConstraint(
                condition=(Q(end__isnull=True, end_precision="") | Q(end__isnull=False))
                & (Q(end__isnull=True) | precision_consistent("end")),
                name="event_end_precision_consistent",
                violation_error_message=PRECISION_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="event_end_not_before_start",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"start", "start_precision", "end", "end_precision"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "span_end", "span_class"}
        if update_fields is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        if not self._state.adding:
            # Incremented in the database, so two concurrent saves never share a version;
            # Django reads the new value back (RETURNING).
            self.version = F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("timeline:event_detail", args=[self.slug])

    def clean(self):
        self.title, self.short_title = curly_quotes(self.title), curly_quotes(self.short_title)
        errors = {
            name: dates.OUT_OF_RANGE
            for name in ("start", "end")
            if getattr(self, name) and not dates.in_range(getattr(self, name))
        }
        if self.start and not dates.is_consistent(self.start, self.start_precision):
            errors["start"] = PRECISION_MESSAGE
        if self.end:
            if not self.end_precision:
                errors["end_precision"] = "Say how precisely the end date is known."
            elif not dates.is_consistent(self.end, self.end_precision):
                errors["end"] = PRECISION_MESSAGE
            if self.start and self.end < self.start:
                errors["end"] = "An event cannot end before it starts."
        elif self.end_precision:
            errors["end_precision"] = "Leave the end precision empty when there is no end date."
        if errors:
            raise ValidationError(errors)

    def set_derived_fields(self, quotes=None):
        """The stored fields derived from the editor's: span end and class, searchable text
        (``quotes``: the event's quotations, when the caller has read them already)."""
        self.span_end = self.compute_span_end()
        self.span_class = span_class_of(self.start, self.span_end)
        self.search_text = self.compute_search_text(quotes)

    def compute_search_text(self, quotes=None) -> str:
        if quotes is None:
            quotes = (
                list(Citation.objects.filter(event=self).values_list("quote", flat=True))
                if self.pk
                else []
            )
        return searchable_text(self.title, self.aliases, self.summary, *quotes)

    def refresh_search_text(self):
        """After a citation changed: store the new text without a full save."""
        Event.objects.filter(pk=self.pk).update(search_text=self.compute_search_text())

    def compute_span_end(self):
        if self.end:
            return dates.last_day_covered(self.end, self.end_precision or self.start_precision)
        return dates.last_day_covered(self.start, self.start_precision)

    @property
    def date_display(self) -> str:
        return dates.format_span(
            self.start, self.start_precision, self.end, self.end_precision, self.approximate
        )

    @property
    def label(self) -> str:
        """The event's label on the time axis."""
        return self.short_title or shorten_title(self.title)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def is_range(self) -> bool:
        return self.end is not None

    def ordered_themes(self) -> list[Theme]:
        """The main theme first, then the others in theme order (uses prefetched themes)."""
        others = [theme for theme in self.themes.all() if theme.pk != self.main_theme_id]
        return [self.main_theme, *others]

    def periods_from(self, periods) -> list[Period]:
        """The periods, out of ``periods``, that this event's span overlaps."""
        return [period for period in periods if period.covers(self.start, self.span_end)]


class EventFacetQuerySet(SelectionQuerySet):
    event_field = "event_id"

    def with_themes(self, themes):
        return self.filter(theme_id__in=[theme.pk for theme in themes])


class EventFacet(models.Model):
    """One row per event and theme, with the event's dates, span class and stance copied
    beside the theme: a theme filter with dates and a stance, and its counts, read one index
    alone instead of fetching every tagged event; on PostgreSQL the event's search vector
    too, so that a search within themes reads one index (migration 0023). Kept by database
    triggers (migrations 0008, 0009 and 0023) on the event-theme table and on the event's
    dates, class, stance and text, so every way of writing (admin, loader, bulk inserts,
    fixtures) keeps it true; never written by the app."""

    event = models.ForeignKey(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    start = models.DateField()
    span_end = models.DateField()
    span_class = models.PositiveSmallIntegerField(default=0)
    stance = models.CharField(max_length=13)

    objects = EventFacetQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["theme", "span_class", "start", "span_end", "stance", "event"],
                name="eventfacet_theme_class_idx",
            ),
            models.Index(
                fields=["theme", "start", "span_end", "stance", "event"],
                name="eventfacet_theme_span_idx",
            ),
            # A search's matches looked up by event and theme, without reading the facet.
            models.Index(
                fields=["event", "theme", "start", "span_end", "span_class", "stance"],
                name="eventfacet_event_cover_idx",
            ),
        ]

    def __str__(self):
        return f"{self.event_id} × {self.theme_id}"


class EventLink(models.Model):
    """A source for an event: a reference a reader can check (a treaty and its date, a UN
    document symbol, a law's number), linked where a stable address is certain."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(
        "reference",
        max_length=500,
        help_text="What the source is, as a reader would cite it.",
    )
    url = models.URLField(
        "URL",
        max_length=500,
        blank=True,
        help_text="Only an address known to be stable and right; a reference alone is fine.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class RelationKind(models.TextChoices):
    RESPONSE_TO = "response_to", "in response to"
    RETALIATION_FOR = "retaliation_for", "in retaliation for"
    LED_TO = "led_to", "led to"
    PART_OF = "part_of", "part of"


# Each kind read from either end: "This event <outgoing> <other>" on the event that points,
# "This event <incoming> <other>" on the event pointed at.
RELATION_PHRASES = {
    RelationKind.RESPONSE_TO: ("came in response to", "was answered by"),
    RelationKind.RETALIATION_FOR: ("was retaliation for", "was answered in retaliation by"),
    RelationKind.LED_TO: ("led to", "followed from"),
    RelationKind.PART_OF: ("is part of", "includes"),
}


class EventRelation(models.Model):
    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(max_length=20, choices=RelationKind.choices)
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_in")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_event", "kind", "to_event"],
                name="unique_event_relation",
                violation_error_message="These two events are already related this way.",
            ),
            models.CheckConstraint(
                condition=~Q(from_event=F("to_event")),
                name="event_relation_not_to_itself",
                violation_error_message="An event cannot be related to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.from_event} — {self.get_kind_display()} — {self.to_event}"

    @property
    def outgoing_phrase(self):
        """How the relation reads on its from_event's page."""
        return RELATION_PHRASES[self.kind][0]

    @property
    def incoming_phrase(self):
        """How the relation reads on its to_event's page."""
        return RELATION_PHRASES[self.kind][1]


class Citation(models.Model):
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="citations")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    quote = models.CharField(
        "quotation",
        max_length=300,
        help_text="The essay's exact words (at most 300 characters) that cite the event.",
    )
    note = models.TextField(
        blank=True,
        help_text="How a vague wording was resolved, or other context.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["essay__published", "essay__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["essay", "event"],
                name="one_citation_per_essay_and_event",
                violation_error_message="This essay already cites this event.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("quote")), 0),
                name="citation_quote_not_empty",
                violation_error_message="The quotation cannot be empty.",
            ),
        ]

    def __str__(self):
        return f"{self.essay} cites {self.event}"

    @property
    def cites_a_later_event(self) -> bool:
        """Whether the event starts after the essay came out: allowed (an essay may cite a
        scheduled event, such as a treaty's expiry), but worth a second look."""
        published = dates.last_day_covered(self.essay.published, self.essay.published_precision)
        return self.event.start > published

    @property
    def later_event_warning(self) -> str:
        return (
            f"{in_quotes(self.essay.title)}, published {self.essay.published_display}, cites "
            f"{in_quotes(self.event.title)}, which starts later ({self.event.date_display}): "
            "right for a scheduled event, otherwise check the dates."
        )

    @classmethod
    def citing_later_events(cls) -> list["Citation"]:
        """Every citation of an event that starts after its essay came out."""
        candidates = cls.objects.select_related("essay", "event").filter(
            event__start__gt=F("essay__published")
        )
        return [citation for citation in candidates if citation.cites_a_later_event]

    def clean(self):
        self.quote = " ".join((self.quote or "").split())
        if not self.quote:
            raise ValidationError({"quote": "The quotation cannot be empty."})


class CitationRejection(models.Model):
    """A proposed citation an editor turned down: the essay does not cite the event, and the
    proposals (timeline.suggest) leave the pair out from then on."""

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="rejections")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rejections")
    quote = models.CharField("proposed quotation", max_length=300, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rejected_at"]
        constraints = [
            models.UniqueConstraint(fields=["essay", "event"], name="one_rejection_per_pair")
        ]

    def __str__(self):
        return f"{self.essay} does not cite {self.event}"


class DataVersion(models.Model):
    """One row that changes whenever any timeline data changes: the basis of ETags and of
    the caches of rendered results, so neither needs a scan of the data to stay fresh."""

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"version {self.version} of {self.changed_at:%Y-%m-%d %H:%M:%S}"


class DataChange(models.Model):
    """What one data version changed, written with it: the months whose events changed (as
    timeline.tallies month numbers), the events, and the essays whose citations' months may
    have changed; or ``everything`` (themes, periods, essays' details, bulk loads). A process
    holding an earlier version's snapshot brings it up to date from these rather than
    rebuilding it (timeline.snapshot)."""

    version = models.PositiveBigIntegerField(primary_key=True)
    changed_at = models.DateTimeField()
    everything = models.BooleanField(default=False)
    # Comma-separated ids and month numbers: no JSON support needed of any SQLite.
    months_text = models.TextField(blank=True)
    events_text = models.TextField(blank=True)
    essays_text = models.TextField(blank=True)
    # The changed events' spans, before and after, as "first/last" ISO days: which of the
    # timeline's date windows can show the change (timeline.scoped_versions).
    spans_text = models.TextField(blank=True)
    # Events created (1) or deleted (-1): the count of events follows without counting them.
    events_added = models.IntegerField(default=0)

    def __str__(self):
        return f"version {self.version}: " + (
            "everything" if self.everything else f"{len(self.events)} events"
        )

    @staticmethod
    def as_text(numbers) -> str:
        return ",".join(map(str, sorted(numbers)))

    @staticmethod
    def numbers(text: str) -> set[int]:
        return {int(number) for number in text.split(",") if number}

    @property
    def months(self) -> set[int]:
        return self.numbers(self.months_text)

    @property
    def events(self) -> set[int]:
        return self.numbers(self.events_text)

    @property
    def essays(self) -> set[int]:
        return self.numbers(self.essays_text)

    @staticmethod
    def as_spans_text(spans) -> str:
        return ",".join(f"{first.isoformat()}/{last.isoformat()}" for first, last in sorted(spans))

    @property
    def spans(self) -> set[tuple[datetime.date, datetime.date]]:
        return {
            (datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))
            for first, _, last in (span.partition("/") for span in self.spans_text.split(","))
            if first
        }


def refresh_event_search_text(sender, instance, raw=False, **kwargs):
    """A citation's quotation is searchable text of its event."""
    if not raw:
        event = Event.objects.filter(pk=instance.event_id).first()
        if event:
            event.refresh_search_text()
