"""Generate the benchmark data set, fast, with `bulk_create`.

    DJANGO_SETTINGS_MODULE=bench.settings python bench/generate.py

10 summits, 50 declarations, 500 signatories, 200 signatures per declaration
and 10,000 articles (a few drafts and scheduled ones among them), into the
database DATABASE_URL names (bench/run.py points it at `summitwatch_bench`).
Text is realistic prose (`Prose`): sentences of the demo content with words
of a Zipf-distributed vocabulary mixed in, so a search matches some articles,
not all of them. Search vectors are computed by one UPDATE per table, and
the page cache's content version is bumped at the end, since `bulk_create`
sends no signals. Seeded: every run builds the same data.
"""

import datetime
import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import escape  # noqa: E402

from articles.models import Article  # noqa: E402
from core.cache import bump_content_version  # noqa: E402
from core.models import Status  # noqa: E402
from home.search import rebuild_search_index  # noqa: E402
from summits.models import (  # noqa: E402
    Assessment,
    Commitment,
    Declaration,
    Result,
    Signatory,
    Signature,
    Summit,
)

SIZES = {
    "summits": 10,
    "declarations": 50,
    "signatories": 500,
    "signatures_per_declaration": 200,
    "articles": 10_000,
}
DEMO_CONTENT = Path(__file__).resolve().parent.parent / "exchange/demo/content.json"
# Texts of the demo content that are prose (not slugs, dates or addresses).
PROSE_FIELDS = ("summary", "body", "text", "lede", "description", "title", "name")
# Made-up words drawn with a Zipf distribution: a long tail, as real prose has,
# so a rare word matches a handful of articles and a common one thousands.
TAIL_SIZE = 5000
SYLLABLES = "ka lo mi ren tor vas pel dun sib art eno ful gri hab jux que".split()


def _demo_sentences():
    """The sentences of the demo content's prose, markdown marks stripped."""
    content = json.loads(DEMO_CONTENT.read_text())
    texts = []
    for rows in content.values():
        if not isinstance(rows, list):
            continue
        for row in rows:
            texts += [row[f] for f in PROSE_FIELDS if isinstance(row.get(f), str)]
    sentences = []
    for text in texts:
        text = re.sub(r"\]\([^)]*\)|[*_#>`\[\]]", " ", text)
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if len(sentence.split()) >= 4:
                sentences.append(sentence)
    return sentences


class Prose:
    """Sentences from the demo content, each with a few words of a Zipf tail.

    Real queries then behave as on a real site: "safety" matches many articles,
    "seoul" some, a tail word a few, and no query matches every article.
    """

    def __init__(self, rng):
        self.rng = rng
        self.sentences = _demo_sentences()
        self.tail = [
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
            for _ in range(TAIL_SIZE)
        ]
        # Zipf weights (s = 1) over the tail, as cumulative weights for choices().
        self.cumulative = list(
            itertools.accumulate(1 / rank for rank in range(1, TAIL_SIZE + 1))
        )

    def tail_words(self, n):
        return self.rng.choices(self.tail, cum_weights=self.cumulative, k=n)

    def sentence(self):
        words = self.rng.choice(self.sentences).split()
        for word in self.tail_words(self.rng.randint(1, 3)):
            words.insert(self.rng.randrange(len(words) + 1), word)
        return " ".join(words)

    def words(self, n):
        """About `n` words of prose, as a title or a name."""
        words = self.sentence().rstrip(".").split()
        start = self.rng.randrange(max(1, len(words) - n))
        return " ".join(words[start : start + n]).capitalize()

    def paragraph(self, sentences):
        return " ".join(self.sentence() for _ in range(sentences))

    def body(self):
        """Markdown of 1 to 6 paragraphs, and its HTML (plain paragraphs, so
        there is no markdown to render 10,000 times)."""
        paragraphs = [
            self.paragraph(self.rng.randint(2, 6))
            for _ in range(self.rng.randint(1, 6))
        ]
        html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return "\n\n".join(paragraphs), html


STARTED = time.monotonic()


def log(step):
    print(f"  {time.monotonic() - STARTED:5.1f}s {step}", file=sys.stderr)


