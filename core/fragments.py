"""Cached fragments of pages, keyed by what they show.

    {% load fragment_cache %}
    {% cachedfragment "signature-tables" declaration sorting.value %}
      …a loop over a few hundred rows…
    {% endcachedfragment %}

The whole-page cache (core.middleware_cache) answers a repeat visitor; this
answers the first visitor after an edit, a visitor with a query string no
one asked before, and every page when the page cache is off, by reusing the
expensive parts of a page (a table of 200 signatures, the matrix) that the
edit did not touch.

A fragment's key is made of:

- its name and the template it is in;
- the values it *varies on*, the tag's arguments: query parameters as the
  view understood them, the day, the request's host for absolute links. A
  model instance counts by its loaded field values (and those of the related
  objects loaded with it): the view fetched it before the fragment ran, so
  no recording could see that query, and an edit to it must change the key;
- the versions (core.cache) of every content table the SQL inside the
  fragment read when it was rendered, recorded by `recording_tables()`; an
  edit bumps its table's version, so a signature saved makes every fragment
  that read signatures unreachable, and leaves the article lists alone.
  A few tables outside the content apps are versioned the same way
  (FRAGMENT_CACHE_VERSIONED_MODELS: revisions, for "Cite this record");
- when the next scheduled item goes live (`core.cache.next_publication`):
  Publishable items become public by the clock, without any save;
- for a fragment that reads no table at all (links to static files), the
  site-wide content version, which a deploy bumps (gunicorn.conf.py).

Which tables a fragment reads is known only once it has been rendered, so it
is stored beside the fragment (`fragment-tables:<name>:<vary>`) and kept per
process; it is a hint, never trusted: a key always holds the very table set
its fragment read, so a stale hint can only cause a miss.

The versions are read once per request, in one round trip, when its first
fragment is looked up, and so before any fragment's SQL runs: a fragment
rendered while an edit commits is stored under the versions from before the
edit and never reached again. As a key names one content forever, each
process keeps the fragments it used lately (`LocalCopies`): a page then
costs that one round trip. After an edit, one process renders a fragment
while the others wait for it (FRAGMENT_CACHE_WAIT) rather than all render it
at once.

A fragment whose SQL reads a table that has no version (users, images) is
rendered but never stored: an edit there would not reach it. So is one that
carries a CSRF token or a CSP nonce, every fragment of a staff preview, and
every fragment of a template rendered without a request (an error page).

What a fragment shows must come from the database *inside* it, so that the
recording sees it. Views hand their templates lazy values: querysets, and for
anything computed, `recorded_property` or `ReadLater`, which remember the
tables they read and tell every fragment that uses them, so a value that one
fragment computed and another reuses still keys both. Model instances the
view fetched itself count by their values, as above. A view whose page is
mostly fragments answers with `FragmentTemplateResponse`, which splices them
in as bytes.

Cache server down: the fragment is rendered as if there were no cache.
"""

import collections
import contextvars
import datetime
import functools
import hashlib
import logging
import math
import pickle
import secrets
import threading
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

from core import cache as content_cache

logger = logging.getLogger(__name__)

INDEX_KEY = "fragment-tables:{name}:{vary}"
FRAGMENT_KEY = "fragment:{digest}"
LOCK_KEY = "fragment-lock:{name}:{vary}"
_POLL_SECONDS = 0.02
# In the index instead of a list of tables: the fragment is not stored.
UNCACHEABLE = "uncacheable"
UNCACHEABLE_TIMEOUT = 60

DEFAULTS = {
    # Off with DEBUG (config/settings.py), where templates change without
    # any edit to the content.
    "FRAGMENT_CACHE_ENABLED": True,
    # "app_label.Model" of models outside the content apps whose rows pages
    # print: their tables get versions too (see extra_versioned_tables).
    "FRAGMENT_CACHE_VERSIONED_MODELS": (),
    # While one process renders a fragment, how long the others wait for it
    # before rendering it themselves (its render failed, or is slow).
    "FRAGMENT_CACHE_WAIT": 3.0,
    # How long the render's lock outlives a process that died holding it.
    "FRAGMENT_CACHE_LOCK_TIMEOUT": 30,
}

# Tables that have no version but never change what a page shows.
UNVERSIONED_BUT_SAFE = frozenset({"django_content_type"})

