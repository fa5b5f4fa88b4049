"""Django's Redis cache backend, without two per-operation costs.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every
cache operation (about 60 µs: it copies its response callbacks each time),
and `BaseCache.validate_key` walks every character of every key to warn
about keys memcached would refuse. A cached page costs two operations and a
cold one a few more, each well under a millisecond, so on a page served in
about 2 ms these were a tenth of the time.

Here one `redis.Redis` is kept per connection pool: it is safe to share
between threads, and the pool it wraps starts afresh in a forked worker
(redis-py checks the process id), so gunicorn's preloading is fine. Keys
are not checked against memcached's rules: Redis takes any key, and every
key this project makes is short.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # The index once: with replicas, Django picks a read server at random.
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._pools.get(index)
            if pool is None:
                pool = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
                self._pools[index] = pool
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Redis takes any key; memcached's limits are not ours to warn about."""
