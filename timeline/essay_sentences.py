"""An essay's text as the proposed citations read it: sentences that never cross a
paragraph (nor end at "U.S." inside one), and the stems of their words that carry meaning."""

import re
from dataclasses import dataclass, field

import snowballstemmer

from .essay_reading import PARAGRAPH_BREAK
from .text_dates import MONTHS

STEMMER = snowballstemmer.stemmer("english")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*|\d+")
STOPWORDS = frozenset(
    """a about above after again against all also an and any are as at be because been before
    being between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your s new one two three first second last year years""".split()  # noqa: SIM905
)
# Where a sentence ends: after . ! or ? (and a closing quote or bracket), before a capital.
SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])"
)
# Abbreviations after which a capital does not start a sentence.
ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Jan|Feb|"
    r"Aug|Sept?|Oct|Nov|Dec|No|vs|etc|Inc|Co|Jr|Sr)\.)$"
)
# A sentence starting with one of these begins after "U.S." ends the one before.
SENTENCE_STARTERS = frozenset(
    """A After Also An And As At But During For He However If In It Its Meanwhile Moreover On
    She Since So That The Their Then There These They This Those Thus To We When While
    Yet""".split()  # noqa: SIM905
)
CLAUSE_BREAK = re.compile(r"[,;:–—]\s+|\s+[-–—]\s+")


def stem(word: str) -> str:
    return STEMMER.stemWord(word.lower().replace("’", "'").removesuffix("'s"))


def surface_words(text: str, every: bool = False):
    """The stems of ``text``'s words that carry meaning (hyphenated words also in parts; not
    numbers or months, which text_dates reads), each with the first word written for it;
    ``every``: (stem, word) for every word."""
    stems, pairs = {}, []
    for word in WORD.findall(text):
        parts = [word, *re.split(r"[-'’]", word)] if re.search(r"[-'’]", word) else [word]
        for part in parts:
            lowered = part.lower()
            if (
                lowered not in STOPWORDS
                and len(part) > 1
                and not part.isdigit()
                and (lowered not in MONTHS or not part[0].isupper())
            ):
                stemmed = stem(part)
                stems.setdefault(stemmed, part)
                pairs.append((stemmed, part))
    return pairs if every else stems


def words_of(text: str) -> set[str]:
    return set(surface_words(text))


@dataclass
class Sentence:
    """A sentence of the text as it reads, where it starts, and its paragraph."""

    text: str
    start: int
    paragraph: int
    stems: set = field(default_factory=set)
    lowered: str = ""
    folded: str = ""
    surface: dict = field(default_factory=dict)


def paragraphs_of(text: str):
    """(where it starts, its text) for each paragraph of ``text``."""
    at = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        yield at, text[at : match.start()]
        at = match.end()
    yield at, text[at:]


def sentences_of(text: str) -> list[Sentence]:
    """The sentences of ``text`` (as shown_text reads it), never across a paragraph break."""
    sentences = []

    def add(paragraph, offset, piece):
        stripped = piece.strip()
        if stripped:
            start = offset + len(piece) - len(piece.lstrip())
            folded = " ".join(stripped.replace("’", "'").split())
            surface = surface_words(stripped)
            sentences.append(
                Sentence(stripped, start, paragraph, set(surface), folded.lower(), folded, surface)
            )

    for number, (offset, block) in enumerate(paragraphs_of(text)):
        start = 0
        for end_match in SENTENCE_END.finditer(block):
            head = block[start : end_match.start()].rstrip("\"”’')]")
            if ABBREVIATION.search(head):
                following = block[end_match.end() :].split(maxsplit=1)
                if not following or following[0].strip('"“‘(') not in SENTENCE_STARTERS:
                    continue
            add(number, offset + start, block[start : end_match.start()])
            start = end_match.end()
        add(number, offset + start, block[start:])
    return sentences
