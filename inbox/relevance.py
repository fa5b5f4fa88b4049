"""How relevant a story is to what the site records, and which records it names.

A story scores by naming our own public records and the topic, never by the
word "summit" alone (a migration summit is not ours):

- a declaration's title: 6 (and the story is linked to it and its summit);
- a summit's name: 6; its city: 2 (linked to the summit);
- a topic phrase (AI safety, frontier AI, artificial intelligence…): 3 each;
- a series' name: 4;
- a signatory's name or other name ("UK", "Türkei"): 1 each, at most 3 in
  all (countries are in every story; they support relevance, they do not
  make it). Short capitalised other names ("US", "UK") match only in
  capitals, so "us" in a sentence is not the United States.

A story needs `THRESHOLD` points to enter the inbox. Matching ignores case
and accents and respects word boundaries ("Paris" is not in "Parisian").
"""

import re
from dataclasses import dataclass, field

from core.names import fold
from summits.models import Declaration, Series, Signatory, SignatoryAlias, Summit

THRESHOLD = 5
DECLARATION_POINTS = 6
SUMMIT_POINTS = 6
CITY_POINTS = 2
SERIES_POINTS = 4
TOPIC_POINTS = 3
SIGNATORY_POINTS, SIGNATORY_CAP = 1, 3

TOPIC_PHRASES = [
    "AI safety",
    "safe AI",
    "artificial intelligence",
    "frontier AI",
    "AI models",
    "AI model",
    "AI governance",
    "AI regulation",
    "AI Safety Institute",
    "AI Action Summit",
    "AI summit",
    "general-purpose AI",
    "superintelligence",
]


def phrase_pattern(phrase):
    words = [re.escape(word) for word in fold(phrase).split()]
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def without_article(title):
    return re.sub(r"^(the|a|an)\s+", "", title.strip(), flags=re.IGNORECASE)


@dataclass
class Relevance:
    score: int = 0
    reasons: list = field(default_factory=list)
    summits: set = field(default_factory=set)
    declarations: set = field(default_factory=set)

    @property
    def is_relevant(self):
        return self.score >= THRESHOLD

    def describe(self):
        return ", ".join(self.reasons) if self.reasons else "nothing of ours"


class Matcher:
    """The site's records as patterns, built once per import (a few queries)."""

    def __init__(self):
        self.declarations = [
            (phrase_pattern(without_article(d.title)), d)
            for d in Declaration.objects.public().select_related("summit")
        ]
        self.summits = []
        self.cities = []
        for summit in Summit.objects.public():
            self.summits.append((phrase_pattern(summit.name), summit))
            if summit.city:
                self.cities.append((phrase_pattern(summit.city), summit))
        self.series = [
            (phrase_pattern(name), name)
            for name in Series.objects.public().values_list("name", flat=True)
        ]
        public = Signatory.objects.public()
        self.signatories = [
            (phrase_pattern(name), name)
            for name in public.values_list("name", flat=True)
        ]
        # Other names count for their signatory: "UK" is the United Kingdom.
        self.acronyms = []
        for alias, name in SignatoryAlias.objects.filter(
            signatory__in=public
        ).values_list("name", "signatory__name"):
            if alias.isupper() and len(alias) <= 4:
                self.acronyms.append(
                    (re.compile(r"(?<!\w)" + re.escape(alias) + r"(?!\w)"), name)
                )
            else:
                self.signatories.append((phrase_pattern(alias), name))
        self.topics = [(phrase_pattern(phrase), phrase) for phrase in TOPIC_PHRASES]

    def score(self, *texts):
        raw = " ".join(t for t in texts if t)
        text = fold(raw)
        result = Relevance()
        for pattern, declaration in self.declarations:
            if pattern and pattern.search(text):
                result.score += DECLARATION_POINTS
                result.reasons.append(f"declaration “{declaration.title}”")
                result.declarations.add(declaration)
                if declaration.summit is not None and declaration.summit.is_public():
                    result.summits.add(declaration.summit)
        for pattern, summit in self.summits:
            if pattern and pattern.search(text):
                result.score += SUMMIT_POINTS
                result.reasons.append(f"summit “{summit.name}”")
                result.summits.add(summit)
        for pattern, summit in self.cities:
            if pattern and pattern.search(text):
                result.score += CITY_POINTS
                result.reasons.append(f"city {summit.city} ({summit.name})")
                result.summits.add(summit)
        seen_topics = set()
        for pattern, phrase in self.topics:
            if pattern and pattern.search(text) and fold(phrase) not in seen_topics:
                seen_topics.add(fold(phrase))
                result.score += TOPIC_POINTS
                result.reasons.append(f"topic “{phrase}”")
        for pattern, name in self.series:
            if pattern and pattern.search(text):
                result.score += SERIES_POINTS
                result.reasons.append(f"series “{name}”")
        names = [
            name
            for pattern, name in self.signatories
            if pattern and pattern.search(text)
        ]
        names += [name for pattern, name in self.acronyms if pattern.search(raw)]
        names = list(dict.fromkeys(names))  # a signatory named twice counts once
        if names:
            result.score += min(len(names) * SIGNATORY_POINTS, SIGNATORY_CAP)
            result.reasons.append("signatories " + ", ".join(names))
        return result
