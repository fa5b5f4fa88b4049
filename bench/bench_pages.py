"""What the benchmark measures, worked out in-process against the bench database.

    DJANGO_SETTINGS_MODULE=bench.settings python bench/bench_pages.py paths
    DJANGO_SETTINGS_MODULE=bench.settings python bench/bench_pages.py explain
    DJANGO_SETTINGS_MODULE=bench.settings python bench/bench_pages.py \
        writer http://127.0.0.1:8765 30

`paths`: the page URLs as JSON (the declaration with 200 signatures, the
busiest signatory, an article). `explain`: each page rendered once with the
page cache off; its query count, and EXPLAIN of every query on PostgreSQL,
flagging sequential scans of the large tables. `writer`: saves an article
every second through the ORM, as an editor would, and checks that the very
next request shows it.
"""

import json
import os
import re
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article  # noqa: E402
from core.models import Status  # noqa: E402
from summits.models import Commitment, Declaration, Signatory  # noqa: E402

# Tables big enough that a sequential scan on a page would be a bug.
LARGE_TABLES = ("articles_article", "summits_signature", "articles_article_")
SEARCH_TERM = "frontier safety"


def paths():
    declaration = (
        Declaration.objects.public()
        .annotate(n=Count("signatures"))
        .order_by("-n", "slug")
        .first()
    )
    signatory = (
        Signatory.objects.annotate(n=Count("signatures")).order_by("-n", "slug").first()
    )
    article = Article.objects.public().order_by("-published_at").first()
    return {
        "home": "/",
        "declaration (200 signatures)": declaration.get_absolute_url(),
        "matrix (default view)": "/declarations/compare/",
        "scorecard (10 commitments)": scorecard_url(),
        "signatory record": signatory.get_absolute_url(),
        "article list": "/articles/",
        "article detail": article.get_absolute_url(),
        "RSS feed": "/articles/feed/",
        "search": "/search/?q=" + SEARCH_TERM.replace(" ", "+"),
    }


def scorecard_url():
    """The compare matrix's commitments view of the declaration whose
    commitments bench/generate.py assessed: the scorecard as a page of its
    own. (The declaration's page, the row above, shows it too; measuring
    that address twice only measured the machine's noise twice.)"""
    commitment = Commitment.objects.select_related("declaration").first()
    if commitment is None:
        return "/declarations/"
    slug = commitment.declaration.slug
    return f"/declarations/compare/?view=commitments&kind=all&d={slug}"


def explain():
    settings.PAGE_CACHE_ENABLED = False
    client = Client(HTTP_HOST="127.0.0.1")
    pages = {
        **paths(),
        "matrix (everything)": "/declarations/compare/?d=all&kind=all",
        "signatories CSV": paths()["declaration (200 signatures)"] + "signatories.csv",
    }
    report = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        seq_scans = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in re.findall(r"Seq Scan on (\w+)", plan):
                if table.startswith(LARGE_TABLES):
                    seq_scans.append({"table": table, "sql": sql[:300]})
        report[name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "ms_in_process": round(elapsed * 1000, 1),
            "bytes": len(response.content),
            "seq_scans_on_large_tables": seq_scans,
        }
    return report


def writer(base_url, seconds):
    """Edit the newest article once a second; is the edit on the next request?"""
    article = Article.objects.public().order_by("-published_at").first()
    edits = visible = 0
    worst_ms = 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tick = time.monotonic()
        edits += 1
        article.title = f"Live edit {edits} at {time.time():.3f}"
        article.status = Status.PUBLISHED
        article.published_at = timezone.now()
        article.save()
        started = time.monotonic()
        with urllib.request.urlopen(base_url + "/articles/", timeout=10) as page:
            body = page.read().decode()
        worst_ms = max(worst_ms, (time.monotonic() - started) * 1000)
        visible += article.title in body
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    return {"edits": edits, "visible_on_next_request": visible, "worst_ms": worst_ms}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "paths":
        print(json.dumps(paths()))
    elif command == "explain":
        print(json.dumps(explain()))
    elif command == "writer":
        print(json.dumps(writer(sys.argv[2], float(sys.argv[3]))))
    else:
        sys.exit(__doc__)
