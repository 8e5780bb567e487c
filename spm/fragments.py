"""Cached page parts (fragmen halaman): the costly middle of a read-mostly page, rendered once and served from
the shared cache until the data changes.

A view hands the template a :class:`Fragment`: a name, what besides the data the part depends on (the object,
the query string, the viewer's :func:`spm.access.audience_key`) and a function computing its context. The
template wraps the part in ``{% fragment page_part %} … {% endfragment %}`` (``spm.templatetags.fragments``):
on a hit, the function is never called — no query, no template work; on a miss it is called, the part
rendered and kept for ``FRAGMENT_CACHE_SECONDS``.

The key holds the data version (``spm.freshness``: it moves after every committed write), the language, the
date in Asia/Jakarta (days left, lateness) and the parts the view names. What differs per request and not per
data — the CSRF token of a form inside the part — is rendered as a placeholder and put in on every answer.
A part must not show anything of the viewer that its key does not hold (the key holds the audience — what the
access rules read of a user — not who the user is; a part that shows the user's own name holds ``user.pk``).
"""

from __future__ import annotations

import enum
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from spm import freshness

# Rendered where a form's CSRF token goes, and replaced by the request's own token on every answer.
CSRF_PLACEHOLDER = "csrf-placeholder-6f1d0c"
KEY_PREFIX = "espm:fragment:v1"


def stable(value: Any) -> Any:
    """The key parts as a value whose ``repr`` is the same in every process (sets sorted, dicts ordered)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((stable(v) for v in value), key=repr)))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted(((str(k), stable(v)) for k, v in value.items()), key=repr)))
    if isinstance(value, list | tuple):
        return tuple(stable(v) for v in value)
    return value


def cache_key(name: str, key: tuple) -> str:
    """The key of a cached value: its name, the data version and a digest of what else it depends on."""
    version, uncommitted = freshness.current()
    parts = repr(stable((key, translation.get_language(), timezone.localdate().isoformat())))
    digest = hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}:{name}:{version}.{uncommitted}:{digest}"


def cached(name: str, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in the shared cache under the data version (the rules of the module docstring):
    a page part's HTML, an API list's serialized data. Never for rows of personal data."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not seconds:
        return compute()
    full_key = cache_key(name, key)
    value = cache.get(full_key)
    if value is None:
        value = _compute_once(full_key, compute, seconds)
    return value


# After a write, every request for a part misses at once; one computes it, the others wait for its result
# (as long as its lock stands, at most WAIT_SECONDS) instead of all computing the same thing.
LOCK_SECONDS = 10
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.01


def _compute_once(full_key: str, compute: Callable[[], Any], seconds: int) -> Any:
    lock = f"{full_key}:computing"
    owner = cache.add(lock, 1, LOCK_SECONDS)
    if not owner:
        deadline = time.monotonic() + WAIT_SECONDS
        # A lock that cannot be read (the shared cache is down) is not waited for.
        while cache.get(lock) is not None and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            value = cache.get(full_key)
            if value is not None:
                return value
        value = cache.get(full_key)
        if value is not None:
            return value
    try:
        value = compute()
        cache.set(full_key, value, seconds)
    finally:
        if owner:
            cache.delete(lock)
    return value


@dataclass
class Fragment:
    """One cached part of a page: ``compute`` gives the context it is rendered with (called on a miss only)."""

    name: str
    key: tuple
    compute: Callable[[], dict]
    _data: dict | None = field(default=None, init=False, repr=False)

    @property
    def data(self) -> dict:
        """The computed context (once per request), for what the page needs outside the cached part."""
        if self._data is None:
            self._data = self.compute()
        return self._data

    def render(self, render_part: Callable[[dict], str]) -> str:
        """The part's HTML (with the placeholder for the CSRF token): from the cache, or rendered and kept."""
        return cached(self.name, self.key, lambda: render_part(self.data))
