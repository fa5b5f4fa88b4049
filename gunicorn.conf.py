"""gunicorn settings for Summit Watch; `gunicorn` in the project root reads them.

    SECRET_KEY=… ALLOWED_HOSTS=… DATABASE_URL=… REDIS_URL=… gunicorn

Meant to run behind a reverse proxy (nginx, a load balancer) that buffers slow
clients, which is why plain sync workers are enough: a worker is only ever
busy with a request that is ready, never with a slow phone on 3G.

Environment overrides: GUNICORN_BIND, WEB_CONCURRENCY (workers),
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS; any other setting
through GUNICORN_CMD_ARGS or the command line.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Django is CPU-bound between short waits on PostgreSQL and Redis: about two
# processes per core keeps the cores busy during those waits. Capped because
# each worker holds its own database connection (CONN_MAX_AGE) and memory.
workers = int(
    os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
)
# More than one thread switches to the gthread worker (keep-alive, overlaps
# database waits); one thread per worker is the simple sync worker.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A page that takes 30 s is a bug; kill the worker rather than queue behind it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak (in us or a library) cannot
# grow without bound; the jitter spreads the restarts. Not too often: a
# restart leaves the pool a worker short until the master forks the next,
# and at 2,000 a busy server (1,500 req/s on 2 CPUs) restarted a worker
# every second or so, which cut a cached page's throughput in half while it
# lasted. Workers hold their size (about 88 MB after 40,000 requests each).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 4

# Load Django once in the master: a broken deploy fails at start rather than
# in every worker, and the forked workers share the loaded code's memory.
preload_app = True

# Heartbeat files on tmpfs: a worker blocked on a slow disk is not mistaken for
# a hung one (and the reverse) on container file systems.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr for the process supervisor; the access log includes
# the time taken (%(M)s ms) so slow pages show up without extra tooling.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


def when_ready(server):
    """Before the workers start: warm up, and make the page cache forget the
    old release.

    Cached pages and fragments outlive a deploy in Redis, but new templates
    or code may render them differently, so a start bumps the content version
    (and with it every table version). Connections opened here are closed so
    forked workers never share a socket.
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connections

    from core.cache import bump_content_version
    from core.warmup import warm_up

    try:
        # Views imported, URLs resolved, templates compiled: every worker
        # forked from here, now or after max_requests, starts with them. Only
        # a speed-up: a failure is logged, never a reason not to start.
        try:
            warmed = warm_up()
            server.log.info("Warmed up: %(templates)s templates compiled.", warmed)
        except Exception:
            server.log.warning("Warm-up failed; workers will do it.", exc_info=True)
        if settings.PAGE_CACHE_ENABLED or settings.FRAGMENT_CACHE_ENABLED:
            bump_content_version()
            backend = settings.CACHES["default"]["BACKEND"]
            if backend.endswith("LocMemCache") and server.num_workers > 1:
                server.log.warning(
                    "Page cache in local memory with %s workers: an edit saved "
                    "by one worker does not reach pages (or fragments) cached "
                    "by the others for up to PAGE_CACHE_TIMEOUT seconds. Set "
                    "REDIS_URL.",
                    server.num_workers,
                )
    finally:
        connections.close_all()
        caches.close_all()
