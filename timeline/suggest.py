"""Citations proposed from an essay's text: for each event the text refers to, the shortest
verbatim passage (at most 300 characters) that shows it, a score from 0 to 1 and the reason.

A sentence refers to an event by the event's names (title, short title, aliases: as a phrase,
or by their rarer words, rapidfuzz forgiving a hyphen or an inflection) and by the words of its
summary, each word weighed by how few events use it, and by the dates the sentence names
(timeline.text_dates): a matching day or month adds to the score, and a year named in the
sentence rules out the events of other years. Events after the essay was published are left
out unless the sentence names their day.
"""

import datetime
import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from . import dates
from .essay_reading import shown_text
from .essay_sentences import CLAUSE_BREAK, Sentence, sentences_of, surface_words, words_of
from .models import Event
from .text_dates import date_spans, named_years

MAX_QUOTE = 300
# Names at least this long are also found written nearly alike, at this rapidfuzz score.
FUZZY_NAME_LENGTH = 10
FUZZY_NAME_SCORE = 90
# What the proposals read of each event.
PROPOSER_FIELDS = [
    *("slug", "title", "short_title", "aliases", "summary", "main_theme"),
    *("start", "start_precision", "end", "end_precision", "span_end", "approximate"),
]
# The weights, chosen on the five essays (README, "Proposed citations"; bench/suggest_quality.py).
# A word of an event's names counts its rarity among the events; of its summary, this share.
SUMMARY_WEIGHT = 0.4
# A rare proper noun of its names ("Snowden", "Belarus") counts this many times.
PROPER_NOUN = 1.5
# What a date in the sentence adds when the event's dates agree with it.
DATE_WEIGHT = {"day": 5, "month": 3, "season": 2, "recent": 1.5, "upcoming": 2}
# A sentence that does not name the event needs words worth this much, one of them used by
# at most RARE_EVENTS events.
MIN_WORDS_WEIGHT = 4
RARE_EVENTS = 10
# An event older than the essay by more than RECENT_YEARS counts DECAY less per year more.
RECENT_YEARS = 2
DECAY = 0.05
# A proper noun the names of at least ERA_EVENTS events use, all within ERA_YEARS ("Biden",
# "Yeltsin"), makes events outside those years count ERA_FACTOR as much.
ERA_EVENTS = 3
ERA_YEARS = 8
ERA_FACTOR = 0.8
# Below this, a proposal is more often wrong than right (README, "Proposed citations").
THRESHOLD = 0.4


@dataclass
class Candidate:
    """An event as the proposals weigh it: its names and the stems of its words."""

    event: object
    names: list[tuple[str, tuple]]  # each name and its pattern
    name_stems: set
    title_stems: set
    capitalised: set
    summary_stems: set
    first: datetime.date
    last: datetime.date


def candidate_of(event) -> Candidate:
    names = [
        event.title,
        event.short_title,
        *filter(None, (line.strip() for line in event.aliases.splitlines())),
    ]
    names = [name for name in dict.fromkeys(names) if name]
    name_stems = set()
    for name in names:
        name_stems.update(words_of(name))
    summary_stems = set(words_of(event.summary)) - name_stems
    patterns = [(name, pattern) for name in names if (pattern := name_pattern(name))]
    title_stems = words_of(event.title) | words_of(event.short_title)
    # The stems the event's words only ever write with a capital: parts of proper names
    # ("European Phased Adaptive Approach", "Chemical Weapons Convention").
    written = {}
    for text in (*names, event.summary):
        for stem_, word in surface_words(text, every=True):
            written.setdefault(stem_, set()).add(word[:1].isupper())
    capitalised = {stem_ for stem_, cases in written.items() if cases == {True}}
    return Candidate(
        event,
        patterns,
        name_stems,
        title_stems,
        capitalised,
        summary_stems,
        event.start,
        event.span_end,
    )


@dataclass
class Proposal:
    """The best passage of the text for one event."""

    event: object
    quote: str
    score: float
    reason: str
    start: int = 0  # where the quote starts in the text as shown (shown_text)
    proposed = True  # told apart from a citation where both are marked in a text

    def as_json(self) -> dict:
        return {
            "event": self.event.slug,
            "quote": self.quote,
            "score": round(self.score, 3),
            "reason": self.reason,
        }


