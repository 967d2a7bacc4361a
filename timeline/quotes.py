"""Compare stored quotations with the essays' texts, as the verify_quotes command does."""

import re
from pathlib import Path

from django.core.exceptions import ValidationError

TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$])")


def normalise(text: str) -> str:
    """Fold whitespace, typographic quotes and dashes; drop link markup and escapes."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = BACKSLASH_ESCAPE.sub(r"\1", text)
    return " ".join(text.translate(TYPOGRAPHIC).split())


class EssayTextError(Exception):
    """An essay's text file that may not or cannot be read, named."""


def validate_text_filename(name: str) -> None:
    """Editors type the name and verify_quotes opens it: it may name nothing outside the folder."""
    if name in {".", ".."} or any(character in name for character in "/\\\0"):
        raise ValidationError(
            "Enter a plain file name, such as 000_38261fa63d6ae531.txt, without any folder.",
            code="invalid",
        )


def text_file(folder: Path, name: str) -> Path:
    """The file ``name`` in ``folder``, refused if the name or a link leads out of the folder."""
    try:
        validate_text_filename(name)
    except ValidationError:
        raise EssayTextError(
            f"its text file name {name!r} is not a plain file name; correct it in the admin"
        ) from None
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise EssayTextError(f"{name} leads outside {folder}")
    return path


def normalised_text(path: Path) -> str:
    try:
        return normalise(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise EssayTextError(f"{path.name} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise EssayTextError(f"{path.name} cannot be read: {error.strerror}") from None


def find_text(folder: Path, essay) -> Path | None:
    """The essay's text file: its recorded file name, else a file whose text holds the title."""
    if essay.text_filename and (path := text_file(folder, essay.text_filename)).is_file():
        return path
    title = normalise(essay.title)
    for path in sorted(folder.glob("*.txt")):
        if not essay.title_descriptive and title in normalised_text(text_file(folder, path.name)):
            return path
    return None


def check_quotations(folder: Path, essays):
    """Yield (essay, citation or None, problem) for every quotation that does not match."""
    for essay in essays:
        try:
            path = find_text(folder, essay)
            text = normalised_text(path) if path else None
        except EssayTextError as error:
            yield essay, None, str(error)
            continue
        if text is None:
            yield essay, None, f"no text found in {folder} for this essay"
            continue
        for citation in essay.citations.all():
            if normalise(citation.quote) not in text:
                yield essay, citation, f"not found in {path.name}"