# Output that must never be shared between visitors.
PERSONAL_MARKERS = ("csrfmiddlewaretoken", "nonce=")

# Per process: (name, vary) -> the tables the fragment read when last
# rendered. Only a hint (see the module docstring).
_table_hints = {}
_HINTS_SIZE = 4096

_SNAPSHOT_ATTRIBUTE = "_fragment_cache_snapshot"


def setting(name):
    return getattr(settings, name, DEFAULTS[name])


def enabled():
    return setting("FRAGMENT_CACHE_ENABLED")


# -- what a fragment varies on ---------------------------------------------------


def fingerprint(value, _seen=None, _memo=None):
    """A stable text for a vary-on value, the same in every process.

    Raises TypeError for a value with no stable text (an arbitrary object's
    repr carries its address): that is a template bug, not bad input.
    """
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str | Promise):
        return "s" + repr(str(value))
    if isinstance(value, datetime.date):  # datetimes too
        return "d" + value.isoformat()
    if isinstance(value, Model):
        if _memo is None:
            return instance_fingerprint(value, _seen)
        # One page's fragments often vary on the same instance: its values
        # are read once per request. The instance is kept with its text so
        # that its id cannot be reused by another object meanwhile.
        known = _memo.get(id(value))
        if known is None or known[0] is not value:
            known = _memo[id(value)] = (value, instance_fingerprint(value, _seen))
        return known[1]
    if isinstance(value, QueryDict):
        return "q" + repr(sorted(value.lists()))
    if isinstance(value, list | tuple | frozenset | set):
        items = [fingerprint(item, _seen, _memo) for item in value]
        if isinstance(value, frozenset | set):
            items.sort()
        return "[" + ",".join(items) + "]"
    raise TypeError(
        f"A cached fragment cannot vary on a {type(value).__name__}: give it "
        "strings, numbers, dates, model instances or lists of these."
    )


# Types whose repr names their value the same way in every process.
_PLAIN_TYPES = frozenset(
    {str, int, float, bool, type(None), datetime.date, datetime.datetime}
)


def instance_fingerprint(obj, _seen=None):
    """A model instance by its loaded values and those loaded with it.

    Deferred fields are left out: reading one inside the fragment sends SQL,
    which the recording sees.
    """
    seen = set() if _seen is None else _seen
    identity = (obj._meta.label, obj.pk)
    if identity in seen:
        return f"<{obj._meta.label}:{obj.pk}>"
    seen.add(identity)
    parts = [obj._meta.label]
    loaded = obj.__dict__
    for field in obj._meta.concrete_fields:
        name = field.attname
        if name in loaded:
            value = loaded[name]
            # Most values' repr is already stable (and much cheaper than the
            # field's own text); anything else goes through the field.
            if type(value) not in _PLAIN_TYPES:
                value = field.value_to_string(obj)
            parts.append(f"{name}={value!r}")
    for name, related in sorted(obj._state.fields_cache.items()):
        parts.append(
            f"{name}:"
            + ("None" if related is None else instance_fingerprint(related, seen))
        )
    prefetched = getattr(obj, "_prefetched_objects_cache", {})
    for name, queryset in sorted(prefetched.items()):
        items = [instance_fingerprint(item, seen) for item in queryset]
        parts.append(f"{name}:[{','.join(items)}]")
    return "(" + ";".join(parts) + ")"


def vary_digest(values, memo=None):
    text = "|".join(fingerprint(value, _memo=memo) for value in values)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


# -- the versions a request sees -----------------------------------------------------