def generate(sizes=SIZES, seed=20250210):
    rng = random.Random(seed)
    now = timezone.now()

    prose = Prose(rng)
    markdown = prose.body

    with transaction.atomic():
        summits = []
        for i in range(sizes["summits"]):
            body, body_html = markdown()
            start = datetime.date(2023, 11, 1) + datetime.timedelta(days=120 * i)
            summits.append(
                Summit(
                    name=f"AI Summit {i + 1}",
                    slug=f"ai-summit-{i + 1}",
                    starts_on=start,
                    ends_on=start + datetime.timedelta(days=1),
                    city=rng.choice(["Bletchley", "Seoul", "Paris", "Delhi"]),
                    summary=prose.paragraph(2),
                    body=body,
                    body_html=body_html,
                    status=Status.PUBLISHED,
                    published_at=now - datetime.timedelta(days=400 - 10 * i),
                )
            )
        summits = Summit.objects.bulk_create(summits)

        signatories = Signatory.objects.bulk_create(
            Signatory(
                name=f"Signatory {i:03d}",
                slug=f"signatory-{i:03d}",
                kind=(
                    Signatory.Kind.COUNTRY
                    if i % 5
                    else rng.choice(
                        [Signatory.Kind.ORGANISATION, Signatory.Kind.COMPANY]
                    )
                ),
                description=prose.paragraph(1),
            )
            for i in range(sizes["signatories"])
        )

        declarations = []
        for i in range(sizes["declarations"]):
            text, text_html = markdown()
            declarations.append(
                Declaration(
                    title=f"Declaration {i + 1} on {prose.words(3)}",
                    slug=f"declaration-{i + 1}",
                    summit=summits[i % len(summits)],
                    adopted_on=datetime.date(2023, 11, 2)
                    + datetime.timedelta(days=20 * i),
                    summary=prose.paragraph(2),
                    text=text,
                    text_html=text_html,
                    source_url="https://example.org/declaration",
                    status=Status.PUBLISHED,
                    published_at=now - datetime.timedelta(days=300 - 5 * i),
                )
            )
        declarations = Declaration.objects.bulk_create(declarations)

        statuses = [Signature.Status.SIGNED] * 17 + [
            Signature.Status.DECLINED,
            Signature.Status.DECLINED,
            Signature.Status.WITHDRAWN,
        ]
        signatures = []
        for declaration in declarations:
            for signatory in rng.sample(
                signatories, sizes["signatures_per_declaration"]
            ):
                signatures.append(
                    Signature(
                        declaration=declaration,
                        signatory=signatory,
                        status=rng.choice(statuses),
                        source_url="https://example.org/source",
                    )
                )
        Signature.objects.bulk_create(signatures, batch_size=2000)

        # The scorecard: ten commitments of the first declaration, each
        # assessed for every signatory that signed it (bench_pages reads it).
        scored = declarations[0]
        commitments = Commitment.objects.bulk_create(
            Commitment(
                declaration=scored,
                sequence=n,
                slug=f"commitment-{n}",
                title=prose.words(4),
                text_html="<p>A promise.</p>",
            )
            for n in range(10)
        )
        signed = [
            s.signatory_id
            for s in signatures
            if s.declaration is scored and s.status == Signature.Status.SIGNED
        ]
        Assessment.objects.bulk_create(
            (
                Assessment(
                    commitment=commitment,
                    signatory_id=signatory_id,
                    result=rng.choice(Result.values),
                    assessed_on=now.date(),
                    status=Status.PUBLISHED,
                    published_at=now - datetime.timedelta(days=1),
                )
                for commitment in commitments
                for signatory_id in signed
            ),
            batch_size=2000,
        )

        articles = []
        for i in range(sizes["articles"]):
            body, body_html = markdown()
            if i % 500 == 1:
                status, published_at = Status.DRAFT, None
            elif i % 500 == 2:  # Scheduled, far enough out not to go live mid-run.
                status, published_at = (
                    Status.PUBLISHED,
                    now + datetime.timedelta(days=30 + i),
                )
            else:
                status = Status.PUBLISHED
                published_at = now - datetime.timedelta(minutes=90 * i + 5)
            press = i % 4 == 0
            articles.append(
                Article(
                    title=f"{prose.words(7)} ({i})",
                    slug=f"article-{i}",
                    kind=Article.Kind.PRESS if press else Article.Kind.POST,
                    lede=prose.paragraph(1),
                    body=body,
                    body_html=body_html,
                    author_name="Summit Watch",
                    outlet="The Example Times" if press else "",
                    original_url="https://example.org/press" if press else "",
                    original_published_on=(
                        published_at.date() if press and published_at else None
                    ),
                    status=status,
                    published_at=published_at,
                )
            )
        articles = Article.objects.bulk_create(articles, batch_size=2000)
        through = Article.declarations.through
        through.objects.bulk_create(
            through(article_id=article.pk, declaration_id=declaration.pk)
            for article in articles[::10]
            for declaration in rng.sample(declarations, 2)
        )

        log("rows inserted")
        # bulk_create skips save(): index every row for site search.
        rebuild_search_index()
        log("search index")

    # No signals fired: tell the page cache by hand.
    bump_content_version()
    return {
        "summits": Summit.objects.count(),
        "declarations": Declaration.objects.count(),
        "signatories": Signatory.objects.count(),
        "signatures": Signature.objects.count(),
        "articles": Article.objects.count(),
    }


def is_generated(sizes=SIZES):
    return (
        Article.objects.count() == sizes["articles"]
        and Signature.objects.count()
        == sizes["declarations"] * sizes["signatures_per_declaration"]
        # The earlier generator's 30-word filler: regenerate with prose.
        and not Article.objects.filter(body__contains="Background paragraph.").exists()
    )


def analyse():
    """Vacuum and analyse, as autovacuum would on a live site.

    Right after a bulk insert (or a benchmark's writer run) the planner has
    no statistics and picks plans no running site would use: sorts of every
    article instead of an index walk. And on PostgreSQL the full-text (GIN)
    indexes keep new entries in a pending list that every search reads
    through until a vacuum merges it: 450 pages of it after generating the
    articles, which made a new search's p95 a third slower. Some machines
    run PostgreSQL with autovacuum off (this benchmark's did), so it is
    done here, on PostgreSQL with VACUUM (outside any transaction).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )


def clear():
    """Delete an earlier data set that does not match (other sizes or text)."""
    with transaction.atomic():
        for model in (Article, Signature, Declaration, Signatory, Summit):
            model._default_manager.all().delete()


def ensure_generated():
    """Generate the data set unless it is there; then ANALYZE. Returns counts."""
    started = time.monotonic()
    if is_generated():
        counts = {"reused": True}
    else:
        clear()
        counts = generate()
    analyse()
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


if __name__ == "__main__":
    print(json.dumps(ensure_generated()))
