#!/usr/bin/env python
"""Site search at 10,000 articles of prose, through gunicorn, at 1 and 16 connections.

    .venv/bin/python bench/bench_search.py            # PostgreSQL: BENCH_DATABASE
    BENCH_SQLITE=/tmp/sw_search.sqlite3 .venv/bin/python bench/bench_search.py
    .venv/bin/python bench/bench_search.py measure http://127.0.0.1:8000
    .venv/bin/python bench/bench_search.py explain "frontier safety"
    .venv/bin/python bench/bench_search.py profile "frontier safety"
    .venv/bin/python bench/bench_search.py phases

The first form does what `make bench` does for search alone: migrates the
database, generates the data set once (bench/generate.py), serves
bench.settings (production settings, DEBUG off) with gunicorn.conf.py, and
measures with wrk, each for BENCH_SECONDS (default 5) at 1 and at 16
connections:

- floor: the bare 20 KB view, the same run's yardstick;
- repeated: `QUERIES`, what visitors type again and again (names, common and
  rare words, a misspelling, a kind filter, a later page), in turn: with the
  result cache on (page cache on, Redis), every request after the first of
  each query is served from it;
- new: every request a query nobody asked before (`new_queries`: realistic
  words of the data, pairs and triples, tail words, typos, kinds and pages),
  so each one runs the whole search: the cache-miss path;
- uncached: `QUERIES` again on a second server with the page cache (and so the
  result cache) off: what every query costs right after an edit.

Prints p50/p95/p99 per run and the ratio of its req/s to the floor's, and
writes bench/results/search.json. `measure BASE` runs the first three against
a server that is already up and prints them as JSON (bench/run.py does this).
`explain` prints each SQL statement of one search with EXPLAIN ANALYZE (or
SQLite's plan), `profile` the functions that take the time (cProfile), both
in-process with the caches off. Figures, not verdicts: the target (issue 17:
p95 ≤ 30 ms) is for the reader to compare; the machine's other load counts.
"""

import cProfile
import json
import os
import pstats
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import run  # noqa: E402  (bench/run.py: gunicorn, wrk, the bench database)

# What visitors type again and again: common words (thousands of matches),
# names, rare words, misspellings, a kind filter and a later page.
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
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# New queries per connection level: more than a run can ask, so none repeats.
NEW_QUERIES_PER_RUN = 8000
# New queries `phases` times in-process, one by one.
PHASE_QUERIES = 150
SQLITE = os.environ.get("BENCH_SQLITE", "")
STOP_WORDS = frozenset(
    "a about an and are as at be been by did do does for from had has have how "
    "in into is it its me of on or our that the their there these this those "
    "to us was we were what when where which who why will with".split()
)


def url(query):
    words, _, rest = query.partition("&")
    return "/search/?q=" + urllib.parse.quote_plus(words) + ("&" + rest if rest else "")


# -- new queries ---------------------------------------------------------------


def _vocabulary():
    """(words, weights): the words of the demo content's prose by frequency
    (bench/generate.py builds every text from its sentences)."""
    content = json.loads(
        (BENCH.parent / "exchange/demo/content.json").read_text(encoding="utf-8")
    )
    prose_fields = ("summary", "body", "text", "lede", "description", "title", "name")
    counts = {}
    for rows in content.values():
        for row in rows if isinstance(rows, list) else ():
            for field in prose_fields:
                text = row.get(field)
                for word in re.findall(r"[a-z]+", str(text or "").lower()):
                    if len(word) > 1 and word not in STOP_WORDS:
                        counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    return words, [counts[w] for w in words]


def _tail(rng):
    # The same made-up words bench/generate.py mixes in (its SYLLABLES).
    syllables = "ka lo mi ren tor vas pel dun sib art eno ful gri hab jux que".split()
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))


