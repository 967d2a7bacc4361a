"""The timeline's filters: one FilterSet shared by the page, its fragment and the exports.

Bad input never fails the request: an unknown value is left out, a bad date is ignored, and
each becomes a friendly notice shown above the results.
"""

import copy
from functools import cached_property

import django_filters
from django import forms
from django.utils.text import Truncator

from . import dates
from .models import Essay, Event, Period, Stance, Theme
from .selection import Selection
from .snapshot import CITED, Snapshot

MAX_QUERY_LENGTH = 200


def shorten(value: str) -> str:
    return Truncator(value).chars(40)


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


class SharedFields(dict):
    """A filter form's fields, given to each form as they are. Django deep-copies a form's
    fields for every form it makes, so that one form may change its own; a filter form only
    reads them (to clean a request, or to render the filters)."""

    def __deepcopy__(self, memo):
        return dict(self)


class CopiedCheaply:
    """Every FilterSet deep-copies its filters, and copying their FilterMethods and
    arguments in depth was a tenth of a filter change's cost. A filter holds nothing a
    request changes but its arguments and its FilterMethod, bound to the copy anew."""

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        copied.extra = dict(self.extra)
        copied.method = self.method
        return copied


class LenientMultipleChoiceFilter(CopiedCheaply, django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField


class LenientChoiceFilter(CopiedCheaply, django_filters.ChoiceFilter):
    field_class = LenientChoiceField


class TextFilter(CopiedCheaply, django_filters.CharFilter):
    pass


class PartialDateFilter(CopiedCheaply, django_filters.Filter):
    field_class = PartialDateField


class EventFilterForm(forms.Form):
    def __init__(self, *args, snapshot: Snapshot, **kwargs):
        self.snapshot = snapshot
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
            self.cleaned_data.get("theme") or [], self.snapshot.theme_by_slug, "theme"
        )

    def clean_period(self):
        return self._known_one("period", self.snapshot.period_by_slug)

    def clean_essay(self):
        return self._known_one("essay", self.snapshot.essay_by_slug)

    def clean_stance(self):
        return self._known_one("stance", Stance.values)

    def clean_cited(self):
        return self._known_one("cited", CITED)

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
    cited = LenientChoiceFilter(method="filter_cited", label="Essays")
    stance = LenientChoiceFilter(method="filter_stance", label="Stance")
    q = TextFilter(method="filter_q", label="Search")

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, data=None, *args, snapshot: Snapshot, **kwargs):
        self.snapshot = snapshot
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        """The form's fields depend only on the snapshot's choices: built once for them, not
        on every request."""
        if self.snapshot.form_class is None:
            options = {
                "theme": [(t.slug, t.name) for t in self.snapshot.themes],
                "period": [(p.slug, p.name) for p in self.snapshot.periods],
                "essay": [(e.slug, e.title) for e in self.snapshot.essays],
                "stance": Stance.choices,
                "cited": list(CITED.items()),
            }
            for name, offered in options.items():
                # A callable: every form deep-copies its fields, and copying the lists
                # themselves was most of a filter form's cost. Only a rendered form reads them.
                self.filters[name].extra["choices"] = lambda offered=offered: offered
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            self.snapshot.form_class = form_class
        return self.snapshot.form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            if self.is_bound:
                self._form = form_class(self.data, prefix=self.form_prefix, snapshot=self.snapshot)
            else:
                self._form = form_class(prefix=self.form_prefix, snapshot=self.snapshot)
        return self._form

    def longest_span(self):
        """No selected event spans longer."""
        return self.snapshot.longest_span_of(self.selected_themes)

    def filter_theme(self, queryset, name, value):
        themes = [self.snapshot.theme_by_slug[slug] for slug in value]
        return queryset.with_themes(themes) if themes else queryset

    def filter_period(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.in_period(self.snapshot.period_by_slug[value], self.longest_span())

    def filter_essay(self, queryset, name, value):
        return queryset.cited_by(self.snapshot.essay_by_slug[value]) if value else queryset

    def filter_stance(self, queryset, name, value):
        return queryset.with_stance(value) if value else queryset

    def filter_cited(self, queryset, name, value):
        return queryset.cited(value == "any") if value else queryset

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value else queryset

    def filter_from(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.between(first_day=value[0], longest_span=self.longest_span())

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
        return [self.snapshot.theme_by_slug[slug] for slug in self.values.get("theme") or []]

    @property
    def selected_period(self) -> Period | None:
        return self.snapshot.period_by_slug.get(self.values.get("period") or "")

    @property
    def selected_essay(self) -> Essay | None:
        return self.snapshot.essay_by_slug.get(self.values.get("essay") or "")

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

    @cached_property
    def selection(self) -> Selection:
        """The selected events in plain SQL: their summary and the rows of a page."""
        return Selection(self)


def filterset_for(request, query, queryset=None) -> EventFilter:
    """The filters of ``query`` (a QueryDict) on ``queryset`` (the events in timeline order
    when not given), with the snapshot of the request's data version."""
    if queryset is None:
        queryset = Event.objects.in_time_order()
    return EventFilter(query, queryset=queryset, snapshot=Snapshot.for_request(request))


# "from" is a Python keyword, so these two filters are declared after the class.
EventFilter.base_filters["from"] = PartialDateFilter(method="filter_from", label="From")
EventFilter.base_filters["to"] = PartialDateFilter(method="filter_to", label="To")
