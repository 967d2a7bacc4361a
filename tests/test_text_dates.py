"""The dates a sentence names, resolved against when its essay came out: what makes "last
May" in a February 2013 essay May 2012, and "In March" in an essay of 2021 March 2021."""

import datetime

import pytest

from timeline.text_dates import date_spans, named_years

D = datetime.date
WEITZ = (D(2013, 2, 28), D(2013, 2, 28))  # published on a known day
HAN_LU = (D(2021, 1, 1), D(2021, 12, 31))  # published some time in 2021
VALDAI = (D(2011, 1, 1), D(2011, 12, 31))


def first_span(sentence, published, context_year=None):
    spans = date_spans(sentence, *published, context_year=context_year)
    assert spans, f"no date read in {sentence!r}"
    return spans[0]


@pytest.mark.parametrize(
    "sentence, published, first, last, precision",
    [
        ("In March, a new report was issued.", HAN_LU, D(2021, 3, 1), D(2021, 3, 31), "month"),
        ("On April 13, Biden told Putin in a call.", HAN_LU, D(2021, 4, 13), D(2021, 4, 13), "day"),
        ("Finally, on May 14, it designated them.", HAN_LU, D(2021, 5, 14), D(2021, 5, 14), "day"),
        ("with Blinken saying in early May that", HAN_LU, D(2021, 5, 1), D(2021, 5, 31), "month"),
        (
            "after Putin returned to the presidency last May,",
            WEITZ,
            D(2012, 5, 1),
            D(2012, 5, 31),
            "month",
        ),
        (
            "Moscow's announcement last fall that it would not",
            WEITZ,
            D(2012, 9, 1),
            D(2012, 11, 30),
            "season",
        ),
        (
            "Earlier this month, Lavrov took five days.",
            WEITZ,
            D(2013, 2, 1),
            D(2013, 2, 28),
            "month",
        ),
        (
            "after the general agreement ends this summer",
            WEITZ,
            D(2013, 6, 1),
            D(2013, 8, 31),
            "season",
        ),
        ("with mutual trade last year amounting to", WEITZ, D(2012, 1, 1), D(2012, 12, 31), "year"),
        ("It was signed in the spring of 2010.", WEITZ, D(2010, 3, 1), D(2010, 5, 31), "season"),
        (
            "which entered into force on February 5, 2011,",
            VALDAI,
            D(2011, 2, 5),
            D(2011, 2, 5),
            "day",
        ),
        ("It was signed on 8 December 1987.", WEITZ, D(1987, 12, 8), D(1987, 12, 8), "day"),
    ],
)
def test_a_date_in_a_sentence_is_resolved_from_the_publication_date(
    sentence, published, first, last, precision
):
    span = first_span(sentence, published)
    assert (span.first, span.last, span.precision) == (first, last, precision)


def test_that_autumn_is_the_autumn_of_the_year_named_before():
    span = first_span("That autumn the talks stalled.", WEITZ, context_year=2009)
    assert (span.first, span.last) == (D(2009, 9, 1), D(2009, 11, 30))
    # With no year before it, "that autumn" says nothing of when.
    assert date_spans("That autumn the talks stalled.", *WEITZ) == []


def test_years_ago_counts_back_from_the_publication_with_its_uncertainty():
    span = first_span("They agreed on it two and a half years ago.", VALDAI)
    # Two and a half years before some day of 2011: the reset of February 2009 is inside.
    assert span.holds(D(2009, 2, 7))
    assert not span.holds(D(2007, 1, 1)) and not span.holds(D(2010, 6, 1))


@pytest.mark.parametrize(
    "sentence, years",
    [
        ("during the time of President Boris Yeltsin from 1991 to 1999", set(range(1991, 2000))),
        ("in the 1990s Russia faced upheaval", set(range(1990, 2000))),
        ("interference in the 2016 and 2020 elections", {2016, 2020}),
        # A later year is a forecast, not when something happened.
        ("Putin could remain president till 2036", set()),
        # Sums and counts are not years.
        ("trade amounting to only $2012 million and 1,999 tanks", set()),
    ],
)
def test_the_years_a_sentence_names(sentence, years):
    assert named_years(sentence, D(2021, 12, 31)) == years


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia may decide otherwise.",
        "Officials march on regardless.",
        "This may be the last chance.",
        "Nothing here names a date at all.",
    ],
)
def test_words_that_look_like_months_are_not_dates(sentence):
    assert date_spans(sentence, *WEITZ) == []
