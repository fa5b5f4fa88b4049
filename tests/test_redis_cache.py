"""core.redis_cache: Django's Redis backend with one client per pool.

Needs a Redis server: CI's cache step sets REDIS_URL (`pytest -m cache`);
without one these are skipped.
"""

import os
import warnings

import pytest
from django.core.cache import caches

pytestmark = [
    pytest.mark.cache,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
]


@pytest.fixture
def cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "redis_test": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "redis-backend-test",
        },
    }
    backend = caches["redis_test"]
    backend.clear()
    yield backend
    backend.clear()


def test_every_operation_shares_one_client(cache):
    first = cache._cache.get_client()
    cache.set("a", 1)
    cache.get_many(["a", "b"])

    assert cache._cache.get_client() is first
    assert cache._cache.get_client(write=True) is first


def test_replies_are_parsed_by_hiredis(cache):
    """requirements.txt pins hiredis: redis-py's C parser, three times
    faster than its Python one at a cached page's version lookup."""
    from redis._parsers import _HiredisParser

    cache.get_many(["a", "b"])
    pool = cache._cache.get_client().connection_pool
    assert pool.connection_kwargs["parser_class"] is _HiredisParser


def test_values_and_many_values_round_trip(cache):
    cache.set_many({"one": 1, "two": [2, "two"], "three": b"\x00bytes"})

    assert cache.get("two") == [2, "two"]
    assert cache.get_many(["one", "three", "missing"]) == {
        "one": 1,
        "three": b"\x00bytes",
    }
    assert cache.incr("one") == 2


def test_any_key_redis_takes_is_used_without_memcached_warnings(cache):
    key = "a key with spaces, é and " + "x" * 300  # memcached would refuse it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, "kept")
        assert cache.get(key) == "kept"


def test_a_forked_worker_gets_its_own_connections(cache):
    """gunicorn preloads the app and forks: a child must not reuse the
    parent's sockets (redis-py's pool starts afresh when the pid changes)."""
    cache.set("before-fork", "parent")
    parent_connection = cache._cache.get_client().connection_pool.get_connection()
    cache._cache.get_client().connection_pool.release(parent_connection)

    pid = os.fork()
    if pid == 0:  # the child: read and write through the shared client, then exit
        code = 1
        try:
            client = cache._cache.get_client()
            fresh = client.connection_pool.get_connection()
            if fresh is not parent_connection and cache.get("before-fork") == "parent":
                cache.set("from-child", "child")
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("from-child") == "child"
    assert cache.get("before-fork") == "parent"