class Snapshot:
    """The table versions and the next publication, read once per request."""

    def __init__(self, versions, next_publication, content_version=0):
        self.versions = versions
        self.next_publication = next_publication
        self.content_version = content_version
        self.fingerprints = {}  # id(instance) -> (instance, its fingerprint)

    def key(self, name, vary, tables):
        """The fragment's key under these versions; None if a table has none
        (a hint from an older release)."""
        parts = [name, vary, f"{self.next_publication:.0f}"]
        for table in sorted(tables):
            version = self.versions.get(table)
            if version is None:
                return None
            parts.append(f"{table}={version}")
        if not tables:
            # A fragment that reads nothing (links to static files, reversed
            # URLs) must still go with a new release, whose start bumps the
            # content version (gunicorn.conf.py); edits bump it too, and such
            # a fragment is cheap to make again.
            parts.append(f"content={self.content_version}")
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
        return FRAGMENT_KEY.format(digest=digest)

    def timeout(self, now=None):
        """Seconds to keep a fragment: no longer than until the next
        scheduled item goes live (its key changes then anyway)."""
        # As long as a page: edits reach fragments through their keys at
        # once, so this bounds the memory an unused fragment holds, and, with
        # a cache in local memory and several processes (a set-up gunicorn
        # warns about), how long another process's edit can go unseen.
        timeout = content_cache.setting("PAGE_CACHE_TIMEOUT")
        if self.next_publication != content_cache.NOTHING_SCHEDULED:
            now = time.time() if now is None else now
            timeout = min(timeout, math.floor(self.next_publication - now))
        return max(timeout, 0)


def take_snapshot():
    """The current Snapshot, or None when the cache cannot be used.

    One round trip: every table version and the content version (for the
    next publication, itself remembered per process) in one `get_many`.
    Missing ones (a new table, a flushed cache) are created the slow way.
    """
    try:
        tables = versioned_tables()
        keys = {content_cache.TABLE_VERSION_KEY.format(table=t): t for t in tables}
        found = content_cache.page_cache().get_many([*keys, content_cache.VERSION_KEY])
        version = found.pop(content_cache.VERSION_KEY, None)
        if version is not None and len(found) == len(keys):
            versions = {keys[key]: value for key, value in found.items()}
        else:
            versions = content_cache.table_versions(tables)
            version = content_cache.get_content_version()
            if versions is None or version is None:
                return None
        return Snapshot(versions, content_cache.next_publication(version), version)
    except Exception:
        logger.warning("Fragment cache unavailable; rendering.", exc_info=True)
        return None


