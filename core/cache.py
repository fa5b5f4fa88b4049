"""Ground rules of the page cache: versions, page keys, timeouts, render locks.

Invalidation works by versioning, not by deleting. Every content table has a
*table version*, an integer kept in the cache and bumped (see core/signals.py)
whenever a row of that table is saved or deleted. A page is stored under a key
made of its URL and the versions of the tables its rendering read (recorded
from the SQL it sent, plus what cached fragments inside it noted), so an edit
to an article makes the pages that read the articles table unreachable and
leaves a declaration page that never reads it cached. The old entries simply
expire. Each URL's table set is kept beside its page (the *index*); it is only
a hint: a wrong one costs a miss, never a stale page, because a page is only
ever found under the versions of the very tables it read.

Every key also holds the version of `EVERYTHING`, a pseudo-table bumped only
with all the others at once (a deploy, a batch, a direct
`bump_content_version()`): pages that read no content table, or that are made
from data outside the ORM, still go stale on a deploy. A site-wide *content
version* is bumped by every edit as before; it names the next-publication
entry below.

Scheduled items need no cron job: no page is cached past the next scheduled
`published_at` of any Publishable model. That instant is part of the page key
as well as a cap on the timeout, so a page goes stale on time even where the
cache backend's clock would keep it (a test that moves the clock while Redis
does not, or a backend that rounds timeouts).

Everything here degrades to "not cached" when the cache server is down: a
Redis outage slows the site, it does not take it down. A bump lost to an
outage would leave stale pages behind when the server returns, so a process
that saw the cache fail bumps every version once it answers again, before it
uses anything stored there (see `_recover_after_outage`).
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
PAGE_KEY = "page:{next_publication}:{digest}"
# URL -> the tables its page read last time it was rendered, and whether it
# has compressed variants (core/middleware_cache.py).
INDEX_KEY = "page-index:{url}"
# Held while one worker renders a page that others asked for at the same time.
LOCK_KEY = "page-lock:{digest}"
# Index entries are small and outlive the pages (a day against minutes), so a
# page that went stale or expired is still known when it is asked for again:
# its first request after that takes the render lock.
INDEX_TIMEOUT = 24 * 60 * 60

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
    # When a page misses, one worker renders it while the others asking for
    # it wait for the result (no stampede), at most this many seconds before
    # rendering it themselves. The lock expires on its own after
    # PAGE_CACHE_LOCK_TIMEOUT in case its holder died mid-render.
    "PAGE_CACHE_LOCK_WAIT": 3.0,
    "PAGE_CACHE_LOCK_TIMEOUT": 10,
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
        note_cache_failure()
        return None
    return version


def bump_content_version(tables=None):
    """Make every cached page stale: call after changing content behind the ORM's back.

    Signals call this on every save and delete of content; code that writes
    with `QuerySet.update()`, `bulk_create()` or raw SQL (which send no
    signals) must call it itself once it is done. `tables` (database table
    names) limits which table versions are bumped; by default all of them,
    `EVERYTHING` included.
    """
    if _take_lost_bumps():
        tables = None  # Some bump was lost while the cache was away.
    if not bump_table_versions(
        content_tables() | {EVERYTHING} if tables is None else tables
    ):
        note_cache_failure()
        return None
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
        # work. The lost bump is made up for when the cache answers again.
        logger.exception("Could not bump the content version after an edit.")
        note_cache_failure()
        return None
    return version


# -- lost bumps ------------------------------------------------------------------
#
# A bump that fails (the cache server down, or unreachable from this process)
# is lost: if the server comes back with its data, the pages stored before the
# edit would be found again under the old versions. So any process that saw
# the cache fail, for a bump or for a read, bumps every version as soon as the
# cache answers again, before it reads or stores a page. While the server is
# down nothing is served from it; every process that served during the outage
# saw it fail, so the first request any of them handles afterwards makes every
# stored page stale. The price is one re-render of each page after an outage.

_cache_failed = False


def note_cache_failure():
    """Remember that the cache failed here: bumps may have been lost."""
    global _cache_failed
    _cache_failed = True


def _take_lost_bumps():
    """True (once) if the cache failed here since everything was last bumped."""
    global _cache_failed
    failed, _cache_failed = _cache_failed, False
    return failed


def recover_after_outage():
    """Before reading the cache: bump everything if this process saw it fail.

    False if the cache is still unusable (the bump failed again): serve
    uncached.
    """
    if not _cache_failed:
        return True
    if bump_content_version() is None:
        return False
    logger.warning("The page cache answers again: every cached page made stale.")
    return True


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
# A pseudo-table bumped with every table at once (deploys, batches, direct
# bumps) and part of every page key, so that a page which read no content
# table still goes stale on a deploy.
EVERYTHING = "*"


@functools.cache
def content_tables():
    """The tables with a version: those of the content models, and of the few
    other models whose rows pages print (FRAGMENT_CACHE_VERSIONED_MODELS, see
    core/fragments.py; bumped by their own signals there). A page that read
    any other table is never stored."""
    extra = {
        apps.get_model(label)._meta.db_table
        for label in getattr(settings, "FRAGMENT_CACHE_VERSIONED_MODELS", ())
    }
    return frozenset(model._meta.db_table for model in content_models()) | extra


def bump_table_versions(tables):
    """Make output keyed by any of `tables` stale. Never raises; False if it failed."""
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
            return False
    return True


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
        note_cache_failure()
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

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=2048)
def sql_identifiers(sql):
    """Every identifier an SQL statement holds (quoted or not): the words a
    table name is looked for among."""
    return frozenset(_IDENTIFIER.findall(sql))


def tables_in_sql(sql):
    """The content tables an SQL statement names (quoted or not).

    Any identifier equal to a content table counts, so a column or alias that
    happens to share a table's name only ever over-counts (output goes stale
    sooner), never under-counts.
    """
    return content_tables() & sql_identifiers(sql)


class SqlReads:
    """Sets that fill with the tables `select(sql)` finds in the SQL sent
    inside a `with reads.recording()` block, on every database connection
    this thread uses. Recordings nest: the outer one installs the wrappers,
    and every recording in progress gets what each statement read (or what
    `add()` gives for output that sent none, a cache hit)."""

    def __init__(self, name, select):
        self.select = select
        self._recordings = contextvars.ContextVar(name, default=())

    def add(self, tables):
        """Add `tables` to every recording in progress."""
        for recorded in self._recordings.get():
            recorded.update(tables)

    def _watch(self, execute, sql, params, many, context):
        self.add(self.select(sql))
        return execute(sql, params, many, context)

    @contextmanager
    def recording(self):
        from django.db import connections

        recorded = set()
        outer = self._recordings.get()
        token = self._recordings.set((*outer, recorded))
        with contextlib.ExitStack() as stack:
            if not outer:  # An outer recording has installed the wrappers.
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(self._watch))
            try:
                yield recorded
            finally:
                self._recordings.reset(token)


_content_reads = SqlReads("table_recorders", tables_in_sql)


def note_tables_read(tables):
    """Add `tables` to every recording in progress (a cache hit's tables)."""
    _content_reads.add(tables)


def recording_tables():
    """Yield a set that fills with the content tables read inside the block.

    Covers every database connection the block uses in this thread.
    """
    return _content_reads.recording()


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


def page_url(request):
    """The address a page is stored under.

    Scheme and host are part of it because feeds and the sitemap print
    absolute URLs. GET and HEAD share it.
    """
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:40]


