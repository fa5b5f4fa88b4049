"""Whole-page cache, compression and conditional GET.

`PageCacheMiddleware` sits high in MIDDLEWARE, just below the security and
static-file middleware, so a cache hit skips sessions, CSRF, authentication
and the view: two cache reads answer a burst of visitors. It applies to every
public page, feed, sitemap and CSV without those views knowing about it.

A request is one of three kinds:

- *untouched*: not GET/HEAD, or the admin and editor tools. Passed through,
  never compressed (see "Compression" below).
- *personal*: it carries a session or messages cookie or credentials, or asks
  for a staff preview. Never looked up or stored; marked `private, no-store`
  when the visitor turned out to be logged in or it was a preview.
- *public*: everything else. Looked up in the cache; on a miss the response
  is stored when it is safe to share (below), unless its view marked it
  `mark_unstored` (a search with a query: public, but each one a one-off).

A response is shared (stored, `Cache-Control: public`) only when it is a
200 that sets no cookie (so no CSRF token and no session), is not streamed,
varies on nothing but `Cookie` (and `Accept-Encoding`, which the cache keys
by), and its view did not mark it private.

Finding a page (core/cache.py has the versions and keys): one `get_many`
reads every table version and the URL's index entry (the tables its page
read last time), a second read fetches the page stored under those tables'
versions, in the encoding the client accepts. On a miss the view's SQL is
recorded while it renders, and the page is stored under the tables it read.
`X-Cache` says HIT, MISS (rendered and stored) or WAIT (another worker was
rendering the same page; this request waited for its result).

No stampede: when a page misses, the first request takes a short lock (a
cache `add`) and renders; the others asking for the very same page (same
URL, same versions) poll for its result in small steps, at most
PAGE_CACHE_LOCK_WAIT seconds, then render it themselves. They only ever
accept the page stored under the versions they read, so an edit made before
they asked is never hidden from them.

Compression: a response whose type is text (HTML, feeds, CSV, JSON, SVG…)
and whose body is worth it goes out with brotli or gzip when the client
accepts one, with `Vary: Accept-Encoding` whatever the client sent. Stored
pages keep every variant beside the identity one, so a hit costs no
compression. Each variant has its own strong ETag (the identity ETag with
`-gz` or `-br` inside the quotes) and the compression is deterministic, so a
given ETag always names the same bytes. Responses not stored (personal pages,
searches, 404s) are compressed here too, on the way out, with one exception
against BREACH: a response that used the CSRF token is never compressed
(nor is the admin, whose pages all carry one), because compressing a secret
next to text an attacker chose lets them guess the secret from the sizes.

Every shared response carries a strong `ETag` (a hash of its body), and a
request whose `If-None-Match` matches gets `304 Not Modified` (with the same
`Vary`) — from the cache without rendering when the page is stored.
"""

import gzip
import hashlib
import logging
import time
import zlib

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe

from core import cache as page_cache

try:  # Optional: without it, gzip only.
    import brotli
except ImportError:  # pragma: no cover - requirements.txt pins it
    brotli = None

logger = logging.getLogger(__name__)

UNTOUCHED, PERSONAL, PUBLIC = "untouched", "personal", "public"

# Cookies whose presence may change a page: a logged-in session, or a flash
# message waiting to be shown.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
PRIVATE_DIRECTIVES = {"private", "no-store", "no-cache"}
CACHE_STATUS_HEADER = "X-Cache"


def classify(request):
    if request.method not in ("GET", "HEAD"):
        return UNTOUCHED
    if request.path.startswith(tuple(page_cache.setting("PAGE_CACHE_EXCLUDED_PATHS"))):
        return UNTOUCHED
    if request.GET.get("preview") == "1":
        return PERSONAL
    if "HTTP_AUTHORIZATION" in request.META or any(
        name in request.COOKIES for name in PERSONAL_COOKIES
    ):
        return PERSONAL
    return PUBLIC


def cache_control_directives(response):
    return {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        if directive.strip()
    }


def vary_headers(response):
    return {
        header.strip().lower()
        for header in cc_delim_re.split(response.get("Vary", ""))
        if header.strip()
    }


