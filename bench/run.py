#!/usr/bin/env python
"""The page benchmark: gunicorn with production settings, measured with wrk.

    make bench                       # or: .venv/bin/python bench/run.py
    BENCH_ROUNDS=9 make bench        # more rounds per page (default 5)

1. Installs wrk (Debian package) if it is missing, and makes sure PostgreSQL
   answers; generates the large data set into the database
   `summitwatch_bench` once (bench/generate.py; reused while it matches).
2. Renders every page once in-process: query count, and EXPLAIN of each query,
   flagging sequential scans of the big tables (bench/bench_pages.py explain).
3. Serves bench.settings (the production settings, DEBUG off, plus the floor
   route) with gunicorn on a loopback port, twice: cold (PAGE_CACHE=0) and
   warm (page cache on, in Redis when it answers). Each page is measured with
   wrk; the floor is a bare 20 KB view through the same middleware, and each
   page is reported as a ratio of the floor's requests per second.
4. The load run: 64 connections for 30 s over a mix of pages while another
   process saves an article every second and checks the next request shows
   it; then the workers' resident memory.
5. The static phase (bench/bench_static.py): publish_static's output of the
   data set, served by nginx, each page as a ratio of the warm floor.

Prints a table and writes bench/results/latest.md and latest.json. Not part of
`make test`. Only loopback addresses are used.
"""

import gzip
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import bench_static

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Several checkouts on one machine each keep their own data set and Redis db.
DATABASE = os.environ.get("BENCH_DATABASE", "summitwatch_bench")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
# Each page is measured in rounds, each right after a run of the floor.
ROUNDS = max(int(os.environ.get("BENCH_ROUNDS", "5")), 1)
ROUND_SECONDS = max(int(os.environ.get("BENCH_ROUND_SECONDS", "2")), 1)
LOAD_CONNECTIONS = 64

COLD_PAGES = (
    "home",
    "declaration (200 signatures)",
    "matrix (default view)",
    "signatory record",
    "article list",
)

TARGETS = {
    "warm pages": "≥ 80 % of the floor (search apart, below)",
    "matrix warm": "≥ 80 % of the floor",
    "cold pages": "each ≥ 30 % of the floor: " + ", ".join(COLD_PAGES),
    "edit storm": "load run with a writer ≥ 50 % of the warm mix, 0 errors, "
    "every edit visible on the next request",
    "search p95": "≤ 30 ms at 1 and 16 connections, queries asked before",
    "search p95, new queries": "≤ 30 ms at 1 and 16 connections, every query new",
    "compressed pages": "pages, feeds and CSVs compressed (brotli or gzip) "
    "when the client accepts it",
    "bulk import": "import_content of 10,000 new articles ≤ 60 s, memory growth "
    "≤ 100 MB (PostgreSQL)",
    "home page weight": "≤ 60 KB (HTML + CSS, compressed)",
    "worker RSS": "≤ 120 MB each",
    bench_static.TARGET: f"≥ {bench_static.WANTED:.0f}× the floor",
}


