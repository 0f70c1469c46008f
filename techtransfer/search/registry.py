"""Which kinds of object the index holds, and how to rebuild each (used by rebuild_search_index).

An app declares its kind in its own `search.py` with `register_indexer`, the way admin.py registers
models; the search module thereby depends on no app that it indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.utils.module_loading import autodiscover_modules

Progress = Callable[[int, int], None]


class ReindexAll(Protocol):
    def __call__(self, *, progress: Progress | None = None) -> int: ...


_INDEXERS: dict[str, ReindexAll] = {}


def register_indexer(kind: str, reindex_all: ReindexAll) -> None:
    """`reindex_all(progress=...)` re-indexes every object of `kind`, calls progress(done, total) as it
    goes, removes documents whose object is gone, and returns how many it indexed."""
    _INDEXERS[kind] = reindex_all


def indexers() -> dict[str, ReindexAll]:
    autodiscover_modules("search")
    return dict(_INDEXERS)
