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


def read_essay_text(path: Path) -> str:
    """The text of the file at ``path``, refused unless it is UTF-8 text."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise EssayTextError(f"{path.name} is not UTF-8 text (byte {error.start})") from None
    except FileNotFoundError:
        raise EssayTextError(f"{path.name} is not in {path.parent}") from None
    except OSError as error:
        raise EssayTextError(f"{path.name} cannot be read: {error.strerror}") from None
    if "\0" in text:
        raise EssayTextError(f"{path.name} holds a NUL character: it is not a text file")
    return text


def normalised_text(path: Path) -> str:
    return normalise(read_essay_text(path))


def find_text(folder: Path, essay) -> Path | None:
    """The essay's text file: its recorded file name, else a file whose text holds the title."""
    if essay.text_filename and (path := text_file(folder, essay.text_filename)).is_file():
        return path
    title = normalise(essay.title)
    for path in sorted(folder.glob("*.txt")):
        if not essay.title_descriptive and title in normalised_text(text_file(folder, path.name)):
            return path
    return None


def check_quotations(folder: Path | None, essays):
    """Yield (essay, citation or None, problem) for every quotation that does not match its
    essay's text: in ``folder``, or the text stored with the essay when no folder is given."""
    for essay in essays:
        if folder is None:
            text, where = (normalise(essay.text) if essay.text else None), "the stored text"
            missing = "no text stored for this essay (load_essay_texts, or paste it in the admin)"
        else:
            try:
                path = find_text(folder, essay)
                text = normalised_text(path) if path else None
            except EssayTextError as error:
                yield essay, None, str(error)
                continue
            where, missing = path and path.name, f"no text found in {folder} for this essay"
        if text is None:
            yield essay, None, missing
            continue
        for citation in essay.citations.all():
            if normalise(citation.quote) not in text:
                yield essay, citation, f"not found in {where}"
