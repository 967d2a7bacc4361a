"""The timeline's filters: one FilterSet shared by the page, its fragment and the exports.

Bad input never fails the request: an unknown value is left out, a bad date is ignored, and
each becomes a friendly notice shown above the results.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db import connections
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.db.models.functions import ExtractMonth, ExtractYear, Substr
from django.utils.text import Truncator

from . import dates
from .models import Essay, Event, Period, Stance, Theme

MAX_QUERY_LENGTH = 200


def shorten(value: str) -> str:
    return Truncator(value).chars(40)


_loaded_choices: dict = {}


@dataclass
class TimelineChoices:
    """The themes, periods and essays the filters offer, loaded once per request."""

    themes: list[Theme]
    periods: list[Period]
    essays: list[Essay]
    theme_by_slug: dict = field(init=False)
    period_by_slug: dict = field(init=False)
    essay_by_slug: dict = field(init=False)

    def __post_init__(self):
        self.theme_by_slug = {theme.slug: theme for theme in self.themes}
        self.period_by_slug = {period.slug: period for period in self.periods}
        self.essay_by_slug = {essay.slug: essay for essay in self.essays}

    @classmethod
    def for_version(cls, version):
        """The choices of this data version, loaded once per process and version."""
        if _loaded_choices.get("version") != version:
            _loaded_choices.update(version=version, choices=cls.load())
        return _loaded_choices["choices"]

    @classmethod
    def load(cls):
        return cls(
            themes=list(Theme.objects.all()),
            periods=list(Period.objects.all()),
            essays=list(Essay.objects.all()),
        )


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Unknown values are sorted out by the form's clean method, not refused wholesale."""

    def validate(self, value):
        pass


class LenientChoiceField(forms.ChoiceField):
    def validate(self, value):
        pass


