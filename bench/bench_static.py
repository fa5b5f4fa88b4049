"""The static phase of `make bench`: publish_static's output, served by nginx.

bench/run.py calls `run(…)` after the warm run. It runs `publish_data`, then
`publish_static` into a folder kept between runs (BENCH_STATIC_DIR, default
one per BENCH_DATABASE in the system's temporary folder), so the first run
writes every file and later ones only the changes (the load run's writer
edits articles), and reports how long that took. Then nginx (Debian's
package, installed if missing, as wrk is) serves the folder in the
foreground on a free loopback port, with the configuration publish_static
prints (`--nginx-config --standalone`: pid, logs and temporary files in a
temporary folder), and wrk measures each page that has a file (search stays
dynamic) as a ratio of the warm run's floor: once with `Accept-Encoding:
gzip`, as browsers ask (the verdict), once without, as wrk asks the dynamic
site.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET = "static output via nginx"
WANTED = 10.0  # times the floor
ACCEPT_GZIP = "Accept-Encoding: gzip"


def say(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def nginx_binary():
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def ensure_nginx():
    if nginx_binary():
        return nginx_binary()
    say("installing nginx (Debian package)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "nginx"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return nginx_binary()


def output_folder(database):
    configured = os.environ.get("BENCH_STATIC_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"summitwatch-bench-static-{database}" / "site"


def publish(env, folder):
    """Run publish_data (the downloads of /data/ are part of the output), then
    publish_static into `folder`; its summary and how long it took."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PYTHON, "manage.py", "publish_data", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    started = time.monotonic()
    done = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "publish_static",
            str(folder),
            "--jobs",
            str(os.cpu_count() or 1),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    seconds = time.monotonic() - started
    summary = done.stdout.strip().splitlines()[0]
    counts = {
        name: int(number.replace(",", ""))
        for number, name in re.findall(
            r"([\d,]+) (files|new|changed|unchanged|removed)", summary
        )
    }
    return {"seconds": round(seconds, 1), "summary": summary, **counts}


class Nginx:
    """nginx serving `site` on a free loopback port, until stopped."""

    def __init__(self, binary, env, site, port):
        self.folder = Path(tempfile.mkdtemp(prefix="summitwatch-bench-nginx-"))
        self.base = f"http://127.0.0.1:{port}"
        config = subprocess.run(
            [
                PYTHON,
                "manage.py",
                "publish_static",
                str(site),
                "--nginx-config",
                "--listen",
                f"127.0.0.1:{port}",
                "--standalone",
                str(self.folder),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            capture_output=True,
        ).stdout
        (self.folder / "nginx.conf").write_text(config)
        self.process = subprocess.Popen(
            [binary, "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/robots.txt", timeout=2).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        sys.exit(f"bench: nginx did not start; see {self.folder}/error.log")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # finish the open requests
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def run(env, database, pages, wrk, floor, port):
    """Publish, serve with nginx, measure every page with a file."""
    binary = ensure_nginx()
    site = output_folder(database)
    say(f"static: publish_static into {site}")
    published = publish(env, site)
    say(f"static: {published['summary']}")
    server = Nginx(binary, env, site, port)
    rows, plain = {}, {}
    try:
        for name, path in pages.items():
            if "?" in path:  # search: the app's, not a file
                continue
            say(f"static: {name}")
            # As browsers ask (the .gz beside each page is sent as it is), and
            # as wrk asks the dynamic site (no compression).
            rows[name] = wrk(server.base + path, headers=[ACCEPT_GZIP])
            plain[name] = wrk(server.base + path)
    finally:
        server.stop()
    for row in [*rows.values(), *plain.values()]:
        row["ratio"] = round(row["rps"] / floor["rps"], 2) if floor["rps"] else 0
    return {
        "published": published,
        "pages": rows,
        "uncompressed": plain,
        "floor_rps": floor["rps"],
    }


def lowest(rows):
    name = min(rows, key=lambda name: rows[name]["ratio"])
    return name, rows[name]["ratio"]


def verdict_row(static):
    name, ratio = lowest(static["pages"])
    plain_name, plain_ratio = lowest(static["uncompressed"])
    return (
        f"| {TARGET} | ≥ {WANTED:.0f}× the floor | lowest {ratio:.1f}× ({name}) "
        f"with gzip as browsers ask; {plain_ratio:.1f}× ({plain_name}) "
        f"uncompressed | {'yes' if ratio >= WANTED else 'NO'} |"
    )


def report(static, table):
    published = static["published"]
    return f"""## Static output via nginx

`publish_static` into the kept folder: {published["summary"]}
({published["seconds"]} s wall clock, with the command's start).
nginx (the configuration `publish_static --nginx-config` prints) serves it;
ratios are to the warm run's floor ({static["floor_rps"]:,.0f} req/s).

With `{ACCEPT_GZIP}`, as browsers ask (nginx sends the `.gz` written beside
each page, compressed once at publication):

{table(static["pages"])}

Without it, as wrk asks the dynamic site (the big pages are then bound by
their bytes: the declaration page holds hundreds of KB of HTML):

{table(static["uncompressed"])}
"""
