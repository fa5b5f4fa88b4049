#!/usr/bin/env python
"""Benchmark the JSON exchange: export_content against dumpdata, and import.

    .venv/bin/python bench/bench_exchange.py            # PostgreSQL if reachable
    .venv/bin/python bench/bench_exchange.py --sqlite   # SQLite files in /tmp

Generates a large data set (by default 10,000 articles, 500 signatories,
50 declarations × 200 signatures) in a dedicated database, then runs each
command as its own process and measures wall time and peak memory (the child's
maximum resident set size, from wait4). "Growth" is peak memory minus the peak
of a process that only starts Django, so it is what the data costs.

Targets (issue 5): export time ≤ dumpdata time; export memory growth under
100 MB; import of the whole document in under a minute. Issue 17: import of
10,000 new articles ≤ 60 s with memory growth ≤ 100 MB. The machine may be
shared: the import's CPU seconds (its own process, not PostgreSQL's) are
printed too, as they move less with other load than wall time does.

Not a test and not run by `make test`: it takes a minute or two and drops and
recreates the databases `summitwatch_bench_source` and `summitwatch_bench_target`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DATABASE", "summitwatch_bench")


def postgres_available():
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def fresh_database(name, use_postgres, workdir):
    """A DATABASE_URL for an empty database called `name`."""
    if use_postgres:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{PG_SERVER}/{name}"
    path = Path(workdir) / f"{name}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def environment(database_url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        # DEBUG off: Django would otherwise keep every query in memory.
        DEBUG="0",
        SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="localhost",
        CONN_MAX_AGE="0",
    )
    return env


def measure(args, database_url, stdout=subprocess.DEVNULL):
    """Run a child process; returns (seconds, peak RSS in MB, CPU seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=ROOT, env=environment(database_url), stdout=stdout
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({process.returncode})")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, cpu  # Linux reports kilobytes


def manage(*args):
    return [PYTHON, str(ROOT / "manage.py"), *map(str, args)]


def markdown_seconds(path):
    """Runs in a child process: CPU seconds to render the markdown of the
    document's articles, as the import does (core.markdown.render_markdown),
    and their number. The part of the import no database work can shorten."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from core.markdown import render_markdown

    texts = [
        article["body"] for article in json.loads(Path(path).read_text())["articles"]
    ]
    render_markdown(texts[0])  # the parser built
    started = time.process_time()
    for text in texts:
        render_markdown(text)
    print(json.dumps({"texts": len(texts), "seconds": time.process_time() - started}))


def generate(options):
    """Runs in a child process with DATABASE_URL set: fill the source database."""
    import datetime

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from articles.models import Article
    from core.markdown import render_markdown
    from summits.models import Declaration, Signatory, Signature, Summit

    now = timezone.now()
    body = "\n\n".join(
        [
            "## What happened\n",
            "Delegates from *many* countries met and **agreed** on a text. "
            "[The source](https://example.org/source) has details. " * 6,
            "- one point\n- another point\n- a third, with `code`",
            "> A quotation from the declaration, with “curly quotes” and "
            "non-ASCII names such as Côte d’Ivoire and Türkiye." * 3,
        ]
    )  # about 2 KB of markdown per article
    body_html = render_markdown(body)
    signatories = Signatory.objects.bulk_create(
        Signatory(
            name=f"Signatory {n:04d}",
            slug=f"signatory-{n:04d}",
            kind=Signatory.Kind.COUNTRY,
            description="A party that signs declarations about AI safety.",
        )
        for n in range(options.signatories)
    )
    summits = Summit.objects.bulk_create(
        Summit(
            name=f"AI Summit {n}",
            slug=f"ai-summit-{n:02d}",
            status="published",
            published_at=now,
            starts_on=datetime.date(2020 + n % 6, 5, 1),
            ends_on=datetime.date(2020 + n % 6, 5, 2),
            city="Seoul",
            body=body,
            body_html=body_html,
        )
        for n in range(10)
    )
    declarations = Declaration.objects.bulk_create(
        Declaration(
            title=f"Declaration {n}",
            slug=f"declaration-{n:03d}",
            status="published",
            published_at=now,
            summit=summits[n % len(summits)],
            adopted_on=datetime.date(2024, 5, 21),
            text=body,
            text_html=body_html,
            source_url="https://example.org/declaration",
        )
        for n in range(options.declarations)
    )
    per = min(options.signatures_per_declaration, len(signatories))
    Signature.objects.bulk_create(
        (
            Signature(
                declaration=declaration,
                signatory=signatory,
                signed_on=datetime.date(2024, 5, 21),
                source_url=f"https://example.org/{signatory.slug}",
            )
            for declaration in declarations
            for signatory in signatories[:per]
        ),
        batch_size=2000,
    )
    articles = Article.objects.bulk_create(
        (
            Article(
                title=f"Article {n}",
                slug=f"article-{n:05d}",
                status="published",
                published_at=now,
                lede="What happened, in one sentence.",
                body=body,
                body_html=body_html,
                author_name="Summit Watch",
            )
            for n in range(options.articles)
        ),
        batch_size=1000,
    )
    links = Article.summits.through
    links.objects.bulk_create(
        (
            links(article_id=a.pk, summit_id=summits[i % len(summits)].pk)
            for i, a in enumerate(articles)
        ),
        batch_size=2000,
    )
    links = Article.declarations.through
    links.objects.bulk_create(
        (
            links(
                article_id=a.pk, declaration_id=declarations[i % len(declarations)].pk
            )
            for i, a in enumerate(articles)
        ),
        batch_size=2000,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="Use SQLite files.")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--signatories", type=int, default=500)
    parser.add_argument("--declarations", type=int, default=50)
    parser.add_argument("--signatures-per-declaration", type=int, default=200)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown-seconds", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.generate:
        return generate(options)
    if options.markdown_seconds:
        return markdown_seconds(options.markdown_seconds)

    use_postgres = not options.sqlite and postgres_available()
    workdir = tempfile.mkdtemp(prefix="summitwatch-bench-")
    source = fresh_database(f"{PREFIX}_source", use_postgres, workdir)
    target = fresh_database(f"{PREFIX}_target", use_postgres, workdir)
    engine = "PostgreSQL" if use_postgres else "SQLite"
    print(f"Database: {engine}; files in {workdir}")

    for url in (source, target):
        measure(manage("migrate", "--noinput", "-v0"), url)
    sizes = [
        "--articles", options.articles, "--signatories", options.signatories,
        "--declarations", options.declarations,
        "--signatures-per-declaration", options.signatures_per_declaration,
    ]  # fmt: skip
    seconds, _, _ = measure([PYTHON, __file__, "--generate", *map(str, sizes)], source)
    print(
        f"Generated {options.articles} articles, {options.signatories} signatories, "
        f"{options.declarations} declarations × "
        f"{options.signatures_per_declaration} signatures in {seconds:.1f}s"
    )

    export_path = Path(workdir) / "export.json"
    dump_path = Path(workdir) / "dumpdata.json"
    runs = {
        "django start-up (baseline)": (manage("export_content", "--schema"), source),
        "export_content": (manage("export_content", "-o", export_path), source),
        "dumpdata summits articles": (
            manage("dumpdata", "summits", "articles", "-o", dump_path),
            source,
        ),
        "import_content (empty db)": (manage("import_content", export_path), target),
        "import_content (again)": (manage("import_content", export_path), target),
    }
    results = {name: measure(args, url) for name, (args, url) in runs.items()}
    baseline = results["django start-up (baseline)"][1]
    rendering = subprocess.run(
        [PYTHON, __file__, "--markdown-seconds", export_path],
        cwd=ROOT,
        env=environment(target),
        capture_output=True,
        text=True,
        check=True,
    )
    markdown = json.loads(rendering.stdout.strip().splitlines()[-1])

    print()
    print(f"{'command':<30} {'time (s)':>9} {'peak RSS (MB)':>14} {'growth (MB)':>12}")
    for name, (seconds, peak, _) in results.items():
        print(f"{name:<30} {seconds:>9.2f} {peak:>14.1f} {peak - baseline:>12.1f}")
    export_s, export_mb, _ = results["export_content"]
    dump_s, dump_mb, _ = results["dumpdata summits articles"]
    import_s, import_mb, import_cpu = results["import_content (empty db)"]
    print()
    print(f"export / dumpdata time:   {export_s / dump_s:.2f}  (target ≤ 1)")
    print(
        f"export / dumpdata growth: {(export_mb - baseline) / (dump_mb - baseline):.2f}"
        f"  (export growth {export_mb - baseline:.1f} MB, target < 100 MB)"
    )
    print(f"import time: {import_s:.1f}s, {import_cpu:.1f}s of CPU  (target ≤ 60 s)")
    print(f"import growth: {import_mb - baseline:.1f} MB  (target ≤ 100 MB)")
    print(
        f"of which markdown: {markdown['seconds']:.1f}s of CPU to render "
        f"{markdown['texts']} article bodies (Python-Markdown and nh3)"
    )
    print(
        f"export size: {export_path.stat().st_size / 1e6:.1f} MB, "
        f"dumpdata size: {dump_path.stat().st_size / 1e6:.1f} MB"
    )
    # For make bench's table (bench/run.py reads it).
    figures = {
        "database": engine,
        "articles": options.articles,
        "import_seconds": round(import_s, 1),
        "import_cpu_seconds": round(import_cpu, 1),
        "import_growth_mb": round(import_mb - baseline, 1),
        "import_markdown_cpu_seconds": round(markdown["seconds"], 1),
        "export_to_dumpdata_time": round(export_s / dump_s, 2),
        "export_growth_mb": round(export_mb - baseline, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "exchange.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
