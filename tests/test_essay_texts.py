"""Essays' full texts kept in the database: loaded from the files their records name
(load_essay_texts), shown to editors only unless an essay is made public, and the text
verify_quotes checks against when it is given no folder."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
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
