"""Ground rules of the page cache: the content version, page keys, timeouts.

Invalidation works by versioning, not by deleting. Every page key contains a
site-wide *content version*, an integer kept in the cache and bumped (see
core/signals.py) whenever content is saved or deleted. One edit makes every
cached page unreachable at once; the old entries simply expire. Working out
which pages an edit touches (the front page, lists, feeds, the sitemap, every
page that shows a related item…) would be a bug farm; a burst of
traffic re-renders each page once per edit, which is cheap.

Scheduled items need no cron job: no page is cached past the next scheduled
`published_at` of any Publishable model. That instant is part of the page key
as well as a cap on the timeout, so a page goes stale on time even where the
cache backend's clock would keep it (a test that moves the clock while Redis
does not, or a backend that rounds timeouts).

Everything here degrades to "not cached" when the cache server is down: a
Redis outage slows the site, it does not take it down.
"""

import contextlib
import contextvars
import functools
import hashlib
import logging
import math
import re
import secrets
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Min

from core.models import Publishable

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
NEXT_PUBLICATION_KEY = "next-publication:{version}"
PAGE_KEY = "page:{version}:{next_publication}:{url}"

# An AppConfig attribute: True for an app whose rows show on public pages,
# so that saving or deleting any of them (a position, a many-to-many link)
# makes the cached pages stale.
CONTENT_APP_FLAG = "holds_content"

# Stands for "nothing is scheduled" in the cache and in page keys.
NOTHING_SCHEDULED = 0.0

DEFAULTS = {
    # Store whole anonymous pages server-side. Off, the middleware still sends
    # ETag / Cache-Control and answers 304s (the benchmark's "cold" runs).
    "PAGE_CACHE_ENABLED": True,
    "PAGE_CACHE_ALIAS": "default",
    # Upper bound for a cached page. Edits invalidate at once through the
    # content version, so this only bounds content that changes with the
    # clock alone (a front page's "coming next" after midnight).
    "PAGE_CACHE_TIMEOUT": 300,
    # What browsers, proxies and CDNs are told (Cache-Control). Short max-age
    # so an edit reaches visitors within a minute even through a CDN; a long
    # stale-while-revalidate so a CDN absorbs a burst while it refreshes.
    "PAGE_CACHE_MAX_AGE": 60,
    "PAGE_CACHE_STALE_WHILE_REVALIDATE": 600,
    # Never cached, never given public headers: editor tools.
    "PAGE_CACHE_EXCLUDED_PATHS": ("/admin/", "/markdownx/"),
}


def setting(name):
    return getattr(settings, name, DEFAULTS[name])


def page_cache():
    return caches[setting("PAGE_CACHE_ALIAS")]


