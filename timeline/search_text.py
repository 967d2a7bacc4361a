"""What a search reads and what it looks for: plain words, on every database."""

import re

MAX_SEARCH_WORDS = 12


def search_words(text: str) -> list[str]:
    """Plain words only: the full-text query languages never see the reader's punctuation."""
    return re.findall(r"\w+", text.lower())[:MAX_SEARCH_WORDS]


def searchable_text(*texts: str) -> str:
    """The words of ``texts`` with the punctuation dropped: PostgreSQL's parser would read
    "<Cold>" as a markup tag and index nothing of it."""
    return " ".join(word for text in texts for word in re.findall(r"\w+", text))
