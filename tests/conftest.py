import pytest

from tests import link_server


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="editor-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache.

    The database is rolled back after every test but the cache is not: a page
    cached in one test (core/middleware_cache.py) would otherwise be served,
    with that test's content, to the next.
    """
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def server():
    """(httpd, base URL) of a local test HTTP server (tests/link_server.py)."""
    httpd = link_server.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    link_server.stop(httpd)
