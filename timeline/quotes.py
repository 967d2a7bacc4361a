"""Compare stored quotations with the essays' texts, as the verify_quotes command does."""

import re
from pathlib import Path

TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$])")


def normalise(text: str) -> str:
    """Fold whitespace, typographic quotes and dashes; drop link markup and escapes."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = BACKSLASH_ESCAPE.sub(r"\1", text)
    return " ".join(text.translate(TYPOGRAPHIC).split())


def find_text(folder: Path, essay) -> Path | None:
    """The essay's text file: its recorded file name, else a file whose text holds the title."""
    if essay.text_filename and (folder / essay.text_filename).is_file():
        return folder / essay.text_filename
    title = normalise(essay.title)
    for path in sorted(folder.glob("*.txt")):
        if not essay.title_descriptive and title in normalise(path.read_text(encoding="utf-8")):
            return path
    return None


def check_quotations(folder: Path, essays):
    """Yield (essay, citation or None, problem) for every quotation that does not match."""
    for essay in essays:
        path = find_text(folder, essay)
        if path is None:
            yield essay, None, f"no text found in {folder} for this essay"
            continue
        text = normalise(path.read_text(encoding="utf-8"))
        for citation in essay.citations.all():
            if normalise(citation.quote) not in text:
                yield essay, citation, f"not found in {path.name}"
