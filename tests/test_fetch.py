"""Fetching other sites safely (core.fetch): schemes, addresses, redirects, size."""

import socket

import pytest

from core import fetch as fetch_module
from core.fetch import FetchError, fetch
from tests.fetch_server import serve

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def connections(monkeypatch):
    """Every address a connection is opened to, recorded."""
    opened = []
    real = socket.create_connection

    def recording(address, *args, **kwargs):
        opened.append(address[0])
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "create_connection", recording)
    return opened


def test_a_page_is_fetched_with_our_user_agent(settings):
    settings.SITE_URL = "https://summitwatch.example"
    with serve({"/": (200, HTML, "<p>héllo</p>".encode())}) as (base, requests):
        response = fetch(f"{base}/")
    assert response.text() == "<p>héllo</p>"
    assert response.content_type == "text/html" and response.charset == "utf-8"
    agent = requests[0][1]["User-Agent"]
    assert agent == "SummitWatch/1.0 (+https://summitwatch.example)"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/x", "file:///etc/passwd", "gopher://x", "javascript:1", "//x"],
)
def test_only_http_and_https(url):
    with pytest.raises(FetchError, match="Only http:// and https://"):
        fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://192.168.1.1/",
        "http://127.0.0.2:6379/",
    ],
)
def test_private_and_special_addresses_are_refused_before_connecting(url, connections):
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch(url)
    assert connections == []


def test_the_test_setting_allows_only_its_own_address(settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    with serve({"/": (200, HTML, b"x")}) as (base, _):
        with pytest.raises(FetchError, match="127.0.0.1 is a private"):
            fetch(f"{base}/")
    with pytest.raises(FetchError, match="private, local or reserved"):
        fetch("http://localhost/")


@pytest.mark.parametrize("target", ["http://10.0.0.1/", "http://169.254.169.254/"])
def test_a_redirect_is_checked_again_before_connecting(target, connections):
    with serve({"/go": (302, {"Location": target}, b"")}) as (base, _):
        with pytest.raises(FetchError, match="private, local or reserved"):
            fetch(f"{base}/go")
    assert connections == ["127.0.0.1"]


def test_redirects_in_circles_stop(settings):
    routes = {
        "/a": (302, {"Location": "/b"}, b""),
        "/b": (301, {"Location": "/a"}, b""),
    }
    with serve(routes) as (base, requests):
        with pytest.raises(FetchError, match="Too many redirects"):
            fetch(f"{base}/a")
    assert len(requests) == settings.FETCH_MAX_REDIRECTS + 1


def test_a_redirect_without_location():
    with serve({"/a": (302, {}, b"")}) as (base, _):
        with pytest.raises(FetchError, match="without saying where"):
            fetch(f"{base}/a")


def test_a_huge_body_is_cut_off_while_reading(settings):
    settings.FETCH_MAX_BYTES = 10_000
    # The length header lies (says nothing big); the count while reading holds.
    body = b"x" * 50_000
    routes = {
        "/declared": (200, HTML, body),
        "/undeclared": (200, {**HTML, "Content-Length": "100"}, body),
    }
    with serve(routes) as (base, _):
        with pytest.raises(FetchError, match="too large"):
            fetch(f"{base}/declared")
        response = fetch(f"{base}/undeclared")
    # A server that sends more than it declared is read only as far as declared.
    assert len(response.content) == 100


def test_an_unreachable_host_and_an_error_status():
    with serve({}) as (base, _):
        with pytest.raises(FetchError, match="answered 404"):
            fetch(f"{base}/nothing")
    port = base.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="could not be reached"):
        fetch(f"http://127.0.0.1:{port}/")  # the server is gone


def test_a_server_that_never_answers_times_out(settings):
    settings.FETCH_READ_TIMEOUT = 0.3
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        with pytest.raises(FetchError, match="took too long"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    finally:
        listener.close()


def test_an_unknown_host():
    with pytest.raises(FetchError, match="could not be found"):
        fetch("http://no-such-host.invalid/")


def test_an_address_with_spaces_and_accents_is_encoded_not_refused():
    with serve({"/caf%C3%A9%20menu": (200, HTML, b"ok")}) as (base, requests):
        response = fetch(f"{base}/café menu")
    assert response.content == b"ok"
    assert requests[0][0] == "/caf%C3%A9%20menu"
