"""Sources, checked: the safe fetcher and the `check_sources` command.

A real HTTP server on 127.0.0.1 answers 200, 301, 404, 500, a slow page,
redirect loops and redirects to private addresses. The tests allow loopback
only (FETCH_ALLOW_PRIVATE_ADDRESSES in config/test_settings.py), and a
guard fails any test that opens a connection beyond this machine.
"""

import io
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.fetch import FetchError, fetch
from editorial.models import SourceLink
from tests.factories import ArticleFactory, DeclarationFactory, SignatureFactory


@pytest.fixture(autouse=True)
def only_loopback_connections(monkeypatch):
    """Fail loudly if anything tries to connect beyond 127.0.0.1."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        assert address[0].startswith("127."), f"connected to {address[0]}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


def get(url, **options):
    return fetch(
        url, timeout=0.5, raise_for_status=False, purpose="link checker", **options
    )


# ------------------------------------------------------------- the fetcher


def test_a_page_is_fetched_with_a_polite_user_agent(server, settings):
    httpd, base = server
    result = get(f"{base}/ok")
    assert (result.status, result.content) == (200, b"ok")
    assert httpd.seen_agents == [f"SummitWatch/1.0 link checker (+{settings.SITE_URL})"]


def test_redirects_are_followed_to_the_final_url(server):
    _, base = server
    result = get(f"{base}/moved", method="HEAD")
    assert result.status == 200 and result.url == f"{base}/ok"
    assert result.content == b""


def test_errors_are_answers_not_exceptions(server):
    _, base = server
    assert get(f"{base}/gone").status == 404
    assert get(f"{base}/broken").status == 500


def test_a_slow_server_times_out(server):
    _, base = server
    with pytest.raises(FetchError, match="took too long"):
        get(f"{base}/slow")


def test_an_endless_redirect_stops(server):
    _, base = server
    with pytest.raises(FetchError, match="Too many redirects"):
        get(f"{base}/loop")


@pytest.mark.parametrize(
    "path, address",
    [("/to-private", "10.0.0.1"), ("/to-metadata", "169.254.169.254")],
)
def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    server, path, address
):
    _, base = server
    with pytest.raises(FetchError, match=f"Refused: the address {address}"):
        get(f"{base}{path}")


def test_only_http_and_https_are_fetched(server):
    _, base = server
    with pytest.raises(FetchError, match="Only http:// and https://"):
        get(f"{base}/to-ftp")
    with pytest.raises(FetchError, match="Only http:// and https://"):
        get("file:///etc/passwd")


def test_loopback_is_refused_unless_allowed(server, settings):
    _, base = server
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = []
    with pytest.raises(FetchError, match="Refused: the address 127.0.0.1"):
        fetch(f"{base}/ok", timeout=0.5)


def test_a_huge_body_is_cut_off(server):
    _, base = server
    with pytest.raises(FetchError, match="too large") as caught:
        get(f"{base}/huge", max_bytes=100_000)
    assert caught.value.status == 200


def test_an_unknown_host_is_a_reason():
    with pytest.raises(FetchError, match="could not be found"):
        fetch("http://no-such-host.invalid/", timeout=0.5)


def test_a_malformed_url_is_a_reason():
    with pytest.raises(FetchError, match="not a valid web address"):
        fetch("http://[::1/", timeout=0.5)


# ------------------------------------------------------ dead or only down


def test_a_404_is_dead_at_once():
    link = SourceLink(url="https://example.org/a")
    link.record(404)
    assert link.dead and link.consecutive_failures == 1


def test_one_failure_is_not_dead_and_two_within_a_day_neither():
    link = SourceLink(url="https://example.org/a")
    start = timezone.now()
    link.record(None, "timed out", now=start)
    assert not link.dead
    link.record(500, now=start + timedelta(hours=3))
    assert not link.dead and link.consecutive_failures == 2


def test_two_failures_a_day_apart_are_dead_and_a_success_revives():
    link = SourceLink(url="https://example.org/a")
    start = timezone.now()
    link.record(500, now=start)
    link.record(None, "connection refused", now=start + timedelta(days=1))
    assert link.dead
    link.record(200, now=start + timedelta(days=2))
    assert not link.dead and link.consecutive_failures == 0
    assert link.first_failed_at is None


def test_a_success_between_failures_restarts_the_count():
    link = SourceLink(url="https://example.org/a")
    start = timezone.now()
    link.record(500, now=start)
    link.record(200, now=start + timedelta(hours=1))
    link.record(500, now=start + timedelta(days=2))
    assert not link.dead and link.consecutive_failures == 1


# ------------------------------------------------------------ the command


@pytest.fixture
def sources(server):
    _, base = server
    declaration = DeclarationFactory(source_url=f"{base}/ok")
    SignatureFactory(
        declaration=declaration,
        source_url=f"{base}/gone",
        signed_source_url=f"{base}/moved",
    )
    SignatureFactory(declaration=declaration, source_url=f"{base}/broken")
    SignatureFactory(declaration=declaration, source_url=f"{base}/slow")
    SignatureFactory(declaration=declaration, source_url=f"{base}/to-metadata")
    SignatureFactory(declaration=declaration, source_url=f"{base}/no-head")
    SignatureFactory(declaration=declaration, source_url=f"{base}/loop")
    ArticleFactory(original_url=f"{base}/huge")
    return base


def run(*args, **options):
    # Long enough for a loaded test machine, far shorter than /slow's 5 s.
    out = io.StringIO()
    call_command("check_sources", *args, stdout=out, timeout=2, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_dry_run_lists_every_source_and_checks_none(sources):
    out = run("--dry-run")
    for path in ("/ok", "/gone", "/moved", "/broken", "/huge", "/no-head"):
        assert f"{sources}{path}\n" in out
    assert "9 URL(s) would be checked." in out
    assert not SourceLink.objects.exists()


@pytest.mark.django_db
def test_every_source_is_checked_and_recorded_with_a_reason(sources):
    out = run()

    links = {link.url.removeprefix(sources): link for link in SourceLink.objects.all()}
    assert len(links) == 9
    assert links["/ok"].last_status == 200, links["/ok"].last_error
    assert links["/moved"].last_status == 200
    assert links["/no-head"].last_status == 200  # HEAD refused, GET answered
    assert links["/gone"].dead and links["/gone"].last_status == 404
    assert links["/broken"].last_status == 500 and not links["/broken"].dead
    assert "took too long" in links["/slow"].last_error
    assert "Refused: the address 169.254.169.254" in links["/to-metadata"].last_error
    assert "Too many redirects" in links["/loop"].last_error
    assert all(link.checked_at for link in links.values())
    assert "Checked 9 URL(s)" in out and "1 dead" in out


@pytest.mark.django_db
def test_a_failure_on_two_runs_a_day_apart_makes_a_dead_link(sources, time_machine):
    run()
    assert not SourceLink.objects.get(url=f"{sources}/broken").dead
    time_machine.move_to(timezone.now() + timedelta(days=1, minutes=1))
    run()
    broken = SourceLink.objects.get(url=f"{sources}/broken")
    assert broken.dead and broken.consecutive_failures == 2
    assert not SourceLink.objects.get(url=f"{sources}/ok").dead


@pytest.mark.django_db
def test_verbose_output_lists_each_url_and_quiet_prints_nothing(sources):
    assert f"404 {sources}/gone" in run(verbosity=2)
    assert run(verbosity=0) == ""