def _typo(rng, word):
    if len(word) < 5:
        return word + rng.choice("aeiou")
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def new_queries(n, seed=17):
    """`n` distinct, realistic queries (as `QUERIES` lines), seeded.

    Words are drawn by their frequency in the prose, so common words are as
    common in queries as in the texts; no two queries have the same words in
    any order, so no two can share a cached result.
    """
    rng = random.Random(seed)
    words, weights = _vocabulary()

    def common(k):
        return rng.choices(words, weights=weights, k=k)

    makers = (
        (30, lambda: common(2)),
        (15, lambda: common(3)),
        (10, lambda: common(1)),
        (15, lambda: [*common(1), _tail(rng)]),
        (10, lambda: [_tail(rng)]),
        (10, lambda: [_typo(rng, w) for w in common(rng.randint(1, 2))]),
        (5, lambda: [*common(2), "&kind=article"]),
        (5, lambda: [*common(1), "&page=2"]),
    )
    seen, out = set(), []
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > n * 50:
            sys.exit(f"bench: only {len(out)} distinct queries could be made")
        (_, make) = rng.choices(makers, weights=[w for w, _ in makers])[0]
        parts = make()
        rest = [p for p in parts if p.startswith("&")]
        query_words = [p for p in parts if not p.startswith("&")]
        key = (frozenset(query_words), tuple(rest))
        if len(set(query_words)) != len(query_words) or key in seen:
            continue
        seen.add(key)
        out.append(" ".join(query_words) + "".join(rest))
    return out


# -- measuring -----------------------------------------------------------------


