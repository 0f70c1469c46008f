"""Background jobs: side effects (search indexing, mail) run after the transaction that caused them.

JOBS_BACKEND selects how, behind the one `enqueue` call:
- "inline" (default, one machine): the job runs right after commit, in the same process.
- "db": a Job row is written inside the caller's transaction (so it exists exactly when the change does);
  `manage.py run_jobs` workers claim, run and retry them. Suits one machine or a few sharing PostgreSQL.
- "redis" (several machines): a JSON message is pushed to a Redis list on commit; `run_jobs` pops it.
- "off": nothing runs (bulk loaders that rebuild the index themselves afterwards).
Jobs take ids, never objects, so that any backend can carry them: arguments must be JSON-serialisable.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    import redis

    from techtransfer.core.models import Job

logger = logging.getLogger(__name__)

BACKENDS = ("inline", "db", "redis", "off")
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 10.0
DEFAULT_REDIS_KEY = "techtransfer:jobs"

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


def _call(path: str, kwargs: dict[str, Any]) -> None:
    func: Callable[..., Any] = import_string(path)
    func(**kwargs)


def run_job(path: str, kwargs: dict[str, Any]) -> None:
    try:
        _call(path, kwargs)
    except Exception:  # a failed side effect must not break the request that caused it
        logger.exception("job %s(%s) failed", path, kwargs)


def _backend() -> str:
    backend = getattr(settings, "JOBS_BACKEND", "inline")
    if backend not in BACKENDS:
        raise ValueError(f"Unknown JOBS_BACKEND {backend!r}; expected one of {', '.join(BACKENDS)}.")
    return backend


def _check_kwargs(path: str, kwargs: dict[str, Any]) -> None:
    """Refuse what another process could not rebuild, whatever the backend, so code behaves the same on all."""
    for name, value in kwargs.items():
        try:
            # The round trip also catches what JSON would silently change: tuples, non-string dict keys.
            faithful = json.loads(json.dumps(value, allow_nan=False)) == value
        except (TypeError, ValueError):
            faithful = False
        if not faithful:
            raise TypeError(
                f"Job {path}: argument {name}={type(value).__name__} cannot be carried as JSON; jobs take ids "
                "and plain values (str, int, float, bool, None, lists, dicts with string keys), not objects."
            )


def enqueue(path: str, **kwargs: Any) -> None:
    """Run the job at dotted `path` with `kwargs` once the current transaction commits."""
    if _suppressed.get():
        return
    backend = _backend()
    _check_kwargs(path, kwargs)
    if backend == "inline":
        transaction.on_commit(lambda: run_job(path, kwargs))
    elif backend == "db":
        from techtransfer.core.models import Job

        # Written inside the caller's transaction: the job exists exactly when the change that caused it
        # does (a rollback drops it, and a crash right after commit cannot lose it).
        Job.objects.create(path=path, kwargs=kwargs)
    elif backend == "redis":
        message = json.dumps({"id": uuid.uuid4().hex, "path": path, "kwargs": kwargs, "attempts": 0})
        transaction.on_commit(lambda: _redis_push(message))
    # "off": nothing


# --- progress (for an "indexing progress" display) ---------------------------------------------------


@dataclass(frozen=True)
class JobsProgress:
    backend: str
    queued: int = 0  # waiting, including those waiting for a retry
    running: int = 0
    done: int = 0  # db only; Redis keeps no record of finished jobs
    failed: int = 0  # gave up after the last attempt

    @property
    def pending(self) -> int:
        return self.queued + self.running


def jobs_progress() -> JobsProgress:
    """How much background work is waiting, running, finished and failed for the configured backend."""
    backend = _backend()
    if backend == "db":
        from techtransfer.core.models import Job

        counts = dict(Job.objects.values_list("status").annotate(n=Count("id")).order_by())
        return JobsProgress(
            backend=backend,
            queued=counts.get("queued", 0),
            running=counts.get("running", 0),
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
        )
    if backend == "redis":
        client, key = _redis(), _redis_key()
        return JobsProgress(
            backend=backend,
            queued=client.llen(key) + client.zcard(f"{key}:delayed"),
            failed=client.llen(f"{key}:failed"),
        )
    return JobsProgress(backend=backend)


# --- workers ------------------------------------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _backoff(*, attempts: int, base: float) -> timedelta:
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def _error_text() -> str:
    return traceback.format_exc()[-4000:]


@dataclass
class WorkResult:
    done: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.failed


def db_job_claim(*, worker: str = "") -> Job | None:
    """Take the oldest due queued job for this worker, or None; no other worker can take the same one."""
    from techtransfer.core.models import Job, JobStatus

    now = timezone.now()
    due = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now).order_by("run_after", "id")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another worker holds are skipped, not waited for.
        with transaction.atomic():
            job = due.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.RUNNING, attempts=F("attempts") + 1, started=now, worker=worker
            )
    else:
        # SQLite: no row locks; the conditional UPDATE is the claim, and only one writer can win it.
        while True:
            job = due.first()
            if job is None:
                return None
            claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
                status=JobStatus.RUNNING, attempts=F("attempts") + 1, started=now, worker=worker
            )
            if claimed:
                break
    job.refresh_from_db()
    return job


def db_jobs_requeue_stale(*, older_than: timedelta) -> int:
    """Queue again the jobs left "running" by a worker that died (killed, machine lost); returns how many."""
    from techtransfer.core.models import Job, JobStatus

    now = timezone.now()
    return Job.objects.filter(status=JobStatus.RUNNING, started__lt=now - older_than).update(
        status=JobStatus.QUEUED, run_after=now, last_error="Queued again: its worker stopped without finishing it."
    )


def db_job_run(*, job: Job, max_attempts: int, backoff: float) -> str:
    """Run a claimed job and record the outcome: done, queued again for a retry, or failed for good."""
    from techtransfer.core.models import Job, JobStatus

    try:
        _call(job.path, job.kwargs)
    except Exception:
        logger.exception("job #%s %s(%s) failed (attempt %s)", job.pk, job.path, job.kwargs, job.attempts)
        now = timezone.now()
        if job.attempts < max_attempts:
            status = JobStatus.QUEUED
            fields = {"run_after": now + _backoff(attempts=job.attempts, base=backoff)}
        else:
            status = JobStatus.FAILED
            fields = {"finished": now}
        Job.objects.filter(pk=job.pk).update(status=status, last_error=_error_text(), **fields)
        return "retried" if status == JobStatus.QUEUED else "failed"
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished=timezone.now())
    return "done"


def _redis() -> redis.Redis:
    return _redis_client(settings.REDIS_URL)


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    """One client (and connection pool) per process; redis-py makes it safe across threads and forks."""
    import redis

    return redis.Redis.from_url(url)


def _redis_push(message: str) -> None:
    import redis

    try:
        _redis().lpush(_redis_key(), message)
    except redis.RedisError:  # the change is committed already: like a failed inline job, log, don't break it
        logger.exception("job could not be queued in Redis at %s: %s", settings.REDIS_URL, message)


def _redis_key() -> str:
    return getattr(settings, "JOBS_REDIS_KEY", DEFAULT_REDIS_KEY)


def _redis_promote_due(client: redis.Redis, key: str) -> None:
    """Move retries whose backoff has passed back onto the queue; ZREM decides which worker moves each."""
    # redis-py types every reply for any client; ours does not decode, and without scores members are bytes.
    due = cast("list[bytes]", client.zrangebyscore(f"{key}:delayed", "-inf", time.time()))
    for message in due:
        if client.zrem(f"{key}:delayed", message):
            client.rpush(key, message)  # the front of the queue: it has waited already


def redis_job_run(*, client: redis.Redis, key: str, raw: bytes, max_attempts: int, backoff: float) -> str:
    """Run one popped message; a failure goes to the delayed set for a retry, or to the failed list."""
    message = json.loads(raw)
    message["attempts"] = message.get("attempts", 0) + 1
    try:
        _call(message["path"], message["kwargs"])
    except Exception:
        logger.exception("job %s(%s) failed (attempt %s)", message["path"], message["kwargs"], message["attempts"])
        message["last_error"] = _error_text()
        if message["attempts"] < max_attempts:
            due = time.time() + _backoff(attempts=message["attempts"], base=backoff).total_seconds()
            client.zadd(f"{key}:delayed", {json.dumps(message): due})
            return "retried"
        message["failed_at"] = timezone.now().isoformat()
        client.lpush(f"{key}:failed", json.dumps(message))
        return "failed"
    return "done"


def jobs_work(
    *,
    once: bool = False,
    sleep: float = 1.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF_SECONDS,
    stop: threading.Event | None = None,
) -> WorkResult:
    """Run queued jobs of the configured backend; with `once`, until none is due, else until `stop` is set."""
    backend = _backend()
    if backend not in ("db", "redis"):
        raise ValueError(
            f"JOBS_BACKEND is {backend!r}: there is no queue to work on "
            "(set JOBS_BACKEND=db or JOBS_BACKEND=redis for workers)."
        )
    stop = stop or threading.Event()
    result = WorkResult()
    worker = _worker_name()
    client, key = (_redis(), _redis_key()) if backend == "redis" else (None, "")
    while not stop.is_set():
        if not once:
            close_old_connections()  # a long-running worker must survive a database restart
        if backend == "db":
            job = db_job_claim(worker=worker)
            outcome = db_job_run(job=job, max_attempts=max_attempts, backoff=backoff) if job else None
        else:
            assert client is not None
            _redis_promote_due(client, key)
            # Replies are bytes (the client does not decode); RPOP without a count pops one message, BRPOP
            # a (list, message) pair.
            if once:
                raw = cast("bytes | None", client.rpop(key))
            else:
                popped = cast("tuple[bytes, bytes] | None", client.brpop([key], timeout=max(1, int(sleep))))
                raw = popped[1] if popped else None
            outcome = (
                redis_job_run(client=client, key=key, raw=raw, max_attempts=max_attempts, backoff=backoff)
                if raw is not None
                else None
            )
        if outcome is not None:
            setattr(result, outcome, getattr(result, outcome) + 1)
            continue
        if once:
            break
        if backend == "db":
            stop.wait(sleep)
    return result