def dates_agree(span, first: datetime.date, last: datetime.date) -> bool:
    """Whether a date the sentence names is evidence for an event from ``first`` to ``last``:
    a day or a month names when an event began, or a short event's time; a long one (the
    Nunn-Lugar programme, 1992-2013) is not found by any day inside it."""
    if span.precision in ("day", "month", "season"):
        return span.holds(first) or (span.meets(first, last) and (last - first).days <= 366)
    return span.meets(first, last)


def outranked_removed(found: dict) -> list:
    """The events ``found`` in one sentence (id → (candidate, score, reason, stems, evidence)),
    less those outranked by another found by the same words and more: by a name where they
    have none, or by a date where they have none (New START extended "on February 3", not New
    START signed, in one sentence naming the treaty)."""
    kept = []
    for entry in found.values():
        _, score, _, stems, (named, dated) = entry
        outranked = any(
            other is not entry
            and other[1] > score
            and stems <= other[3]
            and (other[4][0] > named or other[4][1] > dated)
            for other in found.values()
        )
        if not outranked:
            kept.append(entry)
    return kept


@dataclass
class Unplaced:
    """A sentence naming a day or a month that no event matches: perhaps an event the
    timeline lacks. ``title`` is the clause naming the date, for an editor to rewrite."""

    quote: str
    start: int
    span: object  # text_dates.DateSpan
    title: str

    @property
    def date_display(self) -> str:
        precision = dates.DAY if self.span.precision == "day" else dates.MONTH
        return dates.format_partial_date(self.span.first, precision)


def unplaced_of(sentence: Sentence, span) -> Unplaced:
    quote, offset = quote_of(sentence, set())
    clauses = [clause.strip() for clause in CLAUSE_BREAK.split(sentence.text)]
    title = next((clause for clause in clauses if span.words in clause), clauses[0])
    title = title.rstrip(".")[:120]
    return Unplaced(quote, sentence.start + offset, span, title[:1].upper() + title[1:])


def name_pattern(name: str) -> tuple[re.Pattern, bool] | None:
    """A pattern finding ``name`` as whole words, and whether it must match the case: an
    acronym (START, NDN) is written in capitals; any other name may be in any case."""
    folded = " ".join(name.replace("’", "'").split())
    if len(folded) < 3:
        return None
    exact = folded.isupper() or (len(folded) <= 6 and re.search(r"[A-Z]{2,}", folded) is not None)
    # A hyphen may be written as a dash or a space ("Nunn–Lugar", "Six Party Talks").
    words = re.escape(folded if exact else folded.lower()).replace(r"\ ", r"\s+")
    words = words.replace(r"\-", r"[-–—\s]+")
    return re.compile(rf"(?<![\w-]){words}(?![\w-])"), exact


def name_in(pattern: tuple[re.Pattern, bool], sentence: Sentence) -> bool:
    compiled, exact = pattern
    return compiled.search(sentence.folded if exact else sentence.lowered) is not None


def quote_of(sentence: Sentence, stems: set) -> tuple[str, int]:
    """The shortest run of the sentence's clauses holding ``stems`` (all that fit), at most
    MAX_QUOTE characters, and where it starts in the sentence."""
    text = sentence.text
    if len(text) <= MAX_QUOTE:
        return text, 0
    cuts = [0, *(match.end() for match in CLAUSE_BREAK.finditer(text)), len(text)]
    best = None
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            piece = text[cuts[i] : cuts[j]].strip(" ,;:–—-")
            if len(piece) > MAX_QUOTE:
                break
            held = len(stems & set(words_of(piece)))
            key = (held, -len(piece))
            if best is None or key > best[0]:
                best = (key, piece)
    # Nothing of the event in any short run: the sentence's opening, to a word's end.
    piece = text[:MAX_QUOTE].rsplit(" ", 1)[0] if best is None or best[0][0] == 0 else best[1]
    return piece, text.index(piece)


