"""A careful HTTP client for URLs that editors typed: the one way we fetch.

`fetch(url)` answers a `FetchResult` (status, headers, content, final URL) or
raises `FetchError` with a reason a person can read. It is safe to point at
any URL from the database:

- http and https only; at most `max_redirects` redirects, each hop checked
  again as if it were the first URL;
- the host name is resolved first and every address it resolves to is
  checked: private, loopback, link-local (cloud metadata at
  169.254.169.254), reserved, multicast and unspecified addresses are
  refused before any connection is opened, and the connection then goes to
  the address that was checked, so a second DNS answer cannot swap in
  another (DNS rebinding);
- a timeout on connecting and on each read, and an overall deadline;
- the body is read in chunks and reading stops past `max_bytes`;
- a polite User-Agent naming the site.

`allow_private` lets tests reach a server on 127.0.0.1: True allows every
address, or give the networks to allow (["127.0.0.0/8"]) so that anything
else stays refused even in tests. Callers pass their own setting.

Written for the link checker; the press inbox's fetcher (another branch)
can be folded into this one: same refusals, same errors.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL that could not be fetched, with the reason in plain words.

    `status` is the HTTP status when one was received (a body too large,
    say), else None.
    """

    def __init__(self, reason, status=None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class FetchResult:
    status: int
    headers: dict = field(default_factory=dict)  # lower-cased names
    content: bytes | None = None  # None for HEAD
    final_url: str = ""


def user_agent():
    """Says who is asking and where to read about it, as polite robots do."""
    return f"SummitWatch/1.0 link checker (+{settings.SITE_URL})"


def _allowed_networks(allow_private):
    if allow_private is True:
        return None  # everything
    return [ipaddress.ip_network(net, strict=False) for net in allow_private or ()]


def _refusal(address, allowed):
    """Why this address may not be reached, or None if it may."""
    ip = ipaddress.ip_address(address)
    if allowed is None or any(ip in net for net in allowed):
        return None
    for test, words in (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "a non-public address"),
    ):
        if test:
            return f"refused: {ip} is {words}"
    return None


def resolve_public(host, port, allow_private=False):
    """The first address of `host` if every address it resolves to may be reached."""
    allowed = _allowed_networks(allow_private)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"host not found: {host} ({error})") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(f"host not found: {host}")
    for address in addresses:
        refusal = _refusal(address.split("%")[0], allowed)
        if refusal:
            raise FetchError(refusal)
    return addresses[0]


def _split(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(f"not a valid URL: {error}") from error
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            "refused: only http and https are fetched, "
            f"not {parts.scheme or 'a URL without a scheme'}"
        )
    if not parts.hostname:
        raise FetchError("not a valid URL: no host")
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port, path


def _connection(scheme, host, port, address, timeout):
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)

    # Connect to the address that was checked; TLS still verifies `host`.
    def create_connection(_address, timeout, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    conn._create_connection = create_connection
    return conn


def _read_body(response, max_bytes, deadline):
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("timed out reading the body", response.status)
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(
                f"body larger than {max_bytes:,} bytes: stopped reading",
                response.status,
            )
        chunks.append(chunk)


def _request_once(url, method, max_bytes, timeout, allow_private, deadline):
    scheme, host, port, path = _split(url)
    address = resolve_public(host, port, allow_private)
    conn = _connection(scheme, host, port, address, timeout)
    headers = {
        "User-Agent": user_agent(),
        "Accept": "*/*",
        "Accept-Encoding": "identity",
    }
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        response_headers = {k.lower(): v for k, v in response.getheaders()}
        content = None
        if method != "HEAD" and response.status not in REDIRECT_STATUSES:
            length = response_headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(
                    f"body larger than {max_bytes:,} bytes ({int(length):,} announced)",
                    response.status,
                )
            content = _read_body(response, max_bytes, deadline)
        return FetchResult(response.status, response_headers, content, url)
    except ssl.SSLCertVerificationError as error:
        raise FetchError(
            f"TLS certificate not valid: {error.verify_message}"
        ) from error
    except ssl.SSLError as error:
        raise FetchError(f"TLS error: {error.reason or error}") from error
    except TimeoutError as error:
        raise FetchError(f"timed out after {timeout:g} s") from error
    except ConnectionRefusedError as error:
        raise FetchError("connection refused") from error
    except (http.client.HTTPException, OSError) as error:
        raise FetchError(
            f"connection failed: {error.__class__.__name__}: {error}"
        ) from error
    finally:
        conn.close()


def fetch(
    url,
    method="GET",
    *,
    max_bytes=DEFAULT_MAX_BYTES,
    timeout=DEFAULT_TIMEOUT,
    allow_private=False,
    max_redirects=DEFAULT_MAX_REDIRECTS,
):
    """Fetch `url`, following redirects; see the module docstring.

    Answers the final response (any status, 4xx and 5xx included) or raises
    FetchError: a refused scheme or address, a host not found, a timeout, a
    TLS error, too many redirects, a body over `max_bytes`.
    """
    deadline = time.monotonic() + timeout * (max_redirects + 2)
    current = url
    for _hop in range(max_redirects + 1):
        result = _request_once(
            current, method, max_bytes, timeout, allow_private, deadline
        )
        location = result.headers.get("location")
        if result.status not in REDIRECT_STATUSES or not location:
            result.final_url = current
            return result
        # The next hop is checked afresh: scheme, host, every address.
        current = urljoin(current, location)
    raise FetchError(f"too many redirects (more than {max_redirects})")
