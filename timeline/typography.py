"""Typographic quotation marks for text typed with straight ones."""

import re

# An opening mark follows the start, a space, an opening bracket or a dash.
OPENING_DOUBLE = re.compile(r'(^|[\s(\[{\u2014\u2013/-])"')
OPENING_SINGLE = re.compile(r"(^|[\s(\[{\u2014\u2013/-])'(?!\d0s)")


def curly_quotes(text: str) -> str:
    """``text`` with “ ” for straight double quotes and ‘ ’ for single ones; every other
    single quote (Putin's, the '90s) is an apostrophe."""
    if '"' not in text and "'" not in text:
        return text
    text = OPENING_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    return OPENING_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")


def in_quotes(text: str) -> str:
    """``text`` inside “ ”, its own double quotation marks turned to single ones."""
    inner = curly_quotes(text).replace("\u201c", "\u2018").replace("\u201d", "\u2019")
    return f"\u201c{inner}\u201d"
