"""Background jobs: side effects (search indexing, mail) run after the transaction that caused them.

JOBS_BACKEND selects how: "inline" (default for one machine) runs the job right after commit in the
same process; other backends plug in here with the same `enqueue` call. Jobs take ids, never objects,
so that any backend can carry them.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Set while a bulk loader runs that does the side effects itself, in one batch, at the end.
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("jobs_suppressed", default=False)


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Drop the jobs enqueued inside this block (this thread only); the caller runs them in bulk afterwards."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def run_job(path: str, kwargs: dict[str, Any]) -> None:
    func: Callable[..., Any] = import_string(path)
    try:
        func(**kwargs)
    except Exception:  # a failed side effect must not break the request that caused it
        logger.exception("job %s(%s) failed", path, kwargs)


def enqueue(path: str, **kwargs: Any) -> None:
    """Run the job at dotted `path` with `kwargs` once the current transaction commits."""
    if _suppressed.get():
        return
    backend = getattr(settings, "JOBS_BACKEND", "inline")
    if backend == "inline":
        transaction.on_commit(lambda: run_job(path, kwargs))
    elif backend == "off":  # bulk loaders that rebuild the index themselves afterwards
        return
    else:
        raise ValueError(f"Unknown JOBS_BACKEND {backend!r}")