def _summary(result, cpu=None):
    keys = ("requests", "rps", "p50_ms", "p95_ms", "p99_ms")
    out = {key: result[key] for key in keys}
    out["errors"] = result["non_2xx_3xx"] + result["socket_errors"]
    if cpu is not None and result["requests"]:
        # CPU time per request, gunicorn's and PostgreSQL's: unlike latency,
        # it does not depend on what else the machine runs.
        app, database = cpu
        out["app_cpu_ms"] = round(app / result["requests"], 2)
        out["db_cpu_ms"] = round(database / result["requests"], 2)
    return out


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_ms(pid, reaped=False):
    """CPU time of process `pid` in ms (and of its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14-17 of proc(5): utime, stime, cutime, cstime.
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks * _TICK_MS


class CpuMeter:
    """CPU used by a gunicorn server (master, workers, and workers it has
    replaced) and by the PostgreSQL backends serving its database."""

    def __init__(self, server_pid, database=None):
        self.server_pid = server_pid
        self.database = database

    def _workers(self):
        path = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
        try:
            return path.read_text().split()
        except OSError:
            return []

    def _backends(self):
        if not self.database:
            return {}
        import psycopg

        with psycopg.connect(f"{run.PG_SERVER}/postgres", autocommit=True) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                [self.database],
            ).fetchall()
        return {pid: _cpu_ms(pid) for (pid,) in pids}

    def sample(self):
        app = _cpu_ms(self.server_pid, reaped=True) + sum(
            _cpu_ms(pid) for pid in self._workers()
        )
        return app, self._backends()

    @staticmethod
    def used(before, after):
        """(app ms, database ms) between two samples. A backend that ended
        in between is lost: workers keep theirs (CONN_MAX_AGE)."""
        app = after[0] - before[0]
        database = sum(ms - before[1].get(pid, 0.0) for pid, ms in after[1].items())
        return app, database


def _wrk(meter, *args, **kwargs):
    before = meter.sample() if meter else None
    result = run.wrk(*args, **kwargs)
    cpu = CpuMeter.used(before, meter.sample()) if meter else None
    return _summary(result, cpu)


def measure(base, seconds=SECONDS, new=True, meter=None):
    """{run: {connections: figures}} for the floor, the repeated queries and
    (with `new`) new queries, against the server at `base`; with `meter` (a
    `CpuMeter`), CPU time per request too."""
    repeated = [url(q) for q in QUERIES]
    for path in ["/bench/floor/", *repeated]:  # fill the result cache, warm workers
        urllib.request.urlopen(base + path, timeout=60).read()
    results = {"floor": {}, "repeated": {}}
    for level in CONNECTIONS:
        results["floor"][level] = _wrk(meter, base + "/bench/floor/", seconds, level)
        results["repeated"][level] = _wrk(
            meter, base + repeated[0], seconds, level, paths=repeated
        )
    if not new:
        return results
    results["new"] = {}
    queries = new_queries(NEW_QUERIES_PER_RUN * len(CONNECTIONS))
    with tempfile.TemporaryDirectory(prefix="summitwatch-search-") as folder:
        for n, level in enumerate(CONNECTIONS):
            mine = queries[n * NEW_QUERIES_PER_RUN : (n + 1) * NEW_QUERIES_PER_RUN]
            paths_file = Path(folder) / f"new-{level}.txt"
            paths_file.write_text("\n".join(url(q) for q in mine) + "\n")
            result = _wrk(
                meter, base + url(mine[0]), seconds, level, paths_file=paths_file
            )
            # Each of wrk's two threads walks half the list: past that, they
            # would repeat queries, and the figures would include cache hits.
            result["repeats"] = result["requests"] > NEW_QUERIES_PER_RUN // 2
            results["new"][level] = result
    return results


def table(results):
    floor = results["floor"]
    lines = [
        "| run | connections | req/s | of floor | p50 ms | p95 ms | p99 ms "
        "| CPU ms/request (app + db) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, levels in results.items():
        for level, row in levels.items():
            ratio = row["rps"] / floor[level]["rps"] if floor[level]["rps"] else 0
            note = " (repeats!)" if row.get("repeats") else ""
            cpu = (
                f"{row['app_cpu_ms']:.2f} + {row['db_cpu_ms']:.2f}"
                if "app_cpu_ms" in row
                else "–"
            )
            lines.append(
                f"| {name}{note} | {level} | {row['rps']:,.0f} | {ratio:.0%} | "
                f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | "
                f"{cpu} | {row['errors']} |"
            )
    return "\n".join(lines)


def serve_and_measure():
    """The standalone run: data set, gunicorn with the cache on, then off."""
    run.RESULTS.mkdir(exist_ok=True)
    run.ensure_wrk()
    static_root = Path(tempfile.mkdtemp(prefix="summitwatch-bench-static-"))
    env = run.base_env(static_root)
    if SQLITE:
        env["DATABASE_URL"] = f"sqlite:///{Path(SQLITE).resolve()}"
    else:
        run.ensure_database()
    run.say(f"database {env['DATABASE_URL']}: migrate, collectstatic, generate")
    run.run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
    run.run_python(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    run.run_python(["bench/generate.py"], env, stdout=subprocess.DEVNULL)
    if not run.redis_answers():
        sys.exit(f"bench: Redis does not answer at {run.REDIS_URL}")
    import redis

    redis.Redis.from_url(run.REDIS_URL).flushdb()
    results = {}
    database = None if SQLITE else run.DATABASE
    cached = {**env, "PAGE_CACHE": "1", "REDIS_URL": run.REDIS_URL}
    server = run.Server(cached, "search")
    try:
        run.say("result cache on: floor, repeated queries, new queries")
        results = measure(server.base, meter=CpuMeter(server.process.pid, database))
    finally:
        server.stop()
    server = run.Server({**env, "PAGE_CACHE": "0"}, "search-uncached")
    try:
        run.say("result cache off: repeated queries")
        meter = CpuMeter(server.process.pid, database)
        results["uncached"] = measure(server.base, new=False, meter=meter)["repeated"]
    finally:
        server.stop()
    shutil.rmtree(static_root, ignore_errors=True)
    database = "SQLite" if SQLITE else "PostgreSQL"
    report = (
        f"Search, {database}, gunicorn with gunicorn.conf.py, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; wrk {SECONDS} s per run.\n\n"
        + table(results)
    )
    (run.RESULTS / "search.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report)


# -- in-process: where the time goes -------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    # In-process only: the test client's host, whatever the server allows.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DATABASE_URL", f"{run.PG_SERVER}/{run.DATABASE}")
    if SQLITE:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(SQLITE).resolve()}"
    import django
    from django.conf import settings

    django.setup()
    # Plain static names, as with DEBUG (no collectstatic manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.PAGE_CACHE_ENABLED = False  # every request runs the whole search
    from django.test import Client

    return Client()


def explain(query):
    client = _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = url(query)
    client.get(path, secure=True)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        client.get(path, secure=True)
        elapsed = time.perf_counter() - started
    print(f"{path}: {len(captured)} queries, {elapsed * 1000:.1f} ms in all")
    prefix = (
        "EXPLAIN ANALYZE" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    )
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            print(f"\n-- {float(query['time']) * 1000:.1f} ms\n{query['sql'][:2000]}")
            cursor.execute(f"{prefix} {query['sql']}")
            for row in cursor.fetchall():
                print("   ", " | ".join(str(col) for col in row))


def profile(query, repeat=20):
    client = _django()
    path = url(query)
    client.get(path, secure=True)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        client.get(path, secure=True)
    profiler.disable()
    elapsed = (time.perf_counter() - started) / repeat
    print(f"{path}: {elapsed * 1000:.1f} ms a request under cProfile")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


# What `phases` times: the steps of a search (home/search.py), in order.
PHASES = (
    ("count", "counting the matches of each kind", "_count_kinds"),
    ("rank", "ranking: the page's rows", "ranked"),
    ("fetch", "reading the shown rows", "results"),
    ("show", "titles, snippets, addresses", None),
    ("render", "rendering the page", None),
)


def phases(n=PHASE_QUERIES):
    """{"queries": n, "steps": {step: {"ms", "db_ms"}}}: the mean time of
    each step of a new search, and "rest" and "total", in-process with the
    caches off (each of `n` new queries runs the whole search once).

    Times each step of `home.search.SiteSearch` by wrapping it (this script
    only), and the database's share by timing each statement's round trip.
    """
    client = _django()
    import time as clock

    from django.db import connection
    from django.template.response import SimpleTemplateResponse

    from home import search as site_search

    spent = {name: [0.0, 0.0] for name, _, _ in PHASES}
    current = []

    def timed(name, function):
        def wrapper(*args, **kwargs):
            current.append(name)
            started = clock.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name][0] += clock.perf_counter() - started
                current.pop()

        return wrapper

    def watch(execute, sql, params, many, context):
        started = clock.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if current:
                spent[current[-1]][1] += clock.perf_counter() - started

    searcher = site_search.SiteSearch
    for name, _, method in PHASES:
        if method:
            setattr(searcher, method, timed(name, getattr(searcher, method)))
    site_search._result = timed("show", site_search._result)
    SimpleTemplateResponse.render = timed("render", SimpleTemplateResponse.render)

    queries = new_queries(n + 20, seed=23)
    for query in queries[:20]:  # statements prepared, caches of Python warm
        client.get(url(query), secure=True)
    for times in spent.values():
        times[:] = [0.0, 0.0]
    started = clock.perf_counter()
    with connection.execute_wrapper(watch):
        for query in queries[20:]:
            client.get(url(query), secure=True)
    total = clock.perf_counter() - started
    # "show" runs inside "fetch": the fetch's own time is what is left.
    spent["fetch"][0] -= spent["show"][0]
    out = {
        name: {"ms": round(ms * 1000 / n, 2), "db_ms": round(db * 1000 / n, 2)}
        for name, (ms, db) in spent.items()
    }
    steps = sum(row["ms"] for row in out.values())
    out["rest"] = {"ms": round(total * 1000 / n - steps, 2), "db_ms": 0.0}
    out["total"] = {
        "ms": round(total * 1000 / n, 2),
        "db_ms": round(sum(db for _, db in spent.values()) * 1000 / n, 2),
    }
    return {"queries": n, "steps": out}


def phases_table(found):
    labels = {name: label for name, label, _ in PHASES}
    labels["rest"] = "the rest: middleware, view, response"
    lines = [
        "| step | ms per search | of which waiting for the database |",
        "|---|---:|---:|",
    ]
    for name, row in found["steps"].items():
        label = labels.get(name, "**all**")
        lines.append(f"| {label} | {row['ms']:.1f} | {row['db_ms']:.1f} |")
    return "\n".join(lines)


def capacity(new, cpus, target_ms=30):
    """What the new-query runs say about the 16-connection target: a closed
    loop of C connections waits on average C / throughput, and throughput is
    at most CPUs / CPU per request. Returns a sentence, or "" without CPU
    figures."""
    level = max(new)
    row = new[level]
    if "app_cpu_ms" not in row:
        return ""
    per_request = row["app_cpu_ms"] + row["db_cpu_ms"]
    most = cpus * 1000 / per_request
    floor_ms = level / most * 1000
    budget = target_ms * cpus / level
    return (
        f"A new query costs {per_request:.1f} ms of CPU (gunicorn and PostgreSQL); "
        f"{cpus} CPUs serve at most {most:,.0f} such searches a second, so "
        f"{level} connections that each wait for their answer wait "
        f"{floor_ms:.0f} ms on average at best (wrk's own CPU apart). A p95 of "
        f"{target_ms} ms at {level} connections needs at most {budget:.1f} ms of "
        f"CPU per search on {cpus} CPUs, or {per_request * level / target_ms:.0f} "
        f"CPUs at today's cost."
    )


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "measure":
        # measure BASE [SERVER_PID DATABASE]: CPU per request when given.
        meter = CpuMeter(int(sys.argv[3]), sys.argv[4]) if len(sys.argv) > 4 else None
        print(json.dumps(measure(sys.argv[2].rstrip("/"), meter=meter)))
    elif command == "explain":
        explain(sys.argv[2])
    elif command == "profile":
        profile(sys.argv[2])
    elif command == "phases":
        print(json.dumps(phases()))
    elif not command:
        serve_and_measure()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
