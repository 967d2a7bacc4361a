"""Essays' full texts kept in the database: loaded from the files their records name
(load_essay_texts), shown to editors only unless an essay is made public, and the text
verify_quotes checks against when it is given no folder."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import html as lxml_html
from pytest_django.asserts import assertContains

from tests.factories import CitationFactory, EssayFactory
from timeline.models import Essay, TextDisplay

TEXT = "The reset began in 2009.\n\nThe New START Treaty, which entered into force in 2011, …\n"
QUOTE = "The New START Treaty, which entered into force"


def run(command, *args) -> tuple[bool, str]:
    """(whether it succeeded, what it said)."""
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command(command, *map(str, args), stdout=stdout, stderr=stderr)
    except CommandError as error:
        return False, f"{stdout.getvalue()}{stderr.getvalue()}{error}"
    return True, stdout.getvalue() + stderr.getvalue()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "weitz.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


def test_texts_load_from_the_files_the_essays_name(db, folder):
    essay = EssayFactory(text_filename="weitz.txt")
    unnamed = EssayFactory(text_filename="")
    succeeded, said = run("load_essay_texts", folder)
    assert succeeded, said
    assert "1 texts loaded, 0 unchanged" in said
    assert f"{unnamed.slug}: no text file named in its record; skipped" in said
    essay.refresh_from_db()
    assert essay.text == TEXT
    # Kept for editors only unless an editor decides otherwise: most essays are copyrighted.
    assert essay.text_display == TextDisplay.EDITORS
    # Loading again changes nothing and says so.
    assert "0 texts loaded, 1 unchanged" in run("load_essay_texts", folder)[1]
    assert essay.history.count() == 2  # created, then its text loaded


@pytest.mark.parametrize(
    "name, contents, problem",
    [
        ("missing.txt", None, "missing.txt is not in"),
        ("latin1.txt", "Gorbatchev à Reykjavik".encode("latin-1"), "is not UTF-8 text"),
        ("binary.txt", b"text\x00more", "holds a NUL character"),
        ("../weitz.txt", None, "is not a plain file name"),
    ],
    ids=["missing", "not UTF-8", "NUL", "outside the folder"],
)
def test_a_text_that_cannot_be_loaded_is_named_and_loses_nothing_stored(
    db, folder, name, contents, problem
):
    if contents is not None:
        (folder / name).write_bytes(contents)
    kept = EssayFactory(text_filename="weitz.txt", text="the text an editor pasted")
    broken = EssayFactory(text="already stored")
    Essay.objects.filter(pk=broken.pk).update(text_filename=name)  # an older, unchecked row
    succeeded, said = run("load_essay_texts", folder)
    assert not succeeded
    assert f"NOT LOADED {broken.slug}: " in said and problem in said
    broken.refresh_from_db()
    assert broken.text == "already stored"
    kept.refresh_from_db()
    assert kept.text == TEXT  # the others load all the same


def test_load_essay_texts_needs_a_folder(db, tmp_path):
    succeeded, said = run("load_essay_texts", tmp_path / "nowhere")
    assert not succeeded and "is not a folder" in said


def test_verify_quotes_checks_the_stored_texts_when_given_no_folder(db):
    citation = CitationFactory(quote=QUOTE, essay__text=TEXT)
    succeeded, said = run("verify_quotes")
    assert succeeded and "All 1 quotations match the texts." in said
    citation.quote = "The New START Treaty, which expired"
    citation.save()
    succeeded, said = run("verify_quotes")
    assert not succeeded
    assert f"MISMATCH {citation.essay.slug} → {citation.event.slug}" in said
    assert "not found in the stored text" in said


def test_verify_quotes_names_an_essay_with_no_stored_text(db):
    citation = CitationFactory(quote=QUOTE, essay__text="")
    succeeded, said = run("verify_quotes")
    assert not succeeded
    assert f"MISMATCH {citation.essay.slug} (no text stored for this essay" in said


def test_editors_paste_a_text_and_choose_who_may_read_it_in_the_admin(admin_client, db):
    essay = EssayFactory()
    url = reverse("admin:timeline_essay_change", args=[essay.pk])
    page = admin_client.get(url)
    assertContains(page, 'name="text"')
    assertContains(page, "Editors only: kept for citing and checking, never shown")
    assertContains(page, "Public: readers may read it")


READ_TEXT = (
    "Russia and the West\n\n"
    "Earlier this month, Lavrov took [five days to answer](#) Kerry's call on \\(USAID\\). "
    "The “reset” brought New START\u00a0into force.\n\n"
    "Cooperation on Afghanistan continued.\n"
)


def reading(client, essay):
    return client.get(reverse("timeline:essay_read", args=[essay.slug]))


@pytest.fixture
def public_essay(db):
    essay = EssayFactory(text=READ_TEXT, text_display=TextDisplay.PUBLIC)
    first = CitationFactory(
        essay=essay, quote="Lavrov took five days to answer Kerry's call on (USAID)"
    )
    # Typographic quotes in the text, plain ones in the quotation; across a no-break space.
    second = CitationFactory(essay=essay, quote='The "reset" brought New START into force.')
    edge = CitationFactory(essay=essay, quote="Cooperation on Afghanistan continued.")
    return essay, [first, second, edge]


def test_a_public_essay_reads_with_each_cited_passage_marked_and_linked(client, public_essay):
    essay, citations = public_essay
    response = reading(client, essay)
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content.decode())
    marks = page.xpath("//div[@class='essay-read-text']//mark[contains(@class, 'cited')]")
    assert [mark.text_content() for mark in marks] == [
        "Lavrov took five days to answer Kerry's call on (USAID)",
        "The “reset” brought New START\u00a0into force.",
        "Cooperation on Afghanistan continued.",  # a whole paragraph, edge to edge
    ]
    for mark, citation in zip(marks, citations, strict=True):
        assert mark.get("id") == f"cites-{citation.event.slug}"
        assert mark.xpath(".//a/@href") == [citation.event.get_absolute_url()]
    # The link markup reads as its words; the date and title of each event in the margin.
    assert "[five days" not in page.text_content()
    margins = page.xpath("//aside[@class='essay-read-margin']")
    assert len(margins) == 2
    assert citations[0].event.title in margins[0].text_content()
    listed = page.xpath("//nav[@class='essay-read-events']//a/@href")
    assert listed == [
        f"#cites-{citation.event.slug}"
        for citation in sorted(
            citations,
            key=lambda citation: (
                citation.event.start,
                citation.event.span_end,
                citation.event.title,
            ),
        )
    ]
    assert page.xpath("//a[text()='Show these events on the timeline']/@href") == [
        f"/?essay={essay.slug}"
    ]
    assertContains(client.get(essay.get_absolute_url()), "Read the essay with its citations marked")


def test_an_editors_only_text_is_never_shown_to_readers(client, public_essay):
    essay, _ = public_essay
    Essay.objects.filter(pk=essay.pk).update(text_display=TextDisplay.EDITORS)
    response = reading(client, essay)
    assert response.status_code == 404
    assert "Lavrov" not in response.content.decode()
    assertContains(response, "is not published here", status_code=404)
    assert "Read the essay" not in client.get(essay.get_absolute_url()).content.decode()


def test_editors_read_an_editors_only_text_with_quotations_it_lacks_named(
    admin_client, public_essay
):
    essay, _ = public_essay
    Essay.objects.filter(pk=essay.pk).update(text_display=TextDisplay.EDITORS)
    stray = CitationFactory(essay=essay, quote="words the essay never wrote")
    response = reading(admin_client, essay)
    assert response.status_code == 200
    assertContains(response, "Editors only.")
    assertContains(response, "1 quotation not found in this text")
    assertContains(response, stray.event.title)
    # Never kept by a shared cache.
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_an_essay_without_a_stored_text_says_where_to_read_it(client, db):
    essay = EssayFactory(text="", text_display=TextDisplay.PUBLIC, url="https://example.org/e")
    response = reading(client, essay)
    assert response.status_code == 404
    assertContains(response, 'href="https://example.org/e"', status_code=404)