class LocalCopies:
    """The fragments this process read or stored lately, by key.

    Sound because a key names one content forever: it holds the versions of
    every table the fragment read, and versions are never reused. So a page
    whose fragments are here costs one round trip to the cache server (the
    versions), whatever its number of fragments. Bounded in size, least
    recently used first out.

    HTML is kept as UTF-8, ready to be spliced into a response (see
    `FragmentTemplateResponse`); other values pickled, so that each request
    gets its own copy to change.
    """

    TEXT, PICKLED = "text", "pickled"

    def __init__(self, max_size):
        self.max_size = max_size
        self.size = 0
        self.kept = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, as_bytes=False):
        """(value,) or None; text comes back as UTF-8 bytes if `as_bytes`."""
        with self.lock:
            entry = self.kept.get(key)
            if entry is None:
                return None
            self.kept.move_to_end(key)
        form, data = entry
        if form == self.PICKLED:
            return (pickle.loads(data),)
        return (data if as_bytes else mark_safe(data.decode()),)

    def put(self, key, value):
        if isinstance(value, str):
            entry = (self.TEXT, value.encode())
        else:
            entry = (self.PICKLED, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        size = len(entry[1])
        if size > self.max_size // 4:
            return
        with self.lock:
            old = self.kept.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            self.kept[key] = entry
            self.size += size
            while self.size > self.max_size:
                _, dropped = self.kept.popitem(last=False)
                self.size -= len(dropped[1])

    def clear(self):
        with self.lock:
            self.kept.clear()
            self.size = 0


local_copies = LocalCopies(max_size=8 * 1024 * 1024)


def request_snapshot(request):
    """One Snapshot per request (None without a request: a fresh one each time).

    Reused for every fragment of the page, so a page costs one round trip
    for the versions whatever the number of its fragments, and shows the
    content of one moment.
    """
    if request is None:
        return take_snapshot()
    snapshot = getattr(request, _SNAPSHOT_ATTRIBUTE, False)
    if snapshot is False:
        snapshot = take_snapshot()
        setattr(request, _SNAPSHOT_ATTRIBUTE, snapshot)
    return snapshot


# -- tables outside the content apps -----------------------------------------------
#
# Content tables have versions (core.cache). A few tables of other apps hold
# rows a page prints too: FRAGMENT_CACHE_VERSIONED_MODELS (settings) lists
# their models ("Cite this record" prints the date of an item's newest
# revision), which get versions the same way, bumped by their own signals.
# Any other table a fragment reads makes it uncacheable.


@functools.cache
def extra_versioned_tables():
    """Tables of FRAGMENT_CACHE_VERSIONED_MODELS: versioned like content."""
    return frozenset(
        apps.get_model(label)._meta.db_table
        for label in setting("FRAGMENT_CACHE_VERSIONED_MODELS")
    )


def versioned_tables():
    # core.cache counts the extra ones among its versioned tables, so the
    # page cache and the fragments key by one set.
    return content_cache.content_tables()


@functools.cache
def unversioned_tables():
    """Tables of every installed model that have no version of their own."""
    every = {
        model._meta.db_table for model in apps.get_models(include_auto_created=True)
    }
    return frozenset(every - versioned_tables() - UNVERSIONED_BUT_SAFE)


def extra_rows_changed(sender, using=None, **kwargs):
    """A row of a FRAGMENT_CACHE_VERSIONED_MODELS model saved or deleted.

    Bumped now and on commit, like content (core.cache), and inside an
    import's batch too: a batch bumps only the content tables at its end.
    """
    tables = extra_versioned_tables()

    def bump():
        content_cache.bump_table_versions(tables)

    if transaction.get_connection(using).in_atomic_block:
        bump()
    transaction.on_commit(bump, using=using)


def connect_extra_signals():
    for label in setting("FRAGMENT_CACHE_VERSIONED_MODELS"):
        model = apps.get_model(label)
        uid = f"fragment-cache:{label}"
        post_save.connect(extra_rows_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(extra_rows_changed, sender=model, dispatch_uid=uid)


def unversioned_tables_in_sql(sql):
    """The tables without a version that an SQL statement names."""
    return unversioned_tables() & content_cache.sql_identifiers(sql)


# The versioned tables, extra ones included, go into the recordings of
# core.cache.recording_tables; this one only looks for the others.
_unversioned_reads = content_cache.SqlReads(
    "unversioned_table_watchers", unversioned_tables_in_sql
)
note_unversioned_tables_read = _unversioned_reads.add


def watching_unversioned_tables():
    """Yield a set that fills with the unversioned tables read inside the block.

    Nests like `core.cache.recording_tables`.
    """
    return _unversioned_reads.recording()


@contextmanager
def recording_reads():
    """(versioned tables, unversioned tables) read inside the block."""
    with (
        content_cache.recording_tables() as tables,
        watching_unversioned_tables() as unversioned,
    ):
        yield tables, unversioned  # tables: content and extra versioned ones


# -- values worked out when a fragment needs them -------------------------------


class _Reading:
    """A value computed once, with the tables it read; every later use tells
    the recordings in progress, as a fragment's cache hit does.

    Without this, a value one fragment computed and a second fragment
    reused would reach the second without any SQL, and the second would be
    keyed as if it showed nothing from the database.
    """

    __slots__ = ("value", "tables", "unversioned")

    def __init__(self, compute):
        with recording_reads() as (tables, unversioned):
            self.value = compute()
        self.tables = frozenset(tables)
        self.unversioned = frozenset(unversioned)

    def use(self):
        content_cache.note_tables_read(self.tables)
        note_unversioned_tables_read(self.unversioned)
        return self.value


class recorded_property:  # noqa: N801 (a decorator, named like cached_property)
    """`cached_property` for what a fragment shows: computed on first use
    (inside a fragment, on a miss), and every use notes the tables it read.

    For the objects a view hands its template, e.g. a listing whose page of
    articles both the title fragment and the list fragment print.
    """

    def __init__(self, compute):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        # Not under its own name: the instance's entry would hide this
        # descriptor, and later reads would skip `use()`.
        slot = f"_reading_{self.name}"
        reading = instance.__dict__.get(slot)
        if reading is None:
            reading = instance.__dict__[slot] = _Reading(lambda: self.compute(instance))
        return reading.use()


class ReadLater:
    """A lazy value for a template (a dict, a list, an object): computed on
    first use, noting the tables it read on every use (see `_Reading`).

    Templates reach into it with `value.key`, `value.0`, `{% for %}` and
    `{% if %}`.
    """

    def __init__(self, compute):
        self._compute = compute
        self._reading = None

    def _use(self):
        if self._reading is None:
            self._reading = _Reading(self._compute)
        return self._reading.use()

    def __getitem__(self, key):
        return self._use()[key]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._use(), name)

    def __iter__(self):
        return iter(self._use())

    def __len__(self):
        return len(self._use())

    def __bool__(self):
        return bool(self._use())


# -- rendering ------------------------------------------------------------------------


def cached_render(name, vary_values, render, request=None):
    """`render()`'s output, from the cache when nothing it showed has changed.

    `name` says what the fragment is (unique per template), `vary_values`
    what else its output depends on (see `fingerprint`), `render` makes it
    (a callable returning HTML). The result is safe HTML either way; inside
    a `FragmentTemplateResponse` a placeholder that the response replaces
    with the fragment's UTF-8 bytes.
    """
    splice = _splices.get()
    # Inside another fragment's render the text itself is needed: the outer
    # fragment stores it.
    if splice is not None and _depth.get() == 0:
        data = cached_value(
            name, vary_values, render, request, _shareable_html, as_bytes=True
        )
        return splice.placeholder(data)
    return mark_safe(cached_value(name, vary_values, render, request, _shareable_html))


def _shareable_html(html):
    return not any(marker in html for marker in PERSONAL_MARKERS)


# How many fragments are being rendered (on a miss) around this point.
_depth = contextvars.ContextVar("fragments_being_rendered", default=0)


def cached_value(
    name, vary_values, compute, request=None, shareable=None, as_bytes=False
):
    """`compute()`'s result, from the cache when nothing it read has changed.

    The mechanism of `cached_render` for any value that pickles: a model
    instance a view looks up, a list of rows. `shareable(value)` may refuse
    to store one result (say, one that carries a visitor's token). Text
    comes back as UTF-8 bytes if `as_bytes`.
    """

    def fresh(value):
        return value.encode() if as_bytes and isinstance(value, str) else value

    if not enabled():
        return fresh(compute())
    snapshot = request_snapshot(request)
    if snapshot is None:
        return fresh(compute())
    vary = vary_digest(vary_values, snapshot.fingerprints)
    cache = content_cache.page_cache()
    hint = (name, vary)

    try:
        found, value = _lookup(cache, snapshot, name, vary, as_bytes, hint=True)
    except Exception:
        logger.warning("Fragment cache lookup failed; rendering.", exc_info=True)
        return fresh(compute())
    if found is True:
        return value
    if found is UNCACHEABLE:
        return fresh(compute())

    # One process renders, the others wait for its result rather than all
    # rendering the same fragment at once after an edit (or a deploy).
    lock_key = LOCK_KEY.format(name=name, vary=vary)
    try:
        leader = cache.add(lock_key, 1, setting("FRAGMENT_CACHE_LOCK_TIMEOUT"))
    except Exception:
        leader = False
    if not leader:
        found, value = _wait_for(cache, snapshot, name, vary, as_bytes)
        if found is True:
            return value
    try:
        return _render_and_store(
            cache, snapshot, name, vary, compute, shareable, fresh, hint
        )
    finally:
        if leader:
            try:
                cache.delete(lock_key)
            except Exception:
                logger.warning("Could not release a fragment's lock.", exc_info=True)


def _lookup(cache, snapshot, name, vary, as_bytes, hint):
    """(True, value) for a stored fragment; (UNCACHEABLE, None) for one that
    is not stored (see `_render_and_store`); else (False, None).

    With `hint`, the tables come from this process's note when it has one;
    else from the cache, where a renderer in another process writes them.
    """
    index_key = INDEX_KEY.format(name=name, vary=vary)
    tables = _table_hints.get((name, vary)) if hint else None
    if tables is None:
        tables = cache.get(index_key)
    if tables == UNCACHEABLE:
        return UNCACHEABLE, None
    key = snapshot.key(name, vary, tables) if tables is not None else None
    if key is None:
        return False, None
    stored = local_copies.get(key, as_bytes)
    if stored is None:
        stored = cache.get(key)
        if stored is None:
            return False, None
        local_copies.put(key, stored[0])
        value = stored[0]
        stored = (value.encode() if as_bytes and isinstance(value, str) else value,)
    _remember_hint((name, vary), tables)
    # An enclosing recording (a page cached by the tables it read) must learn
    # what this fragment read, though no SQL was sent.
    content_cache.note_tables_read(tables)
    return True, stored[0]


def _wait_for(cache, snapshot, name, vary, as_bytes):
    """Poll for the fragment another process is rendering, for a while."""
    deadline = time.monotonic() + setting("FRAGMENT_CACHE_WAIT")
    while time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
        try:
            found, value = _lookup(cache, snapshot, name, vary, as_bytes, hint=False)
        except Exception:
            return False, None
        if found is not False:
            return found, value
    return False, None


def _render_and_store(cache, snapshot, name, vary, compute, shareable, fresh, hint):
    index_key = INDEX_KEY.format(name=name, vary=vary)
    depth = _depth.set(_depth.get() + 1)
    try:
        with recording_reads() as (recorded, unversioned):
            value = compute()
    finally:
        _depth.reset(depth)
    if unversioned or (shareable is not None and not shareable(value)):
        if unversioned:
            logger.debug("Fragment %s read %s: not stored.", name, sorted(unversioned))
        # Said in the index, so that other processes render it at once
        # instead of waiting for it; for a while, as what it reads may change.
        try:
            cache.set(index_key, UNCACHEABLE, UNCACHEABLE_TIMEOUT)
        except Exception:
            logger.warning("Could not mark a fragment uncacheable.", exc_info=True)
        return fresh(value)
    timeout = snapshot.timeout()
    if not timeout:
        return fresh(value)
    tables = sorted(recorded)
    key = snapshot.key(name, vary, tables)
    try:
        # In a tuple, so that a stored None is told from a miss.
        cache.set_many({key: (value,), index_key: tables}, timeout)
        local_copies.put(key, value)
    except Exception:
        logger.warning("Could not store a fragment in the cache.", exc_info=True)
        return fresh(value)
    _remember_hint(hint, tables)
    return fresh(value)


# -- splicing fragments into a response as bytes -----------------------------------


_splices = contextvars.ContextVar("fragment_splice", default=None)


class Splice:
    """The fragments of one response, kept as UTF-8 bytes while the page's
    text is rendered around placeholders, then joined as bytes.

    A page of several hundred kilobytes made of cached fragments then costs a
    copy of its bytes: encoding the whole page, which is slow as soon as it
    holds one character outside ASCII, and joining its text level by level
    in the template engine, are left to the few kilobytes around them.
    """

    def __init__(self):
        self.prefix = f"<!--fragment:{secrets.token_hex(8)}:"
        self.parts = []

    def placeholder(self, data):
        self.parts.append(data)
        return mark_safe(f"{self.prefix}{len(self.parts) - 1}-->")

    def join(self, text):
        """The page as UTF-8 bytes; None if a placeholder was changed or
        lost on the way (a filter applied to a fragment's output)."""
        pieces = text.split(self.prefix)
        joined = [pieces[0].encode()]
        used = set()
        for piece in pieces[1:]:
            number, end, rest = piece.partition("-->")
            if not end or not number.isdigit() or int(number) >= len(self.parts):
                return None
            used.add(int(number))
            joined += (self.parts[int(number)], rest.encode())
        if len(used) != len(self.parts):
            return None
        return b"".join(joined)


class FragmentTemplateResponse(TemplateResponse):
    """A TemplateResponse that splices its cached fragments in as bytes
    (see `Splice`): for pages made mostly of large cached fragments.

    The bytes are the same as a plain TemplateResponse's. Should a template
    change a fragment's output on its way into the page (a filter over it),
    the page is rendered again the plain way, and the mistake logged.
    """

    def render(self):
        retval = self
        if not self._is_rendered:
            self.content = self.spliced_content()
            for post_callback in self._post_render_callbacks:
                newretval = post_callback(retval)
                if newretval is not None:
                    retval = newretval
        return retval

    def spliced_content(self):
        if self.charset.lower().replace("-", "") != "utf8":
            return self.rendered_content
        splice = Splice()
        token = _splices.set(splice)
        try:
            text = self.rendered_content
        finally:
            _splices.reset(token)
        content = splice.join(text)
        if content is None:
            logger.error(
                "A cached fragment's output was changed on its way into %s; "
                "rendered without splicing.",
                self.template_name,
            )
            return self.rendered_content
        return content


def _remember_hint(hint, tables):
    if len(_table_hints) >= _HINTS_SIZE:
        _table_hints.clear()
    _table_hints[hint] = tables
