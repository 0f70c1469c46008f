"""Which kinds of object the index holds, and how to rebuild each (used by rebuild_search_index).

An app declares its kind in its own `search.py` with `register_indexer`, the way admin.py registers
models; the search module thereby depends on no app that it indexes. Each kind carries a label, in both
languages, for the pages that name it to people (the matching index status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

Progress = Callable[[int, int], None]


class ReindexAll(Protocol):
    def __call__(self, *, progress: Progress | None = None) -> int: ...


_INDEXERS: dict[str, ReindexAll] = {}
_LABELS: dict[str, str | Promise] = {}


def register_indexer(kind: str, reindex_all: ReindexAll, *, label: str | Promise) -> None:
    """`reindex_all(progress=...)` re-indexes every object of `kind`, calls progress(done, total) as it
    goes, removes documents whose object is gone, and returns how many it indexed. `label` names the kind
    to people (a lazy translation, plural: "Technology demands")."""
    _INDEXERS[kind] = reindex_all
    _LABELS[kind] = label


def indexers() -> dict[str, ReindexAll]:
    autodiscover_modules("search")
    return dict(_INDEXERS)


def kind_label(kind: str) -> str:
    """The registered label of `kind` in the active language; a kind nobody registered keeps its name."""
    autodiscover_modules("search")
    return str(_LABELS.get(kind, kind))
