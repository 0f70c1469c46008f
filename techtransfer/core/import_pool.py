"""Reading a large import's rows in helper processes while the importing process saves them.

Reading a row (cells to values, code lookups, the form's checks, the audit snapshot) costs more than
saving it, and it writes nothing. So for a large file, helper processes read chunks (`imports.chunk_read`)
while the importer saves the chunks they return, in file order: what is saved, counted and reported is what
reading the file in one process gives, with the same row numbers, repeats and errors.

Each helper is a fresh Python (spawned, so it inherits no connection, lock or thread) with Django set up on
the same settings and database, in the importer's language. It sees committed data only, which is all
reading needs (code tables, memberships, keys stored before). So helpers are used only when:

- the format allows it (`ImportFormat.parallel`);
- `IMPORT_WORKERS` (default: the machine's cores, at most 4; none on one core) is at least 1;
- the file has at least `IMPORT_PARALLEL_MIN_ROWS` rows (default 5,000; a helper takes about a second to
  start, which a small file does not repay);
- the importing connection is not inside a transaction of its caller, whose writes helpers could not see;
- the database is not an in-memory SQLite database, which other processes cannot open.
"""

from __future__ import annotations

import collections
import gc
import itertools
import os
import pickle
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import connection, connections
from django.utils import translation

if TYPE_CHECKING:
    from techtransfer.core.imports import ImportFormat, RowOutcome
    from techtransfer.lib.tables import HeaderMap, NumberedRow



class ChunkReader(Protocol):
    def __call__(self, fmt: ImportFormat, header: HeaderMap, chunk: list[NumberedRow]) -> list[RowOutcome]: ...


def workers() -> int:
    return int(settings.IMPORT_WORKERS)


def min_rows() -> int:
    return int(settings.IMPORT_PARALLEL_MIN_ROWS)


def usable(fmt: ImportFormat) -> bool:
    """Whether helpers may read this import's rows (see the module's docstring); the file's size is weighed
    once its first chunks are read."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return fmt.parallel and workers() >= 1 and not connection.in_atomic_block and not in_memory


def chunks_read(
    fmt: ImportFormat,
    header: HeaderMap,
    chunks: Iterable[list[NumberedRow]],
    *,
    read: ChunkReader,
    parallel: bool,
) -> Iterator[tuple[int, list[RowOutcome]]]:
    """Each chunk's length and its rows read by `read` (`imports.chunk_read`), in file order: in helper
    processes when `parallel` and the file is large enough, else here."""
    chunks = iter(chunks)
    head: list[list[NumberedRow]] = []
    if parallel:
        rows, wanted = 0, min_rows()
        for chunk in chunks:
            head.append(chunk)
            rows += len(chunk)
            if rows >= wanted:
                yield from _pool_read(fmt, header, head, chunks)
                return
    for chunk in itertools.chain(head, chunks):
        yield len(chunk), read(fmt, header, chunk)


def _pool_read(
    fmt: ImportFormat, header: HeaderMap, head: list[list[NumberedRow]], rest: Iterator[list[NumberedRow]]
) -> Iterator[tuple[int, list[RowOutcome]]]:
    count = workers()
    state = pickle.dumps((fmt, header))
    names = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=get_context("spawn"),
        initializer=_helper_start,
        initargs=(_settings_module(), names, translation.get_language(), state),
    )
    pending: collections.deque[tuple[int, Future[list[RowOutcome]]]] = collections.deque()
    try:
        for chunk in itertools.chain(head, rest):
            pending.append((len(chunk), pool.submit(_helper_read, chunk)))
            # Two chunks per helper in flight: one being read, one waiting, while the oldest is saved here.
            if len(pending) >= 2 * count:
                length, future = pending.popleft()
                yield length, future.result()
        while pending:
            length, future = pending.popleft()
            yield length, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _settings_module() -> str:
    # Inside override_settings, settings.SETTINGS_MODULE is None: the environment names the module.
    return os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE


# --- in the helper process -------------------------------------------------------------------------------

_HELPER: dict[str, Any] = {}


def _helper_start(settings_module: str, names: dict[str, str], language: str | None, state: bytes) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connections as helper_connections

    for alias, name in names.items():  # a test run's database has another name than the settings give
        helper_connections[alias].settings_dict["NAME"] = name
    if language:
        translation.activate(language)
    _HELPER["format"], _HELPER["header"] = pickle.loads(state)
    gc.freeze()  # what setting up made stays out of the collector's walks (see imports._young_objects_only)


def _helper_read(chunk: list[NumberedRow]) -> list[RowOutcome]:
    from techtransfer.core.imports import chunk_read  # imported once Django is set up (imports names models)

    return chunk_read(_HELPER["format"], _HELPER["header"], chunk)