def say(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    say("installing wrk (Debian package)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure_database():
    import psycopg

    try:
        with psycopg.connect(
            f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
    except psycopg.OperationalError as error:
        sys.exit(
            f"bench: PostgreSQL does not answer at {PG_SERVER} ({error}).\n"
            "Start it (pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start) or set BENCH_PG."
        )


def redis_answers():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def base_env(static_root):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG_SERVER}/{DATABASE}",
        "STATIC_ROOT": str(static_root),
        # Plain HTTP on loopback: no redirect to HTTPS, cookies over HTTP.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return env


def run_python(args, env, **kwargs):
    return subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, check=True, text=True, **kwargs
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py, on a loopback port, until stopped."""

    def __init__(self, env, label):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(RESULTS / f"gunicorn-{label}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            # gunicorn.conf.py as in production, access log included.
            [GUNICORN, "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/bench/floor/", timeout=2).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        sys.exit(f"bench: gunicorn did not start; see {self.log.name}")

    def worker_rss_mb(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(round(kb / 1024, 1))
        return sizes

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def wrk(
    url,
    seconds=SECONDS,
    connections=CONNECTIONS,
    paths=None,
    paths_file=None,
    headers=(),
):
    env = {
        **os.environ,
        "WRK_PATHS": " ".join(paths or []),
        "WRK_PATHS_FILE": str(paths_file or ""),
    }
    threads = min(2, connections)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            *[argument for header in headers for argument in ("-H", header)],
            "-s",
            str(BENCH / "report.lua"),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def page_weight(base):
    """Bytes of the home page's HTML and CSS as a browser would receive them,
    and gzipped (what a proxy or CDN in front sends)."""

    def fetch(url):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            sent = len(body)
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
        return body, sent

    html, html_sent = fetch(base + "/")
    stylesheets = re.findall(
        r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html.decode()
    )
    total_sent, total_gzip = html_sent, len(gzip.compress(html))
    for href in stylesheets:
        css, sent = fetch(base + href)
        total_sent += sent
        total_gzip += len(gzip.compress(css))
    return {
        "html_bytes": len(html),
        "stylesheets": stylesheets,
        "sent_kb": round(total_sent / 1024, 1),
        "gzipped_kb": round(total_gzip / 1024, 1),
    }


def encoded_sizes(base, paths):
    """Bytes of each page as sent to a browser that accepts brotli and gzip,
    against its plain size: is it compressed, and by how much."""
    sizes = {}
    for name, path in paths.items():
        sent = {}
        for accept in ("br, gzip", "identity"):
            request = urllib.request.Request(
                base + path, headers={"Accept-Encoding": accept}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                sent[accept] = (
                    len(response.read()),
                    response.headers.get("Content-Encoding"),
                )
        sizes[name] = {
            "identity": sent["identity"][0],
            "sent": sent["br, gzip"][0],
            "encoding": sent["br, gzip"][1],
        }
    return sizes


def measure_pages(server, pages, label):
    """Each page's req/s as a ratio of the floor's, measured beside it.

    The machine's speed drifts from one minute to the next (other tenants of
    a virtual machine's host, CPU frequency): a floor measured once at the
    start was seen 40 % off by the last page. So each page runs in ROUNDS
    short runs, each right after a run of the floor, and its ratio is the
    median of the rounds' ratios; its figures are those of that round. The
    floor's row is its median run.
    """
    rows, floor_runs = {}, []
    for name, path in pages.items():
        say(f"{label}: {name}")
        rounds = []
        for _ in range(ROUNDS):
            floor = wrk(server.base + "/bench/floor/", seconds=ROUND_SECONDS)
            page = wrk(server.base + path, seconds=ROUND_SECONDS)
            floor_runs.append(floor)
            rounds.append((page["rps"] / floor["rps"] if floor["rps"] else 0, page))
        rounds.sort(key=lambda pair: pair[0])
        ratio, median = rounds[len(rounds) // 2]
        row = {**median, "ratio": round(ratio, 2)}
        # Every round's errors count, not only the median's.
        for key in ("non_2xx_3xx", "socket_errors"):
            row[key] = sum(page[key] for _, page in rounds)
        rows[name] = row
    floor_runs.sort(key=lambda run: run["rps"])
    floor = {**floor_runs[len(floor_runs) // 2], "ratio": 1.0}
    return {"floor (bare 20 KB view)": floor, **rows}


def load_run(server, pages, env):
    say(f"load: {LOAD_CONNECTIONS} connections for {LOAD_SECONDS}s with a writer")
    writer = subprocess.Popen(
        [PYTHON, "bench/bench_pages.py", "writer", server.base, str(LOAD_SECONDS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    mixed = wrk(
        server.base + "/",
        seconds=LOAD_SECONDS,
        connections=LOAD_CONNECTIONS,
        paths=list(pages.values()),
    )
    written, _ = writer.communicate(timeout=LOAD_SECONDS + 60)
    mixed["writer"] = json.loads(written.strip().splitlines()[-1])
    mixed["worker_rss_mb"] = server.worker_rss_mb()
    return mixed


def table(rows):
    lines = [
        "| page | req/s | ratio to floor | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        errors = row["non_2xx_3xx"] + row["socket_errors"]
        lines.append(
            f"| {name} | {row['rps']:,.0f} | {row['ratio']:.0%} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {errors} |"
        )
    return "\n".join(lines)


def search_verdict(name, levels, floor):
    """(name, reached, met) of a search run of bench_search.py: p95 at 1 and
    16 connections (JSON keys are strings), with the floor's own p95 in the
    same run: the target is in milliseconds, and on a slow machine even the
    bare view may miss it."""
    p95 = {int(level): row["p95_ms"] for level, row in levels.items()}
    floor_p95 = {int(level): row["p95_ms"] for level, row in floor.items()}
    reached = ", ".join(f"{ms:.1f} ms at {level}" for level, ms in sorted(p95.items()))
    reached += (
        " (the bare floor view's own: "
        + ", ".join(
            f"{floor_p95[level]:.1f} ms" for level in sorted(p95) if level in floor_p95
        )
        + ")"
    )
    return name, reached, max(p95.values()) <= 30


def verdicts(cold, warm, search, weight, load, encoded):
    # Search is measured on its own (bench_search.py: repeated and new queries).
    pages = [name for name in warm if name not in ("floor (bare 20 KB view)", "search")]
    worst_warm = min(warm[name]["ratio"] for name in pages)
    worst_cold = min(cold[name]["ratio"] for name in COLD_PAGES)
    storm_ratio = load["rps"] / load["warm_mix_rps"] if load["warm_mix_rps"] else 0
    writer = load["writer"]
    storm_errors = load["server_errors"] + load["socket_errors"]
    checks = [
        (
            "warm pages",
            f"lowest {worst_warm:.0%} ({min(pages, key=lambda n: warm[n]['ratio'])})",
            worst_warm >= 0.8,
        ),
        (
            "matrix warm",
            f"{warm['matrix (default view)']['ratio']:.0%}",
            warm["matrix (default view)"]["ratio"] >= 0.8,
        ),
        (
            "cold pages",
            ", ".join(f"{name} {cold[name]['ratio']:.0%}" for name in COLD_PAGES),
            worst_cold >= 0.3,
        ),
        (
            "edit storm",
            f"{load['rps']:,.0f} of {load['warm_mix_rps']:,.0f} req/s "
            f"({storm_ratio:.0%}), {storm_errors} errors, "
            f"{writer['visible_on_next_request']} of {writer['edits']} edits visible",
            storm_ratio >= 0.5
            and storm_errors == 0
            and writer["edits"] > 0
            and writer["visible_on_next_request"] == writer["edits"],
        ),
        search_verdict("search p95", search["repeated"], search["floor"]),
        search_verdict("search p95, new queries", search["new"], search["floor"]),
        (
            "compressed pages",
            "; ".join(
                f"{name}: {row['identity']:,} B plain, {row['sent']:,} B "
                f"{row['encoding'] or 'uncompressed'}"
                for name, row in encoded.items()
            ),
            all(row["encoding"] in ("br", "gzip") for row in encoded.values()),
        ),
        (
            "home page weight",
            f"{weight['gzipped_kb']} KB gzipped ({weight['sent_kb']} KB as sent)",
            weight["gzipped_kb"] <= 60,
        ),
        (
            "worker RSS",
            ", ".join(f"{mb} MB" for mb in load["worker_rss_mb"]),
            max(load["worker_rss_mb"]) <= 120,
        ),
    ]
    lines = ["| target | wanted | reached | met |", "|---|---|---|---|"]
    for name, reached, met in checks:
        lines.append(
            f"| {name} | {TARGETS[name]} | {reached} | {'yes' if met else 'NO'} |"
        )
    return "\n".join(lines)


def _bench_search():
    """bench/bench_search.py, which imports this module (it is not imported
    at the top: each needs the other only when run)."""
    sys.path.insert(0, str(BENCH))
    import bench_search

    return bench_search


def search_table(search):
    return _bench_search().table(
        {
            name: {int(k): row for k, row in levels.items()}
            for name, levels in search.items()
        }
    )


def search_capacity(search):
    return _bench_search().capacity(
        {int(level): row for level, row in search["new"].items()}, os.cpu_count()
    )


def search_phases_table(found):
    return _bench_search().phases_table(found)


def bulk_import(env):
    """bench_exchange.py's figures (export, and import of 10,000 new articles),
    or None when BENCH_EXCHANGE=0 skips it (it takes a minute or two)."""
    if os.environ.get("BENCH_EXCHANGE", "1") == "0":
        return None
    say("exchange: export_content and import_content of the data set")
    run_python(["bench/bench_exchange.py"], env, stdout=subprocess.DEVNULL)
    return json.loads((RESULTS / "exchange.json").read_text())


def bulk_import_row(exchange):
    wanted = TARGETS["bulk import"]
    if exchange is None:
        return f"| bulk import | {wanted} | not measured (BENCH_EXCHANGE=0) | – |"
    met = exchange["import_seconds"] <= 60 and exchange["import_growth_mb"] <= 100
    markdown = ""
    if "import_markdown_cpu_seconds" in exchange:
        markdown = (
            f"; rendering markdown alone {exchange['import_markdown_cpu_seconds']} s"
        )
    return (
        f"| bulk import | {wanted} | {exchange['import_seconds']} s "
        f"({exchange['import_cpu_seconds']} s of CPU{markdown}), "
        f"{exchange['import_growth_mb']} MB, {exchange['database']} | "
        f"{'yes' if met else 'NO'} |"
    )


def main():
    RESULTS.mkdir(exist_ok=True)
    ensure_wrk()
    ensure_database()
    static_root = Path(tempfile.mkdtemp(prefix="summitwatch-bench-static-"))
    env = base_env(static_root)
    say("migrate, collectstatic, generate the data set")
    run_python(["manage.py", "migrate", "--noinput", "-v0"], env)
    run_python(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    generated = json.loads(
        run_python(["bench/generate.py"], env, stdout=subprocess.PIPE).stdout
    )
    pages = json.loads(
        run_python(
            ["bench/bench_pages.py", "paths"], env, stdout=subprocess.PIPE
        ).stdout
    )
    say("query counts and EXPLAIN")
    explain = json.loads(
        run_python(
            ["bench/bench_pages.py", "explain"], env, stdout=subprocess.PIPE
        ).stdout
    )

    say("search: where a new query's time goes (in-process)")
    search_phases = json.loads(
        run_python(["bench/bench_search.py", "phases"], env, stdout=subprocess.PIPE)
        .stdout.strip()
        .splitlines()[-1]
    )

    # Cold: no whole pages stored. The fragment cache (core/fragments.py)
    # stays on, in Redis as in production: in local memory each of the
    # workers would render every page's fragments once for itself.
    cold_env = {**env, "PAGE_CACHE": "0"}
    if redis_answers():
        import redis

        cold_env["REDIS_URL"] = REDIS_URL
        redis.Redis.from_url(REDIS_URL).flushdb()
    cold_server = Server(cold_env, "cold")
    try:
        cold = measure_pages(cold_server, pages, "cold")
    finally:
        cold_server.stop()

    use_redis = redis_answers()
    warm_env = {**env, "PAGE_CACHE": "1"}
    if use_redis:
        warm_env["REDIS_URL"] = REDIS_URL
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        # Local memory is per process: with several workers an edit would not
        # reach the others' caches, so measure with one.
        warm_env["WEB_CONCURRENCY"] = "1"
        say("Redis does not answer: warm run with local memory and one worker")
    warm_server = Server(warm_env, "warm")
    try:
        for path in pages.values():  # fill the cache
            urllib.request.urlopen(warm_server.base + path, timeout=30).read()
        warm = measure_pages(warm_server, pages, "warm")
        weight = page_weight(warm_server.base)
        # Search at 1 and 16 connections: queries asked before (served from
        # the caches) and new ones (every request a whole search).
        say("search: repeated and new queries")
        search_run = run_python(
            ["bench/bench_search.py", "measure", warm_server.base]
            + [str(warm_server.process.pid), DATABASE],
            warm_env,
            stdout=subprocess.PIPE,
        )
        search = json.loads(search_run.stdout.strip().splitlines()[-1])
        encoded = encoded_sizes(
            warm_server.base,
            {
                "matrix": pages["matrix (default view)"],
                "RSS": pages["RSS feed"],
                "CSV": pages["declaration (200 signatures)"] + "signatories.csv",
            },
        )
        # The same mix as the load run, without the writer: what an edit
        # storm is measured against.
        say(f"warm mix: {LOAD_CONNECTIONS} connections for {LOAD_SECONDS}s")
        warm_mix = wrk(
            warm_server.base + "/",
            seconds=LOAD_SECONDS,
            connections=LOAD_CONNECTIONS,
            paths=list(pages.values()),
        )
        load = load_run(warm_server, pages, warm_env)
        load["warm_mix_rps"] = warm_mix["rps"]
    finally:
        warm_server.stop()

    floor = warm["floor (bare 20 KB view)"]
    static = bench_static.run(warm_env, DATABASE, pages, wrk, floor, free_port())
    exchange = bulk_import(env)

    results = {
        "generated": generated,
        "cache": "redis" if use_redis else "locmem, 1 worker",
        "seconds_per_page": SECONDS,
        "connections": CONNECTIONS,
        "rounds": ROUNDS,
        "round_seconds": ROUND_SECONDS,
        "load_connections": LOAD_CONNECTIONS,
        "load_seconds": LOAD_SECONDS,
        "cpus": os.cpu_count(),
        "explain": explain,
        "cold": cold,
        "warm": warm,
        "search": search,
        "search_phases": search_phases,
        "home_page_weight": weight,
        "encoded_bytes": encoded,
        "load": load,
        "static": static,
        "exchange": exchange,
    }
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    write_report(results)
    shutil.rmtree(static_root, ignore_errors=True)


def write_report(results):
    """bench/results/latest.md from the figures (also `run.py report`, which
    reads them from latest.json: the report's wording can change without
    measuring again)."""
    cold, warm, search = results["cold"], results["warm"], results["search"]
    search_phases, weight = results["search_phases"], results["home_page_weight"]
    load, encoded, static = results["load"], results["encoded_bytes"], results["static"]
    exchange, explain, generated = (
        results["exchange"],
        results["explain"],
        results["generated"],
    )
    rounds = results.get("rounds", ROUNDS)
    round_seconds = results.get("round_seconds", ROUND_SECONDS)
    load_connections = results.get("load_connections", LOAD_CONNECTIONS)
    load_seconds = results.get("load_seconds", LOAD_SECONDS)
    queries = "\n".join(
        f"| {name} | {row['queries']} | {row['ms_in_process']} | "
        f"{len(row['seq_scans_on_large_tables'])} |"
        for name, row in explain.items()
    )
    writer = load["writer"]
    report = f"""# Benchmark results

{results["cpus"]} CPUs; gunicorn (gunicorn.conf.py) with DEBUG off on PostgreSQL;
data: {generated}. wrk, {results["connections"]} connections; each page {rounds} runs of
{round_seconds} s, each after a run of the floor (its ratio: the median round's).

## Targets

{verdicts(cold, warm, search, weight, load, encoded)}
{bench_static.verdict_row(static)}
{bulk_import_row(exchange)}

## Cold (page cache off)

{table(cold)}

## Warm (page cache on, {results["cache"]})

{table(warm)}

## Search (bench/bench_search.py)

{search_table(search)}

{search_capacity(search)}

Where a new query's time goes, in-process with the caches off
(`bench_search.py phases`, {search_phases["queries"]} new queries, the mean):

{search_phases_table(search_phases)}

## Queries per page (rendered once in-process, cache off)

| page | queries | ms | sequential scans of big tables |
|---|---:|---:|---:|
{queries}

## Load run

{load_connections} connections, {load_seconds} s, a mix of every page. Without a
writer: {load["warm_mix_rps"]:,.0f} req/s. With one saving an article each second:
{load["rps"]:,.0f} req/s, p99 {load["p99_ms"]:.1f} ms,
{load["server_errors"]} 5xx, {load["non_2xx_3xx"]} non-2xx/3xx,
{load["socket_errors"]} socket errors. Writer: {writer["edits"]} edits,
{writer["visible_on_next_request"]} visible on the next request.
Worker RSS after the run: {", ".join(f"{mb} MB" for mb in load["worker_rss_mb"])}.

{bench_static.report(static, table)}"""
    (RESULTS / "latest.md").write_text(report)
    print(report)


if __name__ == "__main__":
    if sys.argv[1:] == ["report"]:
        write_report(json.loads((RESULTS / "latest.json").read_text()))
    else:
        main()