class Proposer:
    """Weighs the sentences of texts against ``events`` (not synthetic ones)."""

    def __init__(self, events):
        self.candidates = [candidate_of(event) for event in events]
        documents = Counter()
        for candidate in self.candidates:
            documents.update(candidate.name_stems | candidate.summary_stems)
        count = len(self.candidates) + 1
        self.weight = {word: math.log(count / (seen + 0.5)) for word, seen in documents.items()}
        self.rare = math.log(count / (RARE_EVENTS + 0.5))
        self.unique = math.log(count / 3.5)  # used by three events at most
        # How many events share each name ("New START", "Alexei Navalny"): a shared name
        # says less about which of them is meant.
        self.sharing = Counter(name.lower() for c in self.candidates for name, _ in c.names)
        # The years of the events whose names use each word, for the words of one era
        # ("Biden", "Yeltsin"): a sentence using one is unlikely to mean an event outside it.
        years = {}
        for candidate in self.candidates:
            for word in candidate.name_stems:
                first, last = years.get(word, (candidate.first.year, candidate.last.year))
                years[word] = (min(first, candidate.first.year), max(last, candidate.last.year))
        self.era = {
            word: span
            for word, span in years.items()
            if documents[word] >= ERA_EVENTS and span[1] - span[0] <= ERA_YEARS
        }

    def propose(
        self, text: str, published: datetime.date, precision: str, skip=frozenset(), authors=()
    ):
        """One Proposal per event the text refers to, best first, leaving out the events whose
        ids are in ``skip`` and the sentences about the ``authors`` (their biographies). Also
        kept, as ``self.unplaced``: the sentences naming a day or a month that no event
        (skipped or not) matches with a score of at least THRESHOLD."""
        published_last = dates.last_day_covered(published, precision)
        best, self.unplaced = {}, []
        context_year, paragraph = None, -1
        surnames = [name.split()[-1] for name in authors if name.split()]
        about_author = re.compile(
            rf"\b(?:{'|'.join(map(re.escape, surnames))})\s+(?:is|was|has|works)\b"
        )
        for sentence in sentences_of(shown_text(text)):
            if sentence.paragraph != paragraph:
                paragraph, context_year = sentence.paragraph, None
            if surnames and about_author.search(sentence.text):
                continue
            spans = date_spans(sentence.text, published, published_last, context_year)
            years = named_years(sentence.text, published_last)
            found = {}
            for candidate in self.candidates:
                weighed = self.weigh(candidate, sentence, spans, years, published_last)
                if weighed is not None:
                    found[candidate.event.pk] = (candidate, *weighed)
            placed = any(score >= THRESHOLD for _, score, *_ in found.values())
            for candidate, score, reason, stems, _ in outranked_removed(found):
                event = candidate.event
                if event.pk in skip or score <= best.get(event.pk, (0,))[0]:
                    continue
                quote, offset = quote_of(sentence, stems)
                best[event.pk] = (score, reason, quote, sentence.start + offset, event)
            dated = [span for span in spans if span.precision in ("day", "month")]
            if dated and not placed and dated[0].last <= published_last:
                self.unplaced.append(unplaced_of(sentence, dated[0]))
            if years:
                context_year = max(years)
        proposals = [
            Proposal(event, quote, score, reason, start)
            for score, reason, quote, start, event in best.values()
        ]
        proposals.sort(key=lambda proposal: (-proposal.score, proposal.event.start))
        return proposals

    def name_nearly_in(self, name: str, sentence: Sentence) -> bool:
        """Whether a long name is written in the sentence but for a letter or two (a plural,
        a slip: "the Magnitsky Acts"): rapidfuzz's best partial alignment,
        tried only where the sentence has the name's rarest word."""
        if len(name) < FUZZY_NAME_LENGTH:
            return False
        stems = words_of(name)
        if not stems or max(stems, key=lambda word: self.weight.get(word, 0)) not in sentence.stems:
            return False
        folded = " ".join(name.lower().replace("’", "'").replace("-", " ").split())
        written = re.sub(r"[-–—]", " ", sentence.lowered)
        return fuzz.partial_ratio(folded, written) >= FUZZY_NAME_SCORE

    def proper(self, word: str, sentence: Sentence) -> bool:
        surface = sentence.surface[word]
        return (
            surface[:1].isupper()
            and self.weight[word] >= self.unique
            and (not sentence.text.startswith(surface))
        )

    def weigh(self, candidate, sentence, spans, years, published_last):
        """(score, reason, stems shown) for ``candidate`` in ``sentence``, or None."""
        first, last = candidate.first, candidate.last
        foretold = any(
            span.precision in ("day", "upcoming") and span.holds(first) for span in spans
        )
        if first > published_last and not foretold:
            return None
        dated = next((span for span in spans if dates_agree(span, first, last)), None)
        # A year the sentence names rules the event out, unless a day or a month it also
        # names is the event's ("In March, a report on the 2016 and 2020 elections").
        close_date = dated is not None and dated.precision in ("day", "month", "season")
        if years and not close_date and not any(first.year <= y <= last.year for y in years):
            return None
        names = [
            name
            for name, pattern in candidate.names
            if name_in(pattern, sentence) or self.name_nearly_in(name, sentence)
        ]
        # A proper name's word written in lower case is the common word ("approach").
        common = {
            word
            for word in candidate.capitalised & sentence.stems
            if not sentence.surface[word][:1].isupper()
        }
        name_hits = candidate.name_stems & sentence.stems - common
        summary_hits = (candidate.summary_stems | candidate.name_stems) & sentence.stems - name_hits
        distinctive = {w for w in name_hits | summary_hits - common if self.weight[w] >= self.rare}
        # A rare proper noun of the event's names ("Snowden", "Belarus") counts for more.
        raw = sum(
            self.weight[word] * (PROPER_NOUN if self.proper(word, sentence) else 1)
            for word in name_hits
        ) + SUMMARY_WEIGHT * sum(self.weight[word] for word in summary_hits)
        if dated:
            raw += DATE_WEIGHT.get(dated.precision, 1)
        reasons = []
        if names:
            longest = max(names, key=len)
            raw += (4 + min(len(longest), 30) / 10) / math.sqrt(self.sharing[longest.lower()])
            reasons.append(f"name ‘{longest}’")
        elif raw < MIN_WORDS_WEIGHT or len(distinctive) + close_date < 1:
            return None
        elif not name_hits and not close_date:
            # The summary's words alone, our own prose, too often share an essay's phrases.
            return None
        elif len(name_hits | summary_hits) + close_date < 2 and not any(
            self.proper(word, sentence) for word in name_hits & candidate.title_stems
        ):
            # One word alone is too little, unless it is a proper noun of the title: the
            # Snowden case, not the Center of an author's biography.
            return None
        else:
            shown = sorted(name_hits | summary_hits, key=lambda word: -self.weight[word])[:3]
            reasons.append("words " + ", ".join(f"‘{sentence.surface[word]}’" for word in shown))
        outside_era = [
            word
            for word in sentence.stems - candidate.name_stems - candidate.summary_stems
            if word in self.era
            and sentence.surface[word][:1].isupper()
            and not (self.era[word][0] <= first.year and last.year <= self.era[word][1])
        ]
        if outside_era:
            raw *= ERA_FACTOR
        if dated:
            reasons.append(dated.words)
        else:
            # Essays mostly discuss their own years: an older event needs more to be meant.
            gap = (published_last - last).days / 365.25
            raw *= 1 / (1 + max(0.0, gap - RECENT_YEARS) * DECAY)
        score = 1 - math.exp(-raw / 10)
        evidence = (bool(names), dated is not None)
        return score, " + ".join(reasons), name_hits | summary_hits, evidence


def proposals_for_text(text, published, precision, essay=None, everything=False):
    """The proposals for ``text`` scored at least THRESHOLD (``everything``: all of them),
    against the timeline's events (not the synthetic ones). For a stored ``essay``, leaving
    out the events it already cites and those an editor rejected for it."""
    return proposals_and_unplaced(text, published, precision, essay, everything)[0]


def proposals_for_essay(essay):
    """(proposals, unplaced) for a stored essay's text: see proposals_for_text and
    Proposer.propose."""
    return proposals_and_unplaced(essay.text, essay.published, essay.published_precision, essay)


def proposals_and_unplaced(text, published, precision, essay=None, everything=False):
    events = Event.objects.filter(synthetic=False).only(*PROPOSER_FIELDS)
    skip = set()
    if essay is not None:
        skip.update(essay.citations.values_list("event_id", flat=True))
        skip.update(essay.rejections.values_list("event_id", flat=True))
    proposer = Proposer(events)
    authors = essay.author_list if essay is not None else ()
    proposals = proposer.propose(text, published, precision, skip=skip, authors=authors)
    if not everything:
        proposals = [proposal for proposal in proposals if proposal.score >= THRESHOLD]
    return proposals, proposer.unplaced
