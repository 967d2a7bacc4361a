"""An essay's text as a reader reads it: its paragraphs, with each cited passage found and
marked. A quotation is found as verify_quotes finds it: whatever the whitespace, typographic
quotes and dashes; the text's own link markup and escapes are shown as their words."""

import re
from dataclasses import dataclass, field

from .quotes import BACKSLASH_ESCAPE, MARKDOWN_LINK, normalise

# What may stand for each character of a normalised quotation in the text.
EQUIVALENTS = {
    '"': '["“”„]',
    "'": "['‘’]",
    "-": "[-–—]",
}
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass
class Passage:
    """The stretch ``start``–``end`` of a paragraph that the ``citations`` quote."""

    start: int
    end: int
    citations: list = field(default_factory=list)


@dataclass
class Paragraph:
    text: str
    passages: list[Passage] = field(default_factory=list)

    def pieces(self):
        """(words, passage or None) in order: the paragraph cut at its passages."""
        at = 0
        for passage in self.passages:
            if passage.start > at:
                yield self.text[at : passage.start], None
            yield self.text[passage.start : passage.end], passage
            at = passage.end
        if at < len(self.text):
            yield self.text[at:], None


def shown_text(text: str) -> str:
    """The text as it reads: link markup as its words, escaped characters as themselves."""
    return BACKSLASH_ESCAPE.sub(r"\1", MARKDOWN_LINK.sub(r"\1", text))


def quote_pattern(quote: str) -> re.Pattern:
    """A pattern finding ``quote`` in a text however its spaces, quotes and dashes are set."""
    parts = []
    for character in normalise(quote):
        if character == " ":
            parts.append(r"\s+")
        else:
            parts.append(EQUIVALENTS.get(character, re.escape(character)))
    return re.compile("".join(parts))


def read_essay(text: str, citations) -> tuple[list[Paragraph], list]:
    """The paragraphs of ``text`` with the passages of ``citations`` marked, and the
    citations whose quotation the text does not hold. A quotation crossing paragraphs is
    marked in each; passages that overlap are marked as one, for all their citations."""
    shown = shown_text(text)
    spans, missing = [], []
    for citation in citations:
        found = quote_pattern(citation.quote).search(shown)
        if found:
            spans.append((found.start(), found.end(), citation))
        else:
            missing.append(citation)
    bounds, at = [], 0
    for gap in PARAGRAPH_BREAK.finditer(shown):
        bounds.append((at, gap.start()))
        at = gap.end()
    bounds.append((at, len(shown)))
    paragraphs = []
    for start, end in bounds:
        block = shown[start:end]
        if not block.strip():
            continue
        paragraph = Paragraph(block.strip())
        first_at = start + len(block) - len(block.lstrip())
        last_at = first_at + len(paragraph.text)
        for first, last, citation in sorted(spans, key=lambda span: span[:2]):
            first, last = max(first, first_at) - first_at, min(last, last_at) - first_at
            if first >= last:
                continue
            if paragraph.passages and first < paragraph.passages[-1].end:
                merged = paragraph.passages[-1]
                merged.end = max(merged.end, last)
                merged.citations.append(citation)
            else:
                paragraph.passages.append(Passage(first, last, [citation]))
        paragraphs.append(paragraph)
    return paragraphs, missing
