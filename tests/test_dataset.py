"""The curated dataset as shipped: loads cleanly and holds what readers come for."""

import datetime
import itertools

import pytest

from timeline import dates
from timeline.models import Citation, Essay, Event, Period, Theme

pytestmark = pytest.mark.django_db


def test_every_event_has_a_theme_and_a_valid_date(curated):
    events = Event.objects.prefetch_related("themes")
    assert 120 <= events.count() <= 200
    for event in events:
        assert event.themes.exists(), event.slug
        assert event.main_theme in event.themes.all(), event.slug
        assert dates.is_consistent(event.start, event.start_precision), event.slug
        assert datetime.date(1987, 1, 1) <= event.start <= datetime.date(2026, 12, 31), event.slug
        if event.end:
            assert event.end >= event.start, event.slug


def test_every_essay_cites_at_least_three_events(curated):
    assert Essay.objects.count() == 5
    for essay in Essay.objects.all():
        assert essay.citations.count() >= 3, essay.slug


@pytest.mark.parametrize(
    ("slug", "date_text"),
    [
        ("new-start-enters-into-force", "5 Feb 2011"),
        ("magnitsky-act", "14 Dec 2012"),
        ("russia-expels-usaid", "18 Sep 2012"),
        ("blinken-lavrov-reykjavik", "19 May 2021"),
    ],
)
def test_headline_events_have_their_known_dates(curated, slug, date_text):
    event = Event.objects.get(slug=slug)
    assert event.date_display == date_text
    assert event.citations.exists()


@pytest.mark.parametrize(
    ("slug", "date_text"),
    [
        ("malta-summit-1989", "2 Dec 1989 – 3 Dec 1989"),
        ("budapest-memorandum", "5 Dec 1994"),
        ("nato-russia-founding-act", "27 May 1997"),
        ("putin-munich-speech-2007", "10 Feb 2007"),
        ("mh17-shot-down", "17 Jul 2014"),
        ("helsinki-summit-2018", "16 Jul 2018"),
        ("russia-invades-ukraine-2022", "24 Feb 2022"),
        ("russia-suspends-new-start", "21 Feb 2023"),
        ("ankara-prisoner-exchange-2024", "1 Aug 2024"),
        ("anchorage-summit-2025", "15 Aug 2025"),
    ],
)
def test_the_major_events_the_essays_leave_out_stand_at_their_dates(curated, slug, date_text):
    assert Event.objects.get(slug=slug).date_display == date_text


def test_every_year_has_an_event_and_every_period_a_story(curated):
    years = {start.year for start in Event.objects.values_list("start", flat=True)}
    assert [year for year in range(1987, 2027) if year not in years] == []
    for period in Period.objects.all():
        starting = Event.objects.filter(start__range=(period.start, period.end)).count()
        assert starting >= 5, period.slug


def test_every_event_has_a_source(curated):
    unsourced = Event.objects.exclude(links__isnull=False).values_list("slug", flat=True)
    assert list(unsourced) == []


def test_periods_are_split_at_the_invasion_and_the_second_trump_term(curated):
    starts = set(Period.objects.values_list("start", flat=True))
    assert {datetime.date(2022, 2, 24), datetime.date(2025, 1, 20)} <= starts


def test_essay_metadata_records_what_is_uncertain(curated):
    valdai = Essay.objects.get(text_filename="001_6d9a5feafda786b2.txt")
    assert valdai.author_list == []
    assert valdai.published_inferred
    assert valdai.published_display == "2011 (inferred)"
    weitz = Essay.objects.get(text_filename="000_38261fa63d6ae531.txt")
    assert weitz.author_list == ["Richard Weitz"]
    assert (weitz.published, weitz.published_inferred) == (datetime.date(2013, 2, 28), False)
    trenin = Essay.objects.get(text_filename="002_bcd53b189e1c708e.txt")
    assert trenin.title_descriptive


def test_quotations_are_short_and_periods_cover_1987_to_2026(curated):
    assert all(0 < len(quote) <= 300 for quote in Citation.objects.values_list("quote", flat=True))
    periods = list(Period.objects.order_by("start"))
    assert 8 <= len(periods) <= 12
    assert periods[0].start <= datetime.date(1987, 1, 1)
    assert periods[-1].end >= datetime.date(2026, 2, 5)
    for earlier, later in itertools.pairwise(periods):
        assert later.start == earlier.end + datetime.timedelta(days=1), later.slug
    assert 8 <= Theme.objects.count() <= 12


def test_new_start_spans_its_extension_and_expiry(curated):
    assert Event.objects.filter(start=datetime.date(2021, 2, 3)).exists()
    assert Event.objects.filter(start=datetime.date(2026, 2, 5)).exists()


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


def test_theme_colours_keep_text_readable(curated):
    for theme in Theme.objects.all():
        assert contrast_with_white(theme.colour) >= 4.5, theme.slug
        assert theme.description, theme.slug


def test_summaries_and_stances_the_review_balanced(curated):
    assert "Tagliavini" in Event.objects.get(slug="russia-georgia-war").summary
    assert "supporting Donald Trump" in Event.objects.get(slug="odni-election-report-2021").summary
    for slug in ("putin-returns-to-presidency", "yeltsin-presidency", "boston-marathon-bombing"):
        assert Event.objects.get(slug=slug).stance == "mixed", slug


def test_the_dead_isn_address_says_the_library_has_closed(curated, client):
    weitz = Essay.objects.get(text_filename="000_38261fa63d6ae531.txt")
    assert "has since closed" in client.get(weitz.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("slug", "date_text", "essay_file"),
    [
        ("navalny-sentenced-2021", "2 Feb 2021", "004_205996025e679c79.txt"),
        ("putin-returns-to-presidency", "7 May 2012", "000_38261fa63d6ae531.txt"),
        ("nato-chicago-summit-2012", "20 May 2012 – 21 May 2012", "000_38261fa63d6ae531.txt"),
        ("czech-expels-russian-diplomats-2021", "17 Apr 2021", "004_205996025e679c79.txt"),
        ("transnistria-ceasefire-1992", "21 Jul 1992", "001_6d9a5feafda786b2.txt"),
    ],
)
def test_each_act_an_essay_names_stands_at_its_own_date(curated, slug, date_text, essay_file):
    event = Event.objects.get(slug=slug)
    assert event.date_display == date_text
    assert event.citations.filter(essay__text_filename=essay_file).exists()


def test_a_passage_naming_no_act_cites_no_event(curated):
    navalny_sanctions = Event.objects.get(slug="us-sanctions-over-navalny-poisoning")
    assert not navalny_sanctions.citations.exists()
    assert Event.objects.get(slug="libya-intervention").start == datetime.date(2011, 3, 19)