def publishable_models():
    """Concrete Publishable models, found without core importing any app."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Publishable) and not model._meta.proxy
    ]


def content_models():
    """Models whose changes show on public pages: their signals bump the version.

    Every model of an app whose AppConfig says `holds_content = True` (the
    app declares it; core names none), and any Publishable model elsewhere.
    Includes the automatic through tables of many-to-many fields, whose
    changes arrive as `m2m_changed`.
    """
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if getattr(model._meta.app_config, CONTENT_APP_FLAG, False)
        or issubclass(model, Publishable)
    ]


def mark_unstored(response):
    """Share `response` with visitors (headers, 304s) but never store it.

    For public pages where each address is a one-off (a search with its
    query): storing them would only push useful pages out of the cache.
    """
    response.page_cache_unstored = True
    return response


def is_unstored(response):
    return getattr(response, "page_cache_unstored", False)


# -- the content version ------------------------------------------------------


def _fresh_version():
    # Random rather than 1: if the version key is lost (Redis flushed, or
    # evicted under memory pressure) while old pages survive, counting again
    # from 1 would reach pages cached under an older 1, 2, 3…
    return secrets.randbits(48)


def get_content_version():
    """The current content version, created on first use. None if the cache is down."""
    cache = page_cache()
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, _fresh_version(), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:
        logger.warning("Page cache unavailable; serving uncached.", exc_info=True)
        return None
    return version


def bump_content_version(tables=None):
    """Make every cached page stale: call after changing content behind the ORM's back.

    Signals call this on every save and delete of content; code that writes
    with `QuerySet.update()`, `bulk_create()` or raw SQL (which send no
    signals) must call it itself once it is done. `tables` (database table
    names) limits which table versions are bumped; by default all of them.
    """
    bump_table_versions(content_tables() if tables is None else tables)
    cache = page_cache()
    try:
        try:
            version = cache.incr(VERSION_KEY)
        except ValueError:  # Not there yet, or lost: start a new series.
            if not cache.add(VERSION_KEY, _fresh_version(), timeout=None):
                version = cache.incr(VERSION_KEY)
            else:
                version = cache.get(VERSION_KEY)
        # Worked out now, in the writer, so readers rarely need the query.
        _remember_next_publication(version, _query_next_publication())
    except Exception:
        # The save itself succeeded; refusing it now would lose the editor's
        # work. Pages may stay stale for at most PAGE_CACHE_TIMEOUT.
        logger.exception("Could not bump the content version after an edit.")
        return None
    return version


# Set while a bulk writer (an import) saves many rows: each save would bump
# the version, and work out the next publication, once; the writer bumps once
# at the end instead.
_batched = contextvars.ContextVar("content_changes_batched", default=False)


@contextmanager
def content_changes_batched(using=None):
    """Saves inside the block bump the content version once, at the end.

    On an exception nothing is bumped: the surrounding transaction is
    rolled back, so no content changed.
    """
    token = _batched.set(True)
    try:
        yield
    finally:
        _batched.reset(token)
    bump_content_version_on_commit(using=using)


def bump_content_version_on_commit(using=None, tables=None):
    """Bump now and again once the surrounding transaction commits.

    Now: so a request in the same thread or transaction (a test, a shell
    session) sees the edit. On commit: a request that read the old rows
    before the commit may have stored them under the version bumped "now";
    the second bump leaves that page behind. Outside a transaction,
    `on_commit` runs at once, so one bump is enough. `tables` as for
    `bump_content_version`.

    Inside `content_changes_batched` nothing happens here: the batch bumps
    the version and every table version at its end, since a batch may also
    have written tables behind the signals' back.
    """
    if _batched.get():
        return

    def bump():
        bump_content_version(tables)

    if transaction.get_connection(using).in_atomic_block:
        bump()
    transaction.on_commit(bump, using=using)


# -- table versions ------------------------------------------------------------
#
# Beside the site-wide content version, each content table has a version of
# its own, bumped by the same signals (every table at once by a batch, a
# direct `bump_content_version()` and a deploy). Output that knows which
# tables it read can be keyed by their versions alone: an edit to an article
# leaves a cached signature table valid. Like the content version, a lost key
# starts again from a random number, so a key never names different content.

TABLE_VERSION_KEY = "table-version:{table}"


@functools.cache
def content_tables():
    """Database tables of the content models: the ones with a version."""
    return frozenset(model._meta.db_table for model in content_models())


def bump_table_versions(tables):
    """Make output keyed by any of `tables` stale. Never raises."""
    cache = page_cache()
    for table in sorted(tables):
        key = TABLE_VERSION_KEY.format(table=table)
        try:
            try:
                cache.incr(key)
            except ValueError:  # Not there yet, or lost.
                if not cache.add(key, _fresh_version(), timeout=None):
                    cache.incr(key)
        except Exception:
            logger.exception("Could not bump the version of table %s.", table)
            return


def table_versions(tables):
    """{table: version} for `tables`, creating missing ones; None if the cache is down.

    One round trip when every version exists (`get_many`).
    """
    keys = {TABLE_VERSION_KEY.format(table=table): table for table in set(tables)}
    if not keys:
        return {}
    cache = page_cache()
    try:
        found = cache.get_many(list(keys))
        missing = [key for key in keys if key not in found]
        for key in missing:
            cache.add(key, _fresh_version(), timeout=None)
        if missing:
            found.update(cache.get_many(missing))
    except Exception:
        logger.warning("Table versions unavailable; not caching.", exc_info=True)
        return None
    if len(found) != len(keys):  # Evicted between add and get: don't guess.
        return None
    return {keys[key]: version for key, version in found.items()}


# -- which tables a piece of output read ------------------------------------------
#
# Cached output keyed by table versions must know every table it read, or an
# edit to a forgotten one would leave it stale. Rather than have each view or
# template list its tables (and forget one), `recording_tables()` watches the
# SQL sent while the output is made. Recorders nest: output made inside
# another recording (a fragment within a page) adds its tables to the outer
# one, and so must a cache hit, through `note_tables_read()`, since it sends
# no SQL.

_recorders = contextvars.ContextVar("table_recorders", default=())
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=2048)
def tables_in_sql(sql):
    """The content tables an SQL statement names (quoted or not).

    Any identifier equal to a content table counts, so a column or alias that
    happens to share a table's name only ever over-counts (output goes stale
    sooner), never under-counts.
    """
    return content_tables().intersection(_IDENTIFIER.findall(sql))


def note_tables_read(tables):
    """Add `tables` to every recording in progress (a cache hit's tables)."""
    for recorded in _recorders.get():
        recorded.update(tables)


def _record_query(execute, sql, params, many, context):
    note_tables_read(tables_in_sql(sql))
    return execute(sql, params, many, context)


@contextmanager
def recording_tables():
    """Yield a set that fills with the content tables read inside the block.

    Covers every database connection the block uses in this thread.
    """
    from django.db import connections

    recorded = set()
    outer = _recorders.get()
    token = _recorders.set((*outer, recorded))
    with contextlib.ExitStack() as stack:
        if not outer:  # An outer recording has installed the wrappers.
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(_record_query))
        try:
            yield recorded
        finally:
            _recorders.reset(token)


