"""verify_quotes reads each essay's text by the file name editors give it: only a plain file
name inside the folder it is given, never a path that leads elsewhere."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import CitationFactory, EssayFactory
from timeline.models import Essay

QUOTE = "The New START Treaty, which entered into force"


def verify_quotes(folder) -> str:
    """What the command says, on success or failure."""
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("verify_quotes", str(folder), stdout=stdout, stderr=stderr)
    except CommandError as error:
        return f"{stdout.getvalue()}{stderr.getvalue()}{error}"
    return stdout.getvalue()


@pytest.fixture
def texts(tmp_path):
    """A folder of essay texts, beside a file outside it that holds the quotation too."""
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "essay.txt").write_text(f"… {QUOTE}, in 2011 …", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(QUOTE, encoding="utf-8")
    return folder


def essay_reading(name: str) -> Essay:
    """An essay whose text file name was stored without the admin's checks (an older row)."""
    citation = CitationFactory(quote=QUOTE, essay__title_descriptive=True)
    Essay.objects.filter(pk=citation.essay_id).update(text_filename=name)
    return citation.essay


def test_verify_quotes_reads_the_named_file_in_the_folder(db, texts):
    essay_reading("essay.txt")
    assert "All 1 quotations match the texts." in verify_quotes(texts)


@pytest.mark.parametrize("name", ["../secret.txt", "{folder}/../secret.txt", "/etc/hostname"])
def test_verify_quotes_never_reads_a_file_outside_its_folder(db, texts, name):
    essay_reading(name.format(folder=texts))
    said = verify_quotes(texts)
    assert "is not a plain file name" in said
    assert "All 1 quotations match" not in said


def test_verify_quotes_never_follows_a_link_out_of_its_folder(db, texts):
    (texts / "linked.txt").symlink_to(texts.parent / "secret.txt")
    essay_reading("linked.txt")
    said = verify_quotes(texts)
    assert f"linked.txt leads outside {texts}" in said
    assert "All 1 quotations match" not in said


def test_verify_quotes_names_a_text_file_that_is_not_utf8(db, texts):
    (texts / "scan.txt").write_bytes(b"\xff\xfe binary")
    essay_reading("scan.txt")
    assert "scan.txt is not UTF-8 text (byte 0)" in verify_quotes(texts)


@pytest.mark.parametrize("name", ["../secret.txt", "/proc/self/environ", "texts\\essay.txt", ".."])
def test_the_admin_refuses_a_text_file_name_with_a_folder(admin_client, db, name):
    essay = EssayFactory(text_filename="essay.txt")
    data = {
        field: getattr(essay, field)
        for field in ["title", "slug", "authors", "affiliation", "publisher", "abstract"]
    } | {
        "published": "2013-02-28",
        "published_precision": "day",
        "text_filename": name,
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:timeline_essay_change", args=[essay.pk]), data)
    assertContains(response, "Enter a plain file name, such as 000_38261fa63d6ae531.txt")
    essay.refresh_from_db()
    assert essay.text_filename == "essay.txt"
