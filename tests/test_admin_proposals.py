"""The admin's "Propose citations" page: an editor accepts a proposal (as it is, with the
passage shortened, or for another event), rejects one for good, and creates a missing event
from a dated passage; nothing is saved from a stale page or a passage the essay does not hold."""

import importlib

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from lxml import html as lxml_html
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import EssayFactory
from timeline.admin_proposals import text_fingerprint
from timeline.models import Citation, CitationRejection, Event

editors_migration = importlib.import_module("timeline.migrations.0003_editors_group")

TEXT = (
    "Arms control, then and now\n\n"
    "The Prague Treaty of 2010 cut deployed warheads by a third. Relations began to "
    "deteriorate after Vladimir Putin returned to the presidency last May, replacing Dmitry "
    "Medvedev.\n\n"
    "On 14 January 2013 an unnamed delegation visited a ministry in Ruritania."
)


@pytest.fixture
def editor(curated):
    user = User.objects.create_user("erin", password="x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=editors_migration.GROUP_NAME))
    return user


@pytest.fixture
def essay(curated):
    return EssayFactory(text=TEXT)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def page_url(essay):
    return reverse("admin:timeline_essay_proposals", args=[essay.pk])


def proposal_slugs(response) -> list[str]:
    tree = lxml_html.fromstring(response.content)
    return tree.xpath("//li[@data-proposal]/@data-proposal")


def post(client, essay, action, event, quote, proposed=None, fingerprint=None):
    return client.post(
        page_url(essay),
        {
            "action": action,
            "event": event.pk,
            "quote": quote,
            "proposed": (proposed or event).pk,
            "fingerprint": fingerprint or text_fingerprint(essay),
        },
    )


def test_the_essay_page_links_to_its_proposals_which_mark_each_passage(editor_client, essay):
    change = editor_client.get(reverse("admin:timeline_essay_change", args=[essay.pk]))
    assertContains(change, f'href="{page_url(essay)}"')
    response = editor_client.get(page_url(essay))
    slugs = proposal_slugs(response)
    assert {"new-start-signed", "putin-returns-to-presidency"} <= set(slugs)
    scores = [
        float(s)
        for s in lxml_html.fromstring(response.content).xpath(
            "//span[@class='proposal-score']/text()"
        )
    ]
    assert len(scores) == len(slugs) and scores == sorted(scores, reverse=True)  # best first
    assertContains(
        response, "<mark>The Prague Treaty of 2010 cut deployed warheads by a third.</mark>"
    )
    # The heading before it is its context, not part of it.
    assertContains(response, "name ‘Prague Treaty’ + 2010")


def test_accepting_a_proposal_cites_the_event_with_history_and_drops_it_from_the_list(
    editor_client, editor, essay
):
    event = Event.objects.get(slug="new-start-signed")
    response = post(
        editor_client,
        essay,
        "accept",
        event,
        "The Prague Treaty of 2010 cut deployed warheads by a third.",
    )
    assert response.status_code == 302
    citation = Citation.objects.get(essay=essay, event=event)
    assert citation.quote == "The Prague Treaty of 2010 cut deployed warheads by a third."
    assert citation.history.get().history_user == editor
    page = editor_client.get(response["Location"])
    assertContains(page, "Cited: “New START signed in Prague”")
    assert "new-start-signed" not in proposal_slugs(page)


def test_an_editor_may_shorten_the_passage_or_pick_another_event(editor_client, essay):
    proposed = Event.objects.get(slug="putin-returns-to-presidency")
    other = Event.objects.get(slug="russian-presidential-election-2012")
    quote = "after Vladimir Putin returned to the presidency last May"
    response = post(editor_client, essay, "accept", other, quote, proposed=proposed)
    assert response.status_code == 302
    assert Citation.objects.get(essay=essay, event=other).quote == quote
    assert not Citation.objects.filter(essay=essay, event=proposed).exists()


def test_a_passage_not_in_the_text_is_refused_and_nothing_is_saved(editor_client, essay):
    event = Event.objects.get(slug="new-start-signed")
    response = post(
        editor_client, essay, "accept", event, "The Prague Treaty of 2010 cut warheads in half."
    )
    assert response.status_code == 200
    assertContains(response, "These words are not in the essay&#x27;s text")
    # The refused form keeps what the editor typed, in place.
    assertContains(response, "cut warheads in half.</textarea>")
    assert not Citation.objects.filter(essay=essay).exists()


def test_a_page_shown_before_the_text_changed_saves_nothing(editor_client, essay):
    stale = text_fingerprint(essay)
    essay.text = TEXT.replace("by a third", "by a quarter")
    essay.save()
    event = Event.objects.get(slug="putin-returns-to-presidency")
    response = post(
        editor_client, essay, "accept", event, "Relations began to deteriorate", fingerprint=stale
    )
    assert response.status_code == 200
    assertContains(response, "The essay&#x27;s text was changed since this page was shown")
    assert not Citation.objects.filter(essay=essay).exists()


def test_an_event_the_essay_already_cites_is_not_cited_twice(editor_client, essay):
    event = Event.objects.get(slug="new-start-signed")
    Citation.objects.create(essay=essay, event=event, quote="The Prague Treaty of 2010")
    other = Event.objects.get(slug="putin-returns-to-presidency")
    response = post(
        editor_client, essay, "accept", event, "Relations began to deteriorate", proposed=other
    )
    assert response.status_code == 200
    assertContains(response, "This essay already cites “New START signed in Prague”")
    assert Citation.objects.get(essay=essay, event=event).quote == "The Prague Treaty of 2010"


def test_a_rejection_is_remembered_and_can_be_undone(editor_client, editor, essay):
    event = Event.objects.get(slug="new-start-signed")
    response = post(editor_client, essay, "reject", event, "The Prague Treaty of 2010")
    assert response.status_code == 302
    rejection = CitationRejection.objects.get(essay=essay, event=event)
    assert rejection.rejected_by == editor
    page = editor_client.get(page_url(essay))
    assert "new-start-signed" not in proposal_slugs(page)
    assertContains(page, "Rejected proposals")
    editor_client.post(page_url(essay), {"action": "restore", "rejection": rejection.pk})
    assert "new-start-signed" in proposal_slugs(editor_client.get(page_url(essay)))
    assert not Citation.objects.filter(essay=essay).exists()


def test_a_dated_passage_no_event_matches_opens_a_new_event_with_its_citation(editor_client, essay):
    page = editor_client.get(page_url(essay))
    tree = lxml_html.fromstring(page.content)
    (link,) = tree.xpath("//a[text()='Create an event from this passage']/@href")
    form = editor_client.get(link)
    tree = lxml_html.fromstring(form.content)
    assert tree.xpath("//input[@name='start']/@value") == ["2013-01-14"]
    assert tree.xpath("//select[@name='start_precision']/option[@selected]/@value") == ["day"]
    assert tree.xpath("//input[@name='title']/@value")[0].startswith("On 14 January 2013")
    quote = "On 14 January 2013 an unnamed delegation visited a ministry in Ruritania."
    assert tree.xpath("//textarea[@name='citations-0-quote']/text()")[0].strip() == quote
    assert tree.xpath("//select[@name='citations-0-essay']/option[@selected]/@value") == [
        str(essay.pk)
    ]


def test_the_page_needs_an_editor_who_may_add_citations(client, essay, db):
    reader = User.objects.create_user("rita", password="x-long-password-1", is_staff=True)
    client.force_login(reader)
    assert client.get(page_url(essay)).status_code == 403
    assert client.post(page_url(essay), {"action": "reject"}).status_code == 403


def test_an_essay_without_text_says_how_to_add_it(editor_client, curated):
    essay = EssayFactory(text="")
    response = editor_client.get(page_url(essay))
    assertContains(response, "This essay has no text yet")
    assertNotContains(response, '<form method="post"')


def test_the_page_reads_the_data_in_a_fixed_number_of_queries(
    editor_client, essay, django_assert_num_queries
):
    # Session and user (2), the essay (1), the editor's permissions (2), its citations and
    # rejections left out (2), the events weighed (1), the events offered (1), the count cited
    # (1), the rejections (1): however many events and proposals.
    with django_assert_num_queries(11):
        response = editor_client.get(page_url(essay))
    assert len(proposal_slugs(response)) >= 3
