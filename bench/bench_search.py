#!/usr/bin/env python
"""Site search latency at 10,000 articles of prose, at 1 and 16 connections.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sw_search_bench \\
        .venv/bin/python bench/bench_search.py
    DATABASE_URL=sqlite:////tmp/sw_search_bench.sqlite3 \\
        .venv/bin/python bench/bench_search.py

Migrates the database DATABASE_URL names (created beforehand on PostgreSQL),
generates the data set there once (bench/generate.py, then ANALYZE), and asks
`QUERIES` through the Django test client, in-process with production settings:
first with one connection, then with 16 threads each holding its own
connection, `BENCH_REQUESTS` requests per level (default 400). Prints p50, p95
and p99 per level and the slowest queries; with `--explain`, the plan of each
SQL statement of the slowest query. Figures, not verdicts: the target (issue
17: p95 ≤ 30 ms) is for the reader to compare. Threads share one interpreter,
so at 16 connections the figures include waiting for the GIL, much as a
request waits for a worker under gunicorn on a small machine.
"""

import os
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
# No collectstatic here: plain static names, as with DEBUG (pages need no manifest).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from generate import ensure_generated  # noqa: E402

# Common words (thousands of matches), names, rare words, misspellings, a kind
# filter and a later page: what visitors type, from cheap to dear.
QUERIES = (
    "safety",
    "ai safety",
    "frontier ai safety",
    "summit",
    "declaration",
    "seoul",
    "bletchley declaration",
    "UK",
    "international network of ai safety institutes",
    "compute thresholds",
    "commitments companies",
    "paris action summit",
    "treaty council of europe",
    "kalo",
    "renvas",
    "saftey",
    "xyzzy plugh",
    "safety xyzzy",
    "safety&kind=article",
    "ai&page=3",
)
CONNECTIONS = (1, 16)
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))


def url(query):
    words, _, rest = query.partition("&")
    return "/search/?q=" + urllib.parse.quote_plus(words) + ("&" + rest if rest else "")


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


def measure(connections_count, requests=REQUESTS):
    """(url, seconds) of `requests` requests over `connections_count` threads."""
    urls = [url(q) for q in QUERIES]
    timings, errors, lock = [], [], threading.Lock()
    per_thread = max(1, requests // connections_count)

    def worker(offset):
        client = Client()
        mine = []
        for i in range(per_thread):
            path = urls[(offset + i) % len(urls)]
            started = time.perf_counter()
            response = client.get(path, secure=True)  # production redirects http
            mine.append((path, time.perf_counter() - started))
            if response.status_code != 200:
                errors.append(f"{path}: HTTP {response.status_code}")
        with lock:
            timings.extend(mine)
        connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(n * 7,)) for n in range(connections_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit(f"bench: {len(errors)} failed requests, e.g. {errors[0]}")
    return timings


def report(level, timings):
    ms = [seconds * 1000 for _, seconds in timings]
    print(
        f"{level:>3} connection(s): {len(ms)} requests, "
        f"p50 {percentile(ms, 0.5):6.1f} ms, p95 {percentile(ms, 0.95):6.1f} ms, "
        f"p99 {percentile(ms, 0.99):6.1f} ms"
    )


def slowest(timings, n=5):
    by_url = {}
    for path, seconds in timings:
        by_url.setdefault(path, []).append(seconds * 1000)
    ranked = sorted(by_url.items(), key=lambda item: -statistics.median(item[1]))
    return [(path, statistics.median(ms)) for path, ms in ranked[:n]]


def explain(path):
    with CaptureQueriesContext(connection) as captured:
        Client().get(path, secure=True)
    postgresql = connection.vendor == "postgresql"
    prefix = "EXPLAIN ANALYZE" if postgresql else "EXPLAIN QUERY PLAN"
    print(f"\n{path}: {len(captured)} queries")
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            print(f"\n-- {query['time']} s\n{query['sql'][:400]}")
            cursor.execute(f"{prefix} {query['sql']}")
            for row in cursor.fetchall():
                print("   ", " | ".join(str(col) for col in row))


def main():
    call_command("migrate", interactive=False, verbosity=0)
    print("data:", ensure_generated(), file=sys.stderr)
    print(f"database: {connection.vendor}; load: {os.getloadavg()}")
    for path in map(url, QUERIES):  # warm: the catalogue of names, the caches
        Client().get(path, secure=True)
    all_timings = []
    for level in CONNECTIONS:
        timings = measure(level)
        report(level, timings)
        all_timings += timings
    print("slowest (median ms):")
    for path, ms in slowest(all_timings):
        print(f"  {ms:6.1f}  {path}")
    if "--explain" in sys.argv:
        explain(slowest(all_timings, 1)[0][0])


if __name__ == "__main__":
    main()
