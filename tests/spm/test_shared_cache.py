"""The shared cache (CACHE_URL, Redis in docker-compose): a limit counted by one process holds in every other,
as several gunicorn workers and replicas serve one site. Without it each process kept its own count, so the
NIK-search limit (UU 27/2022: no bulk probing of NIKs) was as many times higher as there were processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from reporting.recipients.personal_data import _throttle_key, nik_search_allowed
from spm import config

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/13"
USER_ID = 987_654  # no such user needed: the limit is counted per user id

OTHER_PROCESS = """
import django
django.setup()
from reporting.recipients.personal_data import nik_search_allowed
class User:
    pk = {user_id}
print("allowed" if nik_search_allowed(User()) else "refused")
"""


def _another_process_searches(cache_url: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "spm.settings", "CACHE_URL": cache_url, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # the limit needs no database
    answer = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS.format(user_id=USER_ID)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    return answer.stdout.strip().splitlines()[-1]


@pytest.fixture
def shared_cache(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"Redis tidak dapat dihubungi di {REDIS_URL}")
    settings.CACHES = {"default": config.parse_cache_url(REDIS_URL)}
    from django.core.cache import cache

    cache.delete(_throttle_key(USER_ID))
    yield cache
    cache.delete(_throttle_key(USER_ID))


@pytest.mark.integration
def test_the_nik_search_limit_used_up_in_one_process_holds_in_another(shared_cache, settings):
    for _ in range(settings.RECIPIENT_NIK_SEARCH_LIMIT):
        assert nik_search_allowed(type("User", (), {"pk": USER_ID})())
    assert _another_process_searches(REDIS_URL) == "refused"


def test_without_a_shared_cache_another_process_counts_afresh(settings):
    """What CACHE_URL fixes: with each process's own memory, the other process has not seen a single search."""
    settings.CACHES = {"default": config.parse_cache_url("")}
    from django.core.cache import cache

    try:
        for _ in range(settings.RECIPIENT_NIK_SEARCH_LIMIT):
            assert nik_search_allowed(type("User", (), {"pk": USER_ID})())
        assert _another_process_searches("") == "allowed"
    finally:
        cache.delete(_throttle_key(USER_ID))
