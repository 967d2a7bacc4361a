from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import admin_imports, admin_proposals
from .editing import EventAdminForm, HistoryAdmin
from .models import Citation, Essay, Event, EventLink, EventRelation, Period, Theme


class PeriodFilter(admin.SimpleListFilter):
    """Periods are derived from the events' dates, so this filter compares dates."""

    title = "period"
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [(period.slug, period.name) for period in Period.objects.all()]

    def queryset(self, request, queryset):
        period = Period.objects.filter(slug=self.value()).first()
        return queryset.in_period(period) if period else queryset


class EssayFilter(admin.SimpleListFilter):
    title = "cited by essay"
    parameter_name = "essay"

    def lookups(self, request, model_admin):
        return [(essay.slug, essay.title) for essay in Essay.objects.all()]

    def queryset(self, request, queryset):
        essay = Essay.objects.filter(slug=self.value()).first()
        return queryset.cited_by(essay) if essay else queryset


class LaterEventWarnings:
    """Saving a citation of an event that starts after its essay came out is allowed, with a
    warning (an essay may cite a scheduled event, such as a treaty's expiry)."""

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Citation:
            deleted = set(formset.deleted_objects)
            saved = [f.instance for f in formset.forms if f.has_changed() and f.instance.pk]
            warn_of_later_events(request, [c for c in saved if c not in deleted])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if isinstance(obj, Citation) and form.has_changed():
            warn_of_later_events(request, [obj])


def warn_of_later_events(request, citations):
    for citation in citations:
        if citation.cites_a_later_event:
            messages.warning(request, citation.later_event_warning)


class QuotationField:
    """The quotation typed in a box that shows all of it (up to 300 characters), with a count
    of the characters used (static/js/admin_quote.js)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 4, "cols": 80, "data-count": ""})
        elif db_field.name == "note":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    class Media:
        js = ["js/admin_quote.js"]
        css = {"all": ["css/admin.css"]}


class CitationInline(QuotationField, admin.StackedInline):
    model = Citation
    extra = 1  # an empty citation ready to fill in
    fields = ["essay", "event", "quote", "note"]


class EventCitationInline(CitationInline):
    autocomplete_fields = ["essay"]
    fields = ["essay", "quote", "note"]


class EssayCitationInline(CitationInline):
    autocomplete_fields = ["event"]
    fields = ["event", "quote", "note"]


class EventLinkInline(admin.TabularInline):
    model = EventLink
    extra = 0
    fields = ["title", "url", "position"]


class EventRelationInline(admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    extra = 0
    autocomplete_fields = ["to_event"]
    verbose_name = "related event"
    verbose_name_plural = "related events (this event … that one)"


@admin.register(Theme)
class ThemeAdmin(HistoryAdmin):
    list_display = ["name", "swatch", "slug", "position", "event_count"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events"))

    @admin.display(description="colour")
    def swatch(self, theme):
        return format_html(
            '<svg width="16" height="16" aria-hidden="true"><rect width="16" height="16" '
            'fill="{}"/></svg> {}',
            theme.colour,
            theme.colour,
        )

    @admin.display(description="events", ordering="event_count")
    def event_count(self, theme):
        return theme.event_count


@admin.register(Period)
class PeriodAdmin(HistoryAdmin):
    list_display = ["name", "start", "end"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "start"


@admin.register(Event)
class EventAdmin(LaterEventWarnings, HistoryAdmin):
    form = EventAdminForm
    list_display = ["title", "date", "stance", "theme_list", "citation_count"]
    list_filter = ["themes", PeriodFilter, "stance", EssayFilter, "start_precision", "approximate"]
    search_fields = ["title", "slug", "summary", "aliases", "citations__quote"]
    date_hierarchy = "start"
    autocomplete_fields = ["main_theme", "themes"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [EventCitationInline, EventLinkInline, EventRelationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "short_title",
                    "slug",
                    "summary",
                    "stance",
                    "main_theme",
                    "themes",
                    "loaded_version",  # hidden: the version the editor saw
                ]
            },
        ),
        (
            "Date",
            {
                "fields": [("start", "start_precision"), ("end", "end_precision"), "approximate"],
                "description": "Enter what is known: for a month, its 1st day and precision "
                "“Month”; for a year, 1 January and “Year”. Never invent a day.",
            },
        ),
        ("More", {"fields": ["aliases", "discussion_prompt"]}),
    ]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A new event made from an essay's passage ("Propose citations") starts with that
        essay's citation of it filled in."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        essay, quote = request.GET.get("citation_essay"), request.GET.get("citation_quote")
        new = obj.pk is None and request.method == "GET"
        if isinstance(inline, EventCitationInline) and new and essay and quote:
            kwargs["initial"] = [{"essay": essay, "quote": quote[:300]}]
        return kwargs

    def response_add(self, request, obj, post_url_continue=None):
        """Back to the essay's proposals when the event was made from one of its passages."""
        essay = Essay.objects.filter(pk=request.GET.get("citation_essay")).first()
        if (
            essay is not None
            and "_addanother" not in request.POST
            and "_continue" not in request.POST
        ):
            super().response_add(request, obj, post_url_continue)
            return HttpResponseRedirect(admin_proposals.proposals_url(essay))
        return super().response_add(request, obj, post_url_continue)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("main_theme")
            .prefetch_related("themes")
            .annotate(citation_total=Count("citations", distinct=True))
        )

    @admin.display(description="date", ordering="start")
    def date(self, event):
        return event.date_display

    @admin.display(description="themes")
    def theme_list(self, event):
        return format_html_join(", ", "{}", ((theme.name,) for theme in event.ordered_themes()))

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, event):
        return event.citation_total

    # Importing from CSV or TimelineJS; the changelist's "Import" button comes from
    # templates/admin/timeline/event/change_list.html.
    def get_urls(self):
        extra = {"model_admin": self}
        return [
            path(
                "import/",
                self.admin_site.admin_view(admin_imports.upload),
                extra,
                name="timeline_event_import",
            ),
            path(
                "import/confirm/",
                self.admin_site.admin_view(admin_imports.confirm),
                extra,
                name="timeline_event_import_confirm",
            ),
            *super().get_urls(),
        ]


