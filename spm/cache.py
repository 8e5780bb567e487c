"""The shared cache on Redis (``CACHE_URL``), degrading instead of failing when Redis does not answer.

The cache holds what can be rebuilt or briefly lost: sessions are also in the database
(``cached_db``), the API throttles and band labels are counts and copies. So when Redis is down or slow,
a read answers "not cached" and a write is skipped, and the site keeps serving from PostgreSQL, as it keeps
accepting work when the Celery broker is down (``spm.PendingTask``). Counting that must not silently pass
(the NIK-search limit) uses ``incr``, which still raises: its caller refuses instead
(``reporting.recipients.personal_data``). One warning a minute per process says the cache is unreachable,
without keys or values.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _unreachable(operation: str, error: RedisError) -> None:
    global _last_warning  # noqa: PLW0603 - one warning a minute per process
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("shared cache unreachable (%s: %s); serving without it", operation, type(error).__name__)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool instead of building one for every
    cache operation (each build registers some 170 response callbacks: a tenth of a cached page's time). A
    ``redis.Redis`` is safe to share between threads: it takes a connection from the pool per command."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose reads miss and whose writes are skipped while Redis does not answer."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _unreachable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _unreachable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            _unreachable("has_key", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            _unreachable("add", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            _unreachable("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            _unreachable("set_many", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            _unreachable("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            _unreachable("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            _unreachable("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except RedisError as error:
            _unreachable("clear", error)
            return False
