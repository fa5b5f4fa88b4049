"""When the database goes away, visitors get a calm 503 page, never a traceback.

The outage is simulated by making every new database cursor fail the way a
refused connection does; CI also stops a real PostgreSQL (.ci/db-outage-check).
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client, RequestFactory

from ops.views import server_error
from tests.factories import ArticleFactory, SummitFactory

pytestmark = pytest.mark.django_db

REFUSED = "connection to server at 127.0.0.1, port 5432 failed: Connection refused"


@contextmanager
def database_down():
    """Every query fails as if PostgreSQL had stopped."""
    with mock.patch.object(
        type(connections["default"]), "_cursor", side_effect=OperationalError(REFUSED)
    ):
        yield


def assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "back in a moment" in body
    assert "Summit Watch" in body, "the page carries the site's name and look"
    for leak in ("Traceback", "OperationalError", "5432", "Connection refused"):
        assert leak not in body


def test_a_visitor_gets_the_503_page_while_the_database_is_down(client):
    SummitFactory(name="Seoul Summit")
    with database_down():
        response = client.get("/summits/")
    assert_outage_page(response)


def test_the_site_recovers_by_itself_when_the_database_returns(client):
    SummitFactory(name="Seoul Summit")
    with database_down():
        assert client.get("/summits/").status_code == 503
    response = client.get("/summits/")
    assert response.status_code == 200
    assert "Seoul Summit" in response.content.decode()


def test_an_article_page_and_the_home_page_also_answer_503(client):
    article = ArticleFactory()
    with database_down():
        for url in ("/", article.get_absolute_url()):
            assert_outage_page(client.get(url))


def test_an_outage_outside_a_view_still_gets_the_503_page():
    # Middleware and context processors run outside the view; Django hands
    # their errors to handler500, which must tell an outage from a bug.
    request = RequestFactory().get("/summits/")
    try:
        raise OperationalError(REFUSED)
    except OperationalError:
        response = server_error(request)
    assert_outage_page(response)


def test_a_real_bug_is_still_a_500_not_an_outage():
    request = RequestFactory().get("/summits/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "back in a moment" not in body, "a bug is not announced as an outage"
    assert "a bug" not in body and "ValueError" not in body


def test_handler500_is_wired_for_errors_raised_in_middleware(settings):
    client = Client(raise_request_exception=False)
    settings.MIDDLEWARE = [
        "tests.test_resilience.OutageInMiddleware",
        *settings.MIDDLEWARE,
    ]
    assert_outage_page(client.get("/summits/"))


class OutageInMiddleware:
    """A middleware that hits the database before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError(REFUSED)


class TestHealthz:
    def test_says_ok_when_the_database_answers(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.content == b"ok\n"
        assert "no-store" in response["Cache-Control"]

    def test_says_unavailable_and_nothing_more_when_it_does_not(self, client, caplog):
        assert client.get("/healthz").status_code == 200  # not cached after this
        with database_down(), caplog.at_level("WARNING", logger="ops.views"):
            response = client.get("/healthz")
        assert response.status_code == 503
        assert response.content == b"unavailable\n"
        # The reason goes to the operator's log, not to whoever asked.
        assert "Connection refused" in caplog.text
        assert response["Retry-After"].isdigit()
        assert client.get("/healthz").status_code == 200


def test_the_503_page_keeps_its_own_styles_under_the_content_security_policy(
    client,
):
    with database_down():
        response = client.get("/summits/")
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        pytest.skip("no Content-Security-Policy configured")
    assert "'sha256-" in policy.split("style-src", 1)[1].split(";", 1)[0]


def test_ops_knows_no_other_app_of_ours():
    # Health, outage and error pages must work whatever the content apps do.
    import ast
    from pathlib import Path

    ours = {"core", "summits", "articles", "home", "exchange", "editorial"}
    for path in (Path(__file__).resolve().parent.parent / "ops").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in ours, path.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in ours, path.name