@admin.register(Essay)
class EssayAdmin(LaterEventWarnings, HistoryAdmin):
    list_display = ["title", "authors_display", "publisher", "published_display", "cited_events"]
    list_filter = ["publisher", "published_inferred"]
    search_fields = ["title", "authors", "publisher", "abstract"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [EssayCitationInline]
    fieldsets = [
        (None, {"fields": ["title", "title_descriptive", "slug", "authors", "affiliation"]}),
        (
            "Publication",
            {
                "fields": [
                    "publisher",
                    ("published", "published_precision"),
                    "published_inferred",
                    "date_note",
                    "url",
                    "url_note",
                    "licence",
                ]
            },
        ),
        ("About", {"fields": ["abstract"]}),
        ("Text", {"fields": ["text_display", "text", "text_filename", "reading"]}),
    ]
    readonly_fields = ["reading"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    # "Propose citations" (timeline.admin_proposals); its button comes from
    # templates/admin/timeline/essay/change_form.html.
    def get_urls(self):
        return [
            path(
                "<path:object_id>/proposals/",
                self.admin_site.admin_view(admin_proposals.proposals),
                {"model_admin": self},
                name="timeline_essay_proposals",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="read it")
    def reading(self, essay):
        if not essay.pk or not essay.text:
            return "Once a text is saved: the essay with each cited passage marked."
        return format_html(
            '<a href="{}">The essay with each cited passage marked</a>',
            reverse("timeline:essay_read", args=[essay.slug]),
        )

    @admin.display(description="authors")
    def authors_display(self, essay):
        return essay.authors_display

    @admin.display(description="published", ordering="published")
    def published_display(self, essay):
        return essay.published_display

    @admin.display(description="events cited", ordering="citation_total")
    def cited_events(self, essay):
        return essay.citation_total


@admin.register(Citation)
class CitationAdmin(LaterEventWarnings, QuotationField, HistoryAdmin):
    list_display = ["event", "essay", "quote_excerpt"]
    list_filter = ["essay"]
    list_select_related = ["event", "essay"]
    search_fields = ["quote", "note", "event__title", "essay__title"]
    autocomplete_fields = ["event", "essay"]

    @admin.display(description="quotation")
    def quote_excerpt(self, citation):
        return citation.quote if len(citation.quote) <= 90 else citation.quote[:89] + "…"


admin.site.site_header = "Relations Timeline: editors"
admin.site.site_title = "Relations Timeline admin"
admin.site.index_title = "Timeline data"
