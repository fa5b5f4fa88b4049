"""Generate the benchmark data set, fast, with `bulk_create`.

    DJANGO_SETTINGS_MODULE=bench.settings python bench/generate.py

10 summits, 50 declarations, 500 signatories, 200 signatures per declaration
and 10,000 articles (a few drafts and scheduled ones among them), into the
database DATABASE_URL names (bench/run.py points it at `summitwatch_bench`).
Markdown is rendered once per distinct text, search vectors are computed by
one UPDATE per table, and the page cache's content version is bumped at the
end, since `bulk_create` sends no signals. Seeded: every run builds the same
data.
"""

import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article  # noqa: E402
from core.cache import bump_content_version  # noqa: E402
from core.markdown import render_markdown  # noqa: E402
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
WORDS = (
    "frontier safety compute evaluation oversight treaty moratorium audit "
    "transparency alignment risk governance summit declaration commitments "
    "testing incident reporting open weights biosecurity cyber elections "
    "watermark liability standards institute capability threshold pause"
).split()
BODIES = [
    "## What was agreed\n\nThe parties **agreed** to {w1} and {w2}.\n\n"
    "- {w3} before deployment\n- independent {w4}\n\n"
    "> Nothing here is binding until ratified.\n\n"
    "Read the [full text](https://example.org/{w1}).",
    "The {w1} debate moved on: *{w2}* is now the sticking point, with "
    "{w3} and {w4} close behind.\n\n" + "Background paragraph. " * 40,
    "Short note on {w1}.",
]


def sentence(rng, n=6):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


STARTED = time.monotonic()


def log(step):
    print(f"  {time.monotonic() - STARTED:5.1f}s {step}", file=sys.stderr)


def generate(sizes=SIZES, seed=20250210):
    rng = random.Random(seed)
    now = timezone.now()

    # A pool of rendered texts: markdown costs ~1 ms a page, too slow 10,000 times.
    pool = []
    for i in range(60):
        words = {f"w{n}": rng.choice(WORDS) for n in range(1, 5)}
        text = BODIES[i % len(BODIES)].format(**words)
        pool.append((text, render_markdown(text)))

    def markdown():
        return pool[rng.randrange(len(pool))]

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
                    summary=sentence(rng, 20),
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
                description=sentence(rng, 12),
            )
            for i in range(sizes["signatories"])
        )

        declarations = []
        for i in range(sizes["declarations"]):
            text, text_html = markdown()
            declarations.append(
                Declaration(
                    title=f"Declaration {i + 1} on {rng.choice(WORDS)}",
                    slug=f"declaration-{i + 1}",
                    summit=summits[i % len(summits)],
                    adopted_on=datetime.date(2023, 11, 2)
                    + datetime.timedelta(days=20 * i),
                    summary=sentence(rng, 25),
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
                title=sentence(rng, 4),
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
                    title=f"{sentence(rng, 5)} ({i})",
                    slug=f"article-{i}",
                    kind=Article.Kind.PRESS if press else Article.Kind.POST,
                    lede=sentence(rng, 18),
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
    return Article.objects.count() == sizes["articles"] and (
        Signature.objects.count()
        == sizes["declarations"] * sizes["signatures_per_declaration"]
    )


def analyse():
    """Give PostgreSQL's planner statistics, as autovacuum would on a live site.

    Right after a bulk insert (or a benchmark's writer run) it has none, and
    picks plans no running site would use: sorts of every article instead of
    an index walk.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    started = time.monotonic()
    if is_generated():
        counts = {"reused": True}
    else:
        counts = generate()
    analyse()
    counts["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(counts))
