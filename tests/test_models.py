import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, models, transaction
from simple_history.models import HistoricalChanges

from tests.factories import (
    CitationFactory,
    EssayFactory,
    EventFactory,
    PeriodFactory,
    ThemeFactory,
)
from timeline.models import Citation, Event, Theme

pytestmark = pytest.mark.django_db


def test_event_cannot_end_before_it_starts():
    event = EventFactory.build(
        start=datetime.date(2013, 1, 1), end=datetime.date(2012, 1, 1), end_precision="day"
    )
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["main_theme"])
    assert error.value.message_dict["end"] == ["An event cannot end before it starts."]


def test_database_refuses_end_before_start_too():
    event = EventFactory()
    event.end, event.end_precision = datetime.date(1900, 1, 1), "day"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_month_precise_date_must_be_the_first_of_the_month():
    event = EventFactory.build(start=datetime.date(2013, 2, 14), start_precision="month")
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["main_theme"])
    assert "start" in error.value.message_dict
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            start=datetime.date(2013, 2, 14), start_precision="month"
        )


def test_end_date_needs_its_precision():
    event = EventFactory.build(end=datetime.date(2013, 1, 1), end_precision="")
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["main_theme"])
    assert "end_precision" in error.value.message_dict


def test_span_end_follows_precision_of_the_end():
    event = EventFactory(
        start=datetime.date(1992, 1, 1),
        start_precision="year",
        end=datetime.date(2013, 1, 1),
        end_precision="year",
    )
    assert event.span_end == datetime.date(2013, 12, 31)
    assert event.date_display == "1992–2013"


def test_periods_are_derived_from_dates():
    reset = PeriodFactory(start=datetime.date(2009, 1, 20), end=datetime.date(2012, 5, 6))
    later = PeriodFactory(start=datetime.date(2012, 5, 7), end=datetime.date(2014, 2, 27))
    event = EventFactory(start=datetime.date(2012, 1, 1), start_precision="year")
    assert event.periods_from([reset, later]) == [reset, later]
    assert list(Event.objects.in_period(later)) == [event]


def test_an_essay_cites_an_event_at_most_once():
    citation = CitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(essay=citation.essay, event=citation.event, quote="Again")


def test_quotation_cannot_be_empty():
    citation = CitationFactory.build(quote="   ", essay=EssayFactory(), event=EventFactory())
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert error.value.message_dict["quote"] == ["The quotation cannot be empty."]
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(essay=citation.essay, event=citation.event, quote="  ")


def test_quotation_is_at_most_300_characters():
    citation = CitationFactory.build(quote="x" * 301, essay=EssayFactory(), event=EventFactory())
    with pytest.raises(ValidationError):
        citation.full_clean()


def test_essay_without_named_author_says_so():
    essay = EssayFactory(authors="")
    assert essay.author_list == []
    assert essay.authors_display == "Author not named"


def test_inferred_essay_date_is_shown_as_such():
    essay = EssayFactory(
        published=datetime.date(2011, 1, 1), published_precision="year", published_inferred=True
    )
    assert essay.published_display == "2011 (inferred)"


EVENTS_THE_DATABASE_REFUSES = [
    (
        "event_start_precision_consistent",
        {"start": datetime.date(2013, 2, 14), "start_precision": "month"},
    ),
    ("event_end_precision_consistent", {"end": datetime.date(2014, 1, 1), "end_precision": ""}),
    ("event_end_precision_consistent", {"end": None, "end_precision": "day"}),
    (
        "event_end_precision_consistent",
        {"end": datetime.date(2014, 3, 9), "end_precision": "year"},
    ),
    ("event_end_not_before_start", {"end": datetime.date(1900, 1, 1), "end_precision": "day"}),
]


def test_every_event_constraint_is_checked_by_clean_too():
    # The import validates without the constraint queries (timeline.imports.validate).
    covered = {name for name, _ in EVENTS_THE_DATABASE_REFUSES}
    assert covered == {constraint.name for constraint in Event._meta.constraints}


@pytest.mark.parametrize(("constraint", "values"), EVENTS_THE_DATABASE_REFUSES)
def test_clean_refuses_what_the_database_refuses(constraint, values):
    event = EventFactory(start=datetime.date(2013, 1, 1), start_precision="day")
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(**values)
    for name, value in values.items():
        setattr(event, name, value)
    with pytest.raises(ValidationError):
        event.full_clean(validate_unique=False, validate_constraints=False)


def test_clean_refuses_an_empty_quotation_without_the_constraint_query():
    citation = CitationFactory.build(quote=" \n ", essay=EssayFactory(), event=EventFactory())
    with pytest.raises(ValidationError):
        citation.full_clean(validate_unique=False, validate_constraints=False)


def test_a_nul_character_is_refused_in_every_text_field():
    text_fields = [
        field
        for model in apps.get_app_config("timeline").get_models()
        if not issubclass(model, HistoricalChanges)  # copies of ours, and its own fields
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField)
    ]
    accepting = [
        f"{field.model.__name__}.{field.name}"
        for field in text_fields
        if not any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
    ]
    assert accepting == []
    event = EventFactory.build(summary="What\x00happened.")
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["main_theme"])
    assert error.value.message_dict == {"summary": ["Null characters are not allowed."]}


@pytest.mark.parametrize("colour", ["red", "#12345g", "1f5fa80", "};*{x:y"])
def test_a_theme_colour_that_is_not_hex_is_refused_by_the_model_and_the_database(colour):
    theme = ThemeFactory.build(colour=colour)
    with pytest.raises(ValidationError) as error:
        theme.full_clean()
    assert error.value.message_dict == {"colour": ["Enter a colour as #RRGGBB."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        theme.save()
    saved = ThemeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.filter(pk=saved.pk).update(colour=colour)
