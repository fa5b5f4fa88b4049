import pytest
from django.db import transaction

from core.cache import content_changes_batched
from tests import link_server, object_storage


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


@pytest.fixture(scope="class")
def build_once(django_db_setup, django_db_blocker):
    """Data a whole class of tests only reads, built once and rolled back after.

    Pytest's `setUpTestData`: a class-scoped fixture asks for this one and
    builds its rows with the function it returns. They live in a transaction
    around the class; each test still runs in its own savepoint (pytest-django's
    `db`), so what one test writes the next never sees, and the rollback at the
    end leaves the database as the class found it. The objects are shared by
    the class's tests: read them, never change them in memory.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()

    def build(make, *args, **kwargs):
        with django_db_blocker.unblock(), content_changes_batched():
            return make(*args, **kwargs)

    try:
        yield build
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- media storage: the local disk, or a bucket on a real S3 server ----------


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3-compatible server on loopback (tests/object_storage.py)."""
    with object_storage.s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def local_media(settings, tmp_path):
    """Media on the local disk, in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return object_storage.LocalMedia(tmp_path)


@pytest.fixture
def s3_media(settings, s3_endpoint):
    """Media in a new bucket, configured as production is from S3_* variables."""
    with object_storage.new_bucket(s3_endpoint) as bucket:
        object_storage.use_storage(
            settings, object_storage.bucket_environment(s3_endpoint, bucket)
        )
        yield object_storage.BucketMedia(s3_endpoint, bucket)


@pytest.fixture(
    params=["filesystem", pytest.param("s3", marks=pytest.mark.object_storage)]
)
def media_storage(request):
    """The test runs twice: media on the local disk, then in an S3 bucket."""
    fixture = "local_media" if request.param == "filesystem" else "s3_media"
    return request.getfixturevalue(fixture)