class PartialDateField(forms.CharField):
    """A year ("2012"), a month ("2012-05") or a day ("2012-05-07") → (first, last day)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            first_day, precision = dates.parse_partial_date(value)
        except dates.PartialDateError:
            raise forms.ValidationError(
                "“%(value)s” is not a year (2012) or a date (2012-05-07), so it was ignored.",
                params={"value": shorten(value)},
            ) from None
        if not dates.in_range(first_day):
            raise forms.ValidationError(
                "“%(value)s” is outside the years %(first)s–%(last)s, so it was ignored.",
                params={
                    "value": shorten(value),
                    "first": dates.FIRST_YEAR,
                    "last": dates.LAST_YEAR,
                },
            )
        return first_day, dates.last_day_covered(first_day, precision)


class LenientMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField


class LenientChoiceFilter(django_filters.ChoiceFilter):
    field_class = LenientChoiceField


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class EventFilterForm(forms.Form):
    def __init__(self, *args, choices: TimelineChoices, **kwargs):
        self.choices = choices
        self.notices: list[str] = []
        super().__init__(*args, **kwargs)

    def _known(self, values, known, noun):
        kept = []
        for value in values:
            if value in known:
                kept.append(value)
            else:
                self.notices.append(f"There is no {noun} “{shorten(value)}”, so it was left out.")
        return kept

    def _known_one(self, name, known):
        value = self.cleaned_data.get(name)
        kept = self._known([value] if value else [], known, name)
        return kept[0] if kept else ""

    def clean_theme(self):
        return self._known(
            self.cleaned_data.get("theme") or [], self.choices.theme_by_slug, "theme"
        )

    def clean_period(self):
        return self._known_one("period", self.choices.period_by_slug)

    def clean_essay(self):
        return self._known_one("essay", self.choices.essay_by_slug)

    def clean_stance(self):
        return self._known_one("stance", Stance.values)

    def clean_q(self):
        text = " ".join((self.cleaned_data.get("q") or "").split())
        if len(text) > MAX_QUERY_LENGTH:
            self.notices.append(
                f"The search text was cut to its first {MAX_QUERY_LENGTH} characters."
            )
            text = Truncator(text).chars(MAX_QUERY_LENGTH, truncate="").strip()
        return text

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last and last[1] < first[0]:
            self.notices.append("“To” was before “from”, so the two were swapped.")
            cleaned["from"], cleaned["to"] = last, first
        return cleaned

    @property
    def all_notices(self) -> list[str]:
        messages = list(self.notices)
        for errors in self.errors.values():
            messages.extend(errors)
        return messages


class EventFilter(django_filters.FilterSet):
    theme = LenientMultipleChoiceFilter(method="filter_theme", label="Themes")
    period = LenientChoiceFilter(method="filter_period", label="Period")
    essay = LenientChoiceFilter(method="filter_essay", label="Cited by essay")
    stance = LenientChoiceFilter(method="filter_stance", label="Stance")
    q = django_filters.CharFilter(method="filter_q", label="Search")

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, data=None, *args, choices: TimelineChoices, **kwargs):
        self.choices = choices
        self._counting = False
        super().__init__(data, *args, **kwargs)
        self.filters["theme"].extra["choices"] = [(t.slug, t.name) for t in choices.themes]
        self.filters["period"].extra["choices"] = [(p.slug, p.name) for p in choices.periods]
        self.filters["essay"].extra["choices"] = [(e.slug, e.title) for e in choices.essays]
        self.filters["stance"].extra["choices"] = Stance.choices

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            if self.is_bound:
                self._form = form_class(self.data, prefix=self.form_prefix, choices=self.choices)
            else:
                self._form = form_class(prefix=self.form_prefix, choices=self.choices)
        return self._form

    def filter_theme(self, queryset, name, value):
        themes = [self.choices.theme_by_slug[slug] for slug in value]
        return queryset.with_themes(themes, visit_all=self._counting) if themes else queryset

    def filter_period(self, queryset, name, value):
        return queryset.in_period(self.choices.period_by_slug[value]) if value else queryset

    def filter_essay(self, queryset, name, value):
        return queryset.cited_by(self.choices.essay_by_slug[value]) if value else queryset

    def filter_stance(self, queryset, name, value):
        return queryset.with_stance(value) if value else queryset

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value else queryset

    def filter_from(self, queryset, name, value):
        return queryset.between(first_day=value[0]) if value else queryset

    def filter_to(self, queryset, name, value):
        return queryset.between(last_day=value[1]) if value else queryset

    # Cleaned values of the current request, with bad parts already left out.
    @property
    def values(self) -> dict:
        self.is_valid()
        return self.form.cleaned_data

    @property
    def notices(self) -> list[str]:
        self.is_valid()
        return self.form.all_notices

    @property
    def selected_themes(self) -> list[Theme]:
        return [self.choices.theme_by_slug[slug] for slug in self.values.get("theme") or []]

    @property
    def selected_period(self) -> Period | None:
        return self.choices.period_by_slug.get(self.values.get("period") or "")

    @property
    def selected_essay(self) -> Essay | None:
        return self.choices.essay_by_slug.get(self.values.get("essay") or "")

    def date_bounds(self):
        """The first and last day the filters ask for, or None where they leave it open."""
        firsts, lasts = [], []
        if self.values.get("from"):
            firsts.append(self.values["from"][0])
        if self.values.get("to"):
            lasts.append(self.values["to"][1])
        if period := self.selected_period:
            firsts.append(period.start)
            lasts.append(period.end)
        return (max(firsts) if firsts else None), (min(lasts) if lasts else None)

    def counting_qs(self):
        """The selected events, queried for counting every one of them (see with_themes)."""
        self.is_valid()
        self._counting = True
        try:
            return self.filter_queryset(self.queryset.all())
        finally:
            self._counting = False

    def summary(self) -> dict:
        """Figures for the summary line (how many events, which years, how many essays) and
        how many events start in each month, for a density axis: one pass over the events."""
        months = month_counts(self.counting_qs())
        figures = {
            "total": sum(total for total, _, _ in months.values()),
            "first": min((first for _, first, _ in months.values()), default=None),
            "last": max((last for _, _, last in months.values()), default=None),
            "months": {month: total for month, (total, _, _) in months.items()},
        }
        # Essays are few: ask of each whether it cites any selected event, going through its
        # citations and stopping at the first hit, rather than collecting the selected events.
        figures["essays"] = Essay.objects.filter(
            Exists(self.qs.order_by().filter(citations__essay=OuterRef("pk")))
        ).count()
        return figures


def month_counts(events) -> dict[tuple[int, int], tuple]:
    """(year, month) → (events starting then, their earliest start, their latest end)."""
    events = events.order_by()
    figures = {"total": Count("pk"), "first": Min("start"), "last": Max("span_end")}
    if connections[events.db].vendor == "sqlite":
        # SQLite stores dates as ISO text: slicing it is far cheaper than Django's date
        # functions, which SQLite calls back into Python for.
        rows = (
            events.annotate(month=Substr("start", 1, 7))
            .values_list("month")
            .annotate(**figures)
            .values_list("month", *figures)
        )
        return {(int(month[:4]), int(month[5:7])): rest for month, *rest in rows}
    rows = (
        events.annotate(year=ExtractYear("start"), month=ExtractMonth("start"))
        .values_list("year", "month")
        .annotate(**figures)
        .values_list("year", "month", *figures)
    )
    return {(year, month): rest for year, month, *rest in rows}


# "from" is a Python keyword, so these two filters are declared after the class.
EventFilter.base_filters["from"] = PartialDateFilter(method="filter_from", label="From")
EventFilter.base_filters["to"] = PartialDateFilter(method="filter_to", label="To")
