import functools
import re
import threading

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from timeline import dates
from timeline.typography import curly_quotes, in_quotes

register = template.Library()

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br"}
# One converter per thread, reset between texts: building one costs ten times a short text's
# conversion (tests/test_rendering_safety.py holds it to the same output).
_converters = threading.local()


def markdown_converter() -> markdown_lib.Markdown:
    if not hasattr(_converters, "markdown"):
        # smarty: typographic quotes, dashes and ellipses, as in the titles.
        _converters.markdown = markdown_lib.Markdown(output_format="html", extensions=["smarty"])
    return _converters.markdown.reset()


@register.filter
def markdown(text: str) -> str:
    """Editor-written Markdown as HTML, sanitised to an allow-list (no scripts, no javascript:)."""
    return mark_safe(rendered_markdown(text or ""))


# Kept for as many texts as a download holds: a download made again after an edit renders
# only the summaries that changed (rendering is most of a TimelineJS file's making).
@functools.lru_cache(maxsize=10_000)
def rendered_markdown(text: str) -> str:
    return nh3.clean(
        markdown_converter().convert(text),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.filter
def partial_iso(value, precision: str) -> str:
    """A machine-readable date for <time datetime>: "2011", "2011-02" or "2011-02-05"."""
    return dates.to_partial_text(value, precision) if value else ""


@register.filter
def pluralize_count(count: int, noun: str) -> str:
    """3, "essay" → "3 essays"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]”\"'])[.!?](?=\s+[A-Z“\"])")


@register.filter
def first_sentence(text: str) -> str:
    """The first sentence of a summary, for one-line lists. A full stop after a capital
    ("U.S.") does not end a sentence."""
    plain = " ".join((text or "").split())
    match = SENTENCE_END.search(plain)
    return plain[: match.end()] if match else plain


@register.filter
def typographic(text: str) -> str:
    """Curly quotation marks for straight ones (a quotation is stored as the essay prints it)."""
    return curly_quotes(str(text))


@register.filter
def quoted(text: str) -> str:
    """A quotation or a title inside typographic quotation marks, nested ones made single."""
    return in_quotes(str(text))