# -- scheduled items ------------------------------------------------------------


# Per process: version -> next publication. Versions are never reused (they
# only grow from a random start), so an entry never goes wrong; it saves one
# cache round trip per request.
_next_publication_memo = {}
_MEMO_SIZE = 32


def _query_next_publication():
    """Timestamp of the soonest scheduled `published_at`, in one query.

    One MIN per Publishable table (each uses the status + published_at
    index), glued with UNION ALL so the database sees a single statement.
    """
    querysets = [
        model._default_manager.scheduled()
        .order_by()
        .values("status")
        .annotate(next_at=Min("published_at"))
        .values_list("next_at", flat=True)
        for model in publishable_models()
    ]
    if not querysets:
        return NOTHING_SCHEDULED
    combined = querysets[0]
    if len(querysets) > 1:
        combined = combined.union(*querysets[1:], all=True)
    moments = [moment for moment in combined if moment is not None]
    return min(moments).timestamp() if moments else NOTHING_SCHEDULED


def _remember_next_publication(version, next_publication):
    if len(_next_publication_memo) >= _MEMO_SIZE:
        _next_publication_memo.clear()
    _next_publication_memo[version] = next_publication
    page_cache().set(
        NEXT_PUBLICATION_KEY.format(version=version),
        next_publication,
        timeout=setting("PAGE_CACHE_TIMEOUT") * 12,
    )


def next_publication(version):
    """Timestamp when the next scheduled item goes live, or NOTHING_SCHEDULED.

    Cached under the content version (a schedule can only change through an
    edit, which bumps it), and worked out again once that moment has passed.
    """
    value = _next_publication_memo.get(version)
    if value is None:
        value = page_cache().get(NEXT_PUBLICATION_KEY.format(version=version))
    if value is None or (value != NOTHING_SCHEDULED and value <= time.time()):
        value = _query_next_publication()
        _remember_next_publication(version, value)
    else:
        _next_publication_memo[version] = value
    return value


def page_timeout(next_publication_at, now=None):
    """Seconds a page may stay cached: the set timeout, capped by the schedule."""
    timeout = setting("PAGE_CACHE_TIMEOUT")
    if next_publication_at != NOTHING_SCHEDULED:
        now = time.time() if now is None else now
        timeout = min(timeout, math.floor(next_publication_at - now))
    return max(timeout, 0)


# -- page keys ------------------------------------------------------------------


def page_key(request, version, next_publication_at):
    """The cache key of the page `request` asks for, under this content version.

    Scheme and host are part of it because feeds and the sitemap print
    absolute URLs. GET and HEAD share a key.
    """
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()
    return PAGE_KEY.format(
        version=version,
        next_publication=f"{next_publication_at:.0f}",
        url=digest[:40],
    )
