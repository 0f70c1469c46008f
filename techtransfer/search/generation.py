"""A counter of changes to the public index, shared by every worker process through Django's cache.

Pages cache what they compute from public, indexed data (the home page's figures, search results, match
panels) under the current value (`cached_public`); any write to the search index or to the vectors moves
the counter on, so those entries go stale for every process at once. A time limit backs it up for what
changes without reindexing (an organisation verified, a label edited). Only public data may be cached
this way: the entries are shared by every visitor.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

KEY = "public-index-generation"
T = TypeVar("T")


def index_generation() -> int:
    value = cache.get(KEY)
    if value is None:
        # A fresh cache starts from the clock, never from a value an older counter already used.
        cache.add(KEY, time.time_ns(), timeout=None)
        value = cache.get(KEY, 0)
    return int(value)


def _bump() -> None:
    # Not atomic on every backend (file cache: read then write); two racing bumps still both move it on.
    cache.set(KEY, max(index_generation() + 1, time.time_ns()), timeout=None)


def index_changed() -> None:
    """Called after the index changed: now, and again at commit (a page computed in between, from the
    data before the commit, must not stay cached under the new value)."""
    if not enabled():
        return
    _bump()
    transaction.on_commit(_bump)


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_DATA_CACHE", True))


def cached_public(name: str, parts: tuple[Hashable, ...], compute: Callable[[], T], *, seconds: int) -> T:
    """`compute()`, cached for `seconds` under `name`, `parts`, the language and the index generation.

    Only for results that are the same for every visitor (public records only)."""
    if not enabled():
        return compute()
    # hashlib, not hash(): str hashes differ from one process to the next.
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"public:{name}:{get_language()}:{index_generation()}:{digest}"
    found = cache.get(key)
    if found is not None and found[0] == parts:  # the parts are stored too: a hash collision is a miss
        return found[1]  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, (parts, value), timeout=seconds)
    return value