def uses_csrf_token(request, response):
    """Did this response use the CSRF token (so it may hold one in its body)?

    The CSRF middleware sets its cookie whenever a template used
    {% csrf_token %}; the META flag covers a token issued after it ran.
    """
    return bool(
        settings.CSRF_COOKIE_NAME in response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def is_shareable(request, response):
    """May every anonymous visitor receive this very response?"""
    if response.status_code != 200 or response.streaming:
        return False
    # Encoded by the view itself: the cache could not tell which clients
    # accept it, since it keys the variants it makes itself.
    if response.has_header("Content-Encoding"):
        return False
    # A cookie means a CSRF token, a session or something else per visitor.
    if response.cookies or uses_csrf_token(request, response):
        return False
    if cache_control_directives(response) & PRIVATE_DIRECTIVES:
        return False
    # The key holds the URL (and the encoding) only; a page varying on
    # anything else must not be shared. Personal requests, which carry the
    # cookies that matter, never reach here.
    return vary_headers(response) <= {"cookie", "accept-encoding"}


def add_public_headers(response):
    directives = cache_control_directives(response)
    patch_cache_control(
        response,
        public=True,
        **(
            {}
            if "max-age" in directives  # The view chose its own lifetime.
            else {
                "max_age": page_cache.setting("PAGE_CACHE_MAX_AGE"),
                "stale_while_revalidate": page_cache.setting(
                    "PAGE_CACHE_STALE_WHILE_REVALIDATE"
                ),
            }
        ),
    )
    if not response.has_header("ETag"):
        # SHA-256 rather than BLAKE2: CPUs with SHA extensions (most servers
        # today) hash it about twice as fast, and a declaration page is
        # 180 KB hashed on every uncached request.
        digest = hashlib.sha256(response.content).hexdigest()[:32]
        response["ETag"] = f'"{digest}"'


def freeze(response):
    """What the cache keeps of a response: its body and headers, nothing else."""
    return response.content, list(response.items())


def thaw(entry):
    content, headers = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


# -- compression ----------------------------------------------------------------

IDENTITY, GZIP, BROTLI = "identity", "gzip", "br"
# Fixed settings, so that the same body always compresses to the same bytes:
# a strong ETag must name one sequence of bytes, and a page compressed on the
# fly (cache off, HEAD) must match the copy stored beside the cached page.
# Both cost a few milliseconds for the largest page (a declaration with 200
# signatures, 780 KB of HTML: gzip 25 KB, brotli 19 KB); higher levels save
# little more and take 4 to 400 times as long on every miss.
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
# Smaller bodies fit a single network packet anyway.
MIN_COMPRESSED_BYTES = 1024
ETAG_SUFFIXES = {GZIP: "gz", BROTLI: "br"}
# Our preference among encodings the client weighs equally: smallest first.
ENCODINGS = (BROTLI, GZIP) if brotli is not None else (GZIP,)
# Text, whatever its flavour. Images (PNG share cards, uploads), archives and
# fonts are compressed already: recompressing costs time and saves nothing.
COMPRESSIBLE_SUBTYPES = {"javascript", "json", "xml"}


def accepted_encoding(header):
    """The encoding to send for an Accept-Encoding header: br, gzip or identity.

    Honours q-values (`q=0` refuses), the `*` wildcard and the old `x-gzip`;
    a malformed weight counts as a refusal.
    """
    weights = {}
    for part in header.split(","):
        name, _, parameters = part.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights["gzip" if name == "x-gzip" else name] = weight

    def weight_of(encoding):
        return weights.get(encoding, weights.get("*", 0.0))

    acceptable = [e for e in ENCODINGS if weight_of(e) > 0]  # NaN is not > 0
    if not acceptable:
        return IDENTITY
    return max(acceptable, key=weight_of)  # The first of equals wins.


def is_compressible_type(content_type):
    media_type = content_type.split(";", 1)[0].strip().lower()
    main, _, subtype = media_type.partition("/")
    if main == "text" or media_type == "image/svg+xml":
        return True
    return main == "application" and (
        subtype in COMPRESSIBLE_SUBTYPES or subtype.endswith(("+json", "+xml"))
    )


def may_compress(request, response):
    """Would this response go out compressed to a client that accepts it?"""
    if response.status_code in (204, 304) or response.has_header("Content-Encoding"):
        return False
    if not is_compressible_type(response.get("Content-Type", "")):
        return False
    # BREACH: never compress a body that may hold the CSRF token.
    if uses_csrf_token(request, response):
        return False
    if response.streaming:
        length = response.get("Content-Length", "")
        return not length.isdigit() or int(length) >= MIN_COMPRESSED_BYTES
    return len(response.content) >= MIN_COMPRESSED_BYTES


def compress(content, encoding):
    if encoding == BROTLI:
        return brotli.compress(content, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


def compress_stream(chunks, encoding):
    if encoding == BROTLI:
        compressor = brotli.Compressor(quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
        for chunk in chunks:
            if out := compressor.process(chunk):
                yield out
        yield compressor.finish()
    else:
        # wbits 31: a gzip wrapper, with no timestamp in its header.
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        for chunk in chunks:
            if out := compressor.compress(chunk):
                yield out
        yield compressor.flush()


def encoded_etag(etag, encoding):
    """The ETag of the `encoding` variant: the identity tag with a suffix.

    A strong tag stays strong (the compression is deterministic) and a weak
    one weak. None if the tag is malformed: better no tag than one shared by
    two different bodies.
    """
    weak = etag.startswith("W/")
    tag = etag[2:] if weak else etag
    if len(tag) < 2 or tag[0] != '"' or tag[-1] != '"':
        return None
    return f'{"W/" if weak else ""}"{tag[1:-1]}-{ETAG_SUFFIXES[encoding]}"'


def encode_response(response, encoding):
    """Compress `response` in place; False if it was not worth it."""
    if response.streaming:
        response.streaming_content = compress_stream(
            response.streaming_content, encoding
        )
        del response["Content-Length"]
    else:
        packed = compress(response.content, encoding)
        if len(packed) >= len(response.content):
            return False
        response.content = packed
        response["Content-Length"] = str(len(packed))
    response["Content-Encoding"] = encoding
    if response.has_header("ETag"):
        etag = encoded_etag(response["ETag"], encoding)
        if etag is None:
            del response["ETag"]
        else:
            response["ETag"] = etag
    return True


def encoded_variants(response, compressible):
    """{encoding: frozen response}: the identity page and each compressed one."""
    variants = {IDENTITY: freeze(response)}
    if compressible:
        for encoding in ENCODINGS:
            variant = thaw(variants[IDENTITY])
            if encode_response(variant, encoding):
                variants[encoding] = freeze(variant)
    return variants


def compress_for(request, response, encoding):
    """Compress a response on its way out when allowed; always set Vary."""
    if may_compress(request, response):
        patch_vary_headers(response, ("Accept-Encoding",))
        if encoding != IDENTITY:
            encode_response(response, encoding)
    return response


# -- the middleware -------------------------------------------------------------


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind = classify(request)
        if kind == UNTOUCHED:
            return self.get_response(request)
        encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
        if kind == PERSONAL:
            return self.personal_response(request, encoding)
        return self.public_response(request, encoding)

    def personal_response(self, request, encoding):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.GET.get("preview") == "1" or (user and user.is_authenticated):
            # Drafts and staff views must never reach a shared cache.
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return self.conditional(request, compress_for(request, response, encoding))

    def public_response(self, request, encoding):
        state = None
        if page_cache.setting("PAGE_CACHE_ENABLED"):
            state = page_cache.read_page_state(request)
        if state is not None and state.tables is not None:
            cached = self.fetch(state, state.index, encoding)
            if cached is not None:
                return self.serve(request, cached, "HIT")

        lock = None
        # Only pages stored before take the lock: a URL never stored (a
        # search, a 404, a page marked private) would pay two round trips
        # for nothing. The index outlives the pages, so a popular page that
        # an edit or its timeout made stale is known.
        if state is not None and state.tables is not None and request.method == "GET":
            lock, cached = self.lock_or_wait(state, encoding)
            if cached is not None:
                return self.serve(request, cached, "WAIT")
        try:
            return self.render(request, state, encoding)
        finally:
            if lock is not None:
                self.unlock(lock)

    def render(self, request, state, encoding):
        with page_cache.recording_tables() as tables_read:
            response = self.get_response(request)
        if not is_shareable(request, response):
            self.forget(request, state)
            return self.conditional(request, compress_for(request, response, encoding))
        add_public_headers(response)
        compressible = may_compress(request, response)
        if compressible:
            patch_vary_headers(response, ("Accept-Encoding",))
        key = None
        if state is not None and request.method == "GET":
            if not page_cache.is_unstored(response):
                key = state.page_key(tables_read)
        if key is None:
            self.forget(request, state)
            if compressible and encoding != IDENTITY:
                encode_response(response, encoding)
            return self.conditional(request, response)

        variants = encoded_variants(response, compressible)
        self.store(state, key, tables_read, variants)
        # The stored variant's bytes, on the view's own response object (other
        # middleware may have left attributes on it).
        content, headers = variants.get(encoding, variants[IDENTITY])
        response.content = content
        for name, value in headers:
            response[name] = value
        response[CACHE_STATUS_HEADER] = "MISS"
        return self.conditional(request, response)

    def serve(self, request, entry, status):
        response = thaw(entry)
        response[CACHE_STATUS_HEADER] = status
        return self.conditional(request, response)

    def conditional(self, request, response):
        """304 for a matching If-None-Match; HEAD answers carry no body.

        A file's Last-Modified (its mtime) also answers If-Modified-Since, as
        `curl -z` and `wget -N` ask. A page's does not: a feed's is its newest
        item's date, which an unpublished item moves back.
        """
        if not response.has_header("ETag"):
            return response
        last_modified = None
        if isinstance(response, FileResponse):
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        answer = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=last_modified,
            response=response,
        )
        if answer is not response:
            # The body is not sent. What it holds (a file) is closed with the
            # answer, when Django closes that at the end of the request:
            # response.close() would announce the end now (request_finished,
            # which closes the database connection) while the request runs.
            answer._resource_closers.extend(response._resource_closers)
            response._resource_closers.clear()
            return answer
        if request.method == "HEAD" and response.status_code == 200:
            # Content-Length still tells the size of the GET answer.
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response

    # -- cache reads and writes; a failing cache only ever means "render" --

    def fetch(self, state, index, encoding):
        """The stored page for `index` (tables, compressed) in `encoding`, or None."""
        key = state.page_key(index[0])
        if key is None:
            return None
        variant = encoding if index[1] else IDENTITY
        try:
            return page_cache.page_cache().get(f"{key}:{variant}")
        except Exception:
            logger.warning("Page cache read failed; rendering.", exc_info=True)
            page_cache.note_cache_failure()
            return None

    def store(self, state, key, tables_read, variants):
        values = {f"{key}:{encoding}": entry for encoding, entry in variants.items()}
        index = (tuple(sorted(tables_read)), len(variants) > 1)
        cache = page_cache.page_cache()
        try:
            cache.set_many(values, state.timeout)
            cache.set(state.index_key, index, page_cache.INDEX_TIMEOUT)
        except Exception:
            logger.warning("Could not store a page in the cache.", exc_info=True)
            page_cache.note_cache_failure()

    def forget(self, request, state):
        """A page stored before is not stored now: no more locks for its URL."""
        if state is None or state.index is None or request.method != "GET":
            return
        try:
            page_cache.page_cache().delete(state.index_key)
        except Exception:
            logger.warning("Could not forget a page's index entry.", exc_info=True)
            page_cache.note_cache_failure()

    def lock_or_wait(self, state, encoding):
        """(lock key, None) to render the page; (None, entry) if another render
        gave us one; (None, None) to render without a lock."""
        cache = page_cache.page_cache()
        lock = state.lock_key()
        timeout = page_cache.setting("PAGE_CACHE_LOCK_TIMEOUT")
        try:
            if cache.add(lock, 1, timeout=timeout):
                return lock, None
        except Exception:
            logger.warning("Page cache lock failed; rendering.", exc_info=True)
            page_cache.note_cache_failure()
            return None, None
        return None, self.wait(state, lock, encoding)

    def wait(self, state, lock, encoding):
        """Poll for the page another worker is rendering; None to render ourselves.

        Each step is one round trip: the lock, the index entry and the page
        under the index we know. Returns None as soon as the lock is gone
        without a page (the render was not storable, or failed), or when
        PAGE_CACHE_LOCK_WAIT has passed.
        """
        cache = page_cache.page_cache()
        deadline = time.monotonic() + page_cache.setting("PAGE_CACHE_LOCK_WAIT")
        index, delay = state.index, 0.005
        while (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.1)
            wanted = [lock, state.index_key]
            variant_key = None
            if index is not None and (key := state.page_key(index[0])):
                variant_key = f"{key}:{encoding if index[1] else IDENTITY}"
                wanted.append(variant_key)
            try:
                found = cache.get_many(wanted)
                if variant_key in found:
                    return found[variant_key]
                latest = page_cache.valid_index(found.get(state.index_key))
                if latest is not None and latest != index:
                    index = latest  # The page read other tables this time.
                    cached = self.fetch(state, index, encoding)
                    if cached is not None:
                        return cached
            except Exception:
                logger.warning("Page cache unavailable while waiting.", exc_info=True)
                page_cache.note_cache_failure()
                return None
            if lock not in found:
                return None
        return None

    def unlock(self, lock):
        try:
            page_cache.page_cache().delete(lock)
        except Exception:
            # It expires on its own; waiters meanwhile find the stored page.
            logger.warning("Could not release a page render lock.", exc_info=True)