class PageState:
    """What a request needs to find its page: versions, schedule, the index.

    `versions` holds every content table's version (and `EVERYTHING`'s),
    read before anything is rendered: a page rendered now is stored under
    these, never under versions read after its queries ran, which an edit
    committed in between could have moved past the rows it read.
    """

    def __init__(self, url, version, versions, next_publication_at, index):
        self.url = url
        self.version = version
        self.versions = versions
        self.next_publication = next_publication_at
        self.timeout = page_timeout(next_publication_at)
        self.index_key = INDEX_KEY.format(url=_digest(url))
        self.index = index

    @property
    def tables(self):
        """The tables this URL's page read last time, or None if unknown."""
        return frozenset(self.index[0]) if self.index else None

    def page_key(self, tables):
        """This URL's page key when rendered from `tables`; None if one has no version.

        `EVERYTHING` is always part of it, and the schedule is, so the page
        goes stale on a deploy and when a scheduled item comes out.
        """
        tables = set(tables) | {EVERYTHING}
        if not tables <= self.versions.keys():
            return None  # Not a content table: its changes would go unseen.
        stamp = ";".join(f"{table}={self.versions[table]}" for table in sorted(tables))
        schedule = f"{self.next_publication:.0f}"
        return PAGE_KEY.format(
            next_publication=schedule, digest=_digest(f"{self.url}\n{stamp}")
        )

    def lock_key(self):
        """The render lock of this page as it is now.

        Keyed by the page key under the index's tables: every request that
        would look for the same page waits for the same render, and none
        that read newer versions waits for a render begun before an edit.
        Without a usable index, by every version there is: just as safe.
        """
        tables = self.tables
        if tables is None:
            tables = self.versions.keys()
        key = self.page_key(tables) or self.page_key(self.versions.keys())
        return LOCK_KEY.format(digest=_digest(key))


@functools.cache
def _page_version_keys():
    """{cache key: table} of every version a page key may hold."""
    tables = content_tables() | {EVERYTHING}
    return {TABLE_VERSION_KEY.format(table=table): table for table in tables}


def valid_index(entry):
    """An index entry as stored by the middleware, or None if it is not one.

    ((table, …), compressed): the tables the URL's page read last time and
    whether it has compressed variants. Anything else (an entry written by
    another release) counts as unknown.
    """
    if (
        isinstance(entry, tuple)
        and len(entry) == 2
        and isinstance(entry[0], tuple)
        and all(isinstance(table, str) for table in entry[0])
        and isinstance(entry[1], bool)
    ):
        return entry
    return None


def read_page_state(request):
    """The PageState of `request`, in one cache round trip; None if not to be cached.

    None when the cache is down, or when a scheduled item is due this very
    second (timeout 0). Reads the content version (for the schedule), the
    URL's index entry and every table version with a single `get_many`.
    """
    if not recover_after_outage():
        return None
    url = page_url(request)
    version_keys = _page_version_keys()
    index_key = INDEX_KEY.format(url=_digest(url))
    cache = page_cache()
    try:
        found = cache.get_many([VERSION_KEY, index_key, *version_keys])
        version = found.get(VERSION_KEY)
        if version is None:
            version = get_content_version()
        versions = {table: found.get(key) for key, table in version_keys.items()}
        if None in versions.values():  # First use, or lost: start new series.
            versions.update(
                table_versions(table for table, v in versions.items() if v is None)
                or {}
            )
        if version is None or None in versions.values():
            return None
        index = valid_index(found.get(index_key))
        state = PageState(url, version, versions, next_publication(version), index)
    except Exception:
        logger.warning("Page cache lookup failed; rendering.", exc_info=True)
        note_cache_failure()
        return None
    return state if state.timeout else None
