"""Fetching a page or feed from another site, safely: the one way the site does it.

An editor pastes a link, a feed list names addresses: either could point the
server at itself or its network (http://127.0.0.1:6379/, the cloud metadata
service at 169.254.169.254). So:

- http and https only, on any port;
- the host is resolved here, every address checked (no private, loopback,
  link-local, multicast, reserved or unspecified address unless
  `FETCH_ALLOW_PRIVATE_ADDRESSES` allows it: tests, whose server is on
  127.0.0.1), and the connection goes to the address that was checked, so a
  second DNS answer cannot swap in another (DNS rebinding);
- redirects are followed here, each new address checked again before any
  connection, at most `FETCH_MAX_REDIRECTS`;
- connect and read timeouts, and an overall deadline;
- at most `FETCH_MAX_BYTES`, counted while reading, so a huge body is cut off
  rather than held in memory;
- a user agent that says who we are.

Failures raise `FetchError` with a sentence an editor can act on (and the
HTTP status, when one was received). The press inbox reads pages and feeds
with it; the link checker (`check_sources`) asks for HEAD and wants every
status back (`raise_for_status=False`).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that did not give a usable response; the message says why.

    `status` is the HTTP status when one was received, else None.
    """

    def __init__(self, reason, status=None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class FetchedResponse:
    url: str  # after redirects
    status: int
    content_type: str  # e.g. "text/html", without parameters
    charset: str
    content: bytes

    def text(self):
        try:
            return self.content.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")


def user_agent(purpose=""):
    """Says who is asking and where to read about it, as polite robots do."""
    purpose = f" {purpose}" if purpose else ""
    return f"SummitWatch/1.0{purpose} (+{settings.SITE_URL})"


def _allowed_networks():
    allowed = getattr(settings, "FETCH_ALLOW_PRIVATE_ADDRESSES", False)
    if allowed is True:
        return True
    return [ipaddress.ip_network(network) for network in allowed or ()]


def check_address(address):
    """Refuse an address inside our own or a special network."""
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return
    allowed = _allowed_networks()
    if allowed is True or any(ip in network for network in allowed):
        return
    raise FetchError(
        f"Refused: the address {ip} is a private, local or reserved address, "
        "not a public web site."
    )


def check_url(url):
    """(scheme, host, port, path, checked address) for a URL we may fetch."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError(f"“{url}” is not a valid web address.") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            f"Only http:// and https:// addresses can be fetched, not “{url}”."
        )
    host = parts.hostname
    if not host:
        raise FetchError(f"“{url}” has no host name.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"The host “{host}” could not be found.") from None
    addresses = [info[4][0] for info in infos]
    # Every address the name has must pass: the connection could use any.
    for address in addresses:
        check_address(address)
    # An address pasted from a browser may hold spaces or accents, which a
    # request line cannot: percent-encode them (what is encoded stays so).
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return parts.scheme, host, port, path, addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked for the host."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a checked address, with the host name in the Host header."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def fetch(
    url,
    accept="*/*",
    *,
    method="GET",
    timeout=None,
    max_bytes=None,
    raise_for_status=True,
    purpose="",
):
    """GET (or HEAD) `url` safely (see the module docstring).

    A `FetchedResponse` (its `content` empty for HEAD). With
    `raise_for_status` an answer of 400 or more raises `FetchError` (with its
    status); without, it is returned like any other. `timeout` (seconds)
    replaces both of the settings' timeouts; `max_bytes` the size cap.
    """
    max_redirects = settings.FETCH_MAX_REDIRECTS
    connect_timeout = timeout or settings.FETCH_CONNECT_TIMEOUT
    read_timeout = timeout or settings.FETCH_READ_TIMEOUT
    limit = max_bytes or settings.FETCH_MAX_BYTES
    deadline = time.monotonic() + connect_timeout + (read_timeout * 2)
    seen = []
    for _hop in range(max_redirects + 1):
        scheme, host, port, path, address = check_url(url)
        seen.append(url)
        connection_class = (
            _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        )
        kwargs = {"port": port, "timeout": connect_timeout}
        if scheme == "https":
            kwargs["context"] = ssl.create_default_context()
        connection = connection_class(host, address, **kwargs)
        try:
            connection.connect()
            connection.sock.settimeout(read_timeout)
            connection.request(
                method,
                path,
                headers={
                    "User-Agent": user_agent(purpose),
                    "Accept": accept,
                    "Accept-Encoding": "identity",
                },
            )
            response = connection.getresponse()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{url} redirects without saying where.")
                url = urljoin(url, location.strip())
                continue
            if response.status >= 400 and raise_for_status:
                raise FetchError(
                    f"{url} answered {response.status} {response.reason}.",
                    status=response.status,
                )
            if method == "HEAD":
                content = b""
            else:
                content = _read_capped(response, url, deadline, limit)
        except FetchError:
            raise
        except ssl.SSLError as error:
            raise FetchError(
                f"A secure connection to {host} failed: {error}."
            ) from None
        except TimeoutError:
            raise FetchError(f"{host} took too long to answer.") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"{host} could not be reached ({error}).") from None
        finally:
            connection.close()
        header = Message()
        header["content-type"] = response.getheader("Content-Type") or ""
        return FetchedResponse(
            url=url,
            status=response.status,
            content_type=header.get_content_type(),
            charset=header.get_param("charset") or "",
            content=content,
        )
    raise FetchError(
        f"Too many redirects (more than {max_redirects}), starting at {seen[0]}."
    )


def _read_capped(response, url, deadline, limit):
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(
            f"{url} is too large (over {filesizeformat(limit)}).",
            status=response.status,
        )
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"{url} took too long to send.")
        chunk = response.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise FetchError(
                f"{url} is too large (over {filesizeformat(limit)}).",
                status=response.status,
            )
        chunks.append(chunk)
    return b"".join(chunks)
