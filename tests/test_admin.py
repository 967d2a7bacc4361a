import pytest
from django.urls import reverse
from lxml import html as lxml_html
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import EssayFactory
from tests.test_editors import event_form_data
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db


def test_event_changelist_shows_formatted_dates_and_filters(admin_client, small_timeline):
    response = admin_client.get(reverse("admin:timeline_event_changelist"))
    assertContains(response, "1992–2013")
    assertContains(response, "Sep 2012")
    for title in ("By themes", "By period", "By stance", "By cited by essay"):
        assertContains(response, title)
    response = admin_client.get(
        reverse("admin:timeline_event_changelist"), {"period": "the-reset", "q": '"New START"'}
    )
    assertContains(response, "New START enters into force")
    assertContains(response, "1 event")


def test_event_change_page_has_inlines_and_view_on_site(admin_client, small_timeline):
    event = small_timeline["events"]["magnitsky"]
    response = admin_client.get(reverse("admin:timeline_event_change", args=[event.pk]))
    assertContains(response, "After Congress enacted the Act")
    assertContains(response, "View on site")
    assertContains(response, "Related events (this event … that one)")


def test_editor_gets_a_clear_message_for_an_end_before_the_start(admin_client, small_timeline):
    event = small_timeline["events"]["new_start"]
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "stance": event.stance,
        "main_theme": event.main_theme_id,
        "themes": [event.main_theme_id],
        "start": "2011-02-05",
        "start_precision": "day",
        "end": "2010-01-01",
        "end_precision": "day",
        "aliases": "",
        "discussion_prompt": "",
        "loaded_version": event.version,
    }
    for prefix in ("citations", "links", "relations_out"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assertContains(response, "An event cannot end before it starts.")
    event.refresh_from_db()
    assert event.end is None


def test_saving_in_admin_keeps_main_theme_among_themes(admin_client, small_timeline):
    event = small_timeline["events"]["new_start"]
    rights = small_timeline["themes"]["rights"]
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "stance": event.stance,
        "main_theme": rights.pk,
        "themes": [],
        "start": "2011-02-05",
        "start_precision": "day",
        "end": "",
        "end_precision": "",
        "loaded_version": event.version,
    }
    for prefix in ("citations", "links", "relations_out"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Event.objects.get(pk=event.pk).themes.all()) == [rights]


@pytest.mark.parametrize(
    "name",
    [
        "timeline_theme_changelist",
        "timeline_period_changelist",
        "timeline_essay_changelist",
        "timeline_citation_changelist",
        "timeline_event_add",
        "timeline_essay_add",
    ],
)
def test_admin_pages_open(admin_client, small_timeline, name):
    assert admin_client.get(reverse(f"admin:{name}")).status_code == 200


def test_a_new_event_form_offers_one_citation_row_with_a_quotation_box(admin_client, db):
    response = admin_client.get(reverse("admin:timeline_event_add"))
    tree = lxml_html.fromstring(response.content.decode())
    assert tree.xpath('//input[@name="citations-TOTAL_FORMS"]/@value') == ["1"]
    box = tree.xpath('//textarea[@name="citations-0-quote"]')
    assert len(box) == 1 and box[0].get("maxlength") == "300"
    assert "admin_quote.js" in response.content.decode()


def test_citing_a_later_event_is_saved_with_a_warning(admin_client, small_timeline):
    event = small_timeline["events"]["magnitsky"]
    earlier = EssayFactory(slug="earlier", title="Written before", published="2010-06-01")
    data = event_form_data(event) | {
        "citations-TOTAL_FORMS": 1,
        "citations-0-essay": earlier.pk,
        "citations-0-quote": "The Act will pass.",
        "citations-0-note": "",
    }
    url = reverse("admin:timeline_event_change", args=[event.pk])
    response = admin_client.post(url, data, follow=True)
    assert Citation.objects.filter(essay=earlier, event=event).exists()
    assertContains(response, "“Written before”, published 1 Jun 2010, cites")
    assertContains(response, "which starts later (14 Dec 2012)")
    # An edit that leaves the citation alone says nothing more.
    response = admin_client.post(url, event_form_data(event), follow=True)
    assertNotContains(response, "which starts later")


def test_the_lockout_app_is_named_for_what_it_does(admin_client, db):
    response = admin_client.get(reverse("admin:index"))
    assertContains(response, "Sign-in lockouts")
    assertNotContains(response, ">Axes<")
