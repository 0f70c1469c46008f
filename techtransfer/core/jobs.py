"""Background jobs: side effects (search indexing, mail) run after the transaction that caused them.

JOBS_BACKEND selects how, behind the one `enqueue` call:
- "inline" (default, one machine): the job runs right after commit, in the same process; a long job
  (`enqueue(..., background=True)`: an import, an export) runs in a daemon thread so the request returns at
  once (JOBS_BACKGROUND_SYNC=True runs it at once in the caller instead: tests, commands).
- "db": a Job row is written inside the caller's transaction (so it exists exactly when the change does);
  `manage.py run_jobs` workers claim, run and retry them. Suits one machine or a few sharing PostgreSQL.
  A claim is a lease of JOBS_VISIBILITY_TIMEOUT seconds that the worker renews while the job runs; a job
  whose lease ran out (its worker was killed) is claimed again by the next worker, its attempt counted.
- "redis" (several machines): a JSON message is pushed to a Redis list on commit. A worker moves it to its
  own processing list (LMOVE) before running it and removes it after; a worker keeps a heartbeat key alive,
  and the messages in the processing list of a worker whose heartbeat expired go back onto the queue.
- "off": nothing runs (bulk loaders that rebuild the index themselves afterwards).
Jobs take ids, never objects, so that any backend can carry them: arguments must be JSON-serialisable.
Every backend runs a job at least once; a job must therefore be safe to run twice.
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
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Case, Count, F, Q, TextField, Value, When
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
DEFAULT_VISIBILITY_TIMEOUT = 300.0
LEASE_EXPIRED = "Claimed again: the lease of its worker ran out (the worker stopped without finishing it)."

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


def enqueue(path: str, *, background: bool = False, **kwargs: Any) -> None:
    """Run the job at dotted `path` with `kwargs` once the current transaction commits.

    `background=True` marks a long job (minutes): the inline backend runs it in a daemon thread rather than
    in the request; db and redis workers run every job in the background anyway.
    """
    if _suppressed.get():
        return
    backend = _backend()
    _check_kwargs(path, kwargs)
    if backend == "inline":
        if background and getattr(settings, "JOBS_BACKGROUND_SYNC", False):
            run_job(path, kwargs)  # tests and commands: the caller waits for the outcome
        elif background:
            transaction.on_commit(lambda: _thread_start(path, kwargs))
        else:
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


def _thread_run(path: str, kwargs: dict[str, Any]) -> None:
    try:
        run_job(path, kwargs)
    finally:
        connections.close_all()  # this thread's connections only (they are per thread)


def _thread_start(path: str, kwargs: dict[str, Any]) -> None:
    """The inline backend's long jobs: a daemon thread, so the request returns at once. A process that stops
    loses the thread's work; the job must leave its record saying how far it got (ImportBatch.status)."""
    threading.Thread(target=_thread_run, args=(path, kwargs), name=f"job {path}", daemon=True).start()


def visibility_timeout() -> float:
    """Seconds a claimed job (db) or a worker's heartbeat (redis) stays valid without being renewed."""
    return float(getattr(settings, "JOBS_VISIBILITY_TIMEOUT", DEFAULT_VISIBILITY_TIMEOUT))


@contextlib.contextmanager
def _heartbeat(beat: Callable[[], None], *, every: float) -> Iterator[None]:
    """Call `beat` every `every` seconds in a thread while the block runs (renews a lease or a heartbeat key)."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except Exception:  # a missed beat is retried; the lease lasts three beats
                    logger.exception("job heartbeat failed")
        finally:
            connections.close_all()

    thread = threading.Thread(target=loop, name="jobs-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# --- progress (for an "indexing progress" display) ---------------------------------------------------


@dataclass(frozen=True)
class JobsProgress:
    backend: str
    queued: int = 0  # waiting, including those waiting for a retry
    running: int = 0  # held by a live worker (lease or heartbeat current)
    done: int = 0  # db only; Redis keeps no record of finished jobs
    failed: int = 0  # gave up after the last attempt
    stale: int = 0  # taken by a worker that died; the next worker takes them again

    @property
    def pending(self) -> int:
        return self.queued + self.running + self.stale


def jobs_progress() -> JobsProgress:
    """How much background work is waiting, running, finished and failed for the configured backend."""
    backend = _backend()
    if backend == "db":
        from techtransfer.core.models import Job

        counts = dict(Job.objects.values_list("status").annotate(n=Count("id")).order_by())
        stale = Job.objects.filter(_lease_expired(timezone.now())).count()
        return JobsProgress(
            backend=backend,
            queued=counts.get("queued", 0),
            running=counts.get("running", 0) - stale,
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
            stale=stale,
        )
    if backend == "redis":
        client, key = _redis(), _redis_key()
        running = stale = 0
        for processing, worker in _redis_processing_lists(client, key):
            if client.exists(_redis_alive_key(key, worker)):
                running += client.llen(processing)
            else:
                stale += client.llen(processing)
        return JobsProgress(
            backend=backend,
            queued=client.llen(key) + client.zcard(f"{key}:delayed"),
            running=running,
            failed=client.llen(f"{key}:failed"),
            stale=stale,
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


def _lease_expired(now: Any) -> Q:
    """Jobs left running by a worker that stopped renewing their lease (killed, machine lost)."""
    return Q(status="running", lease_until__lt=now)


def db_job_claim(*, worker: str = "", max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Job | None:
    """Take the oldest due job for this worker, or None; no other worker can take the same one while the
    lease lasts. Due are queued jobs past their `run_after`, and running jobs whose lease ran out: their
    worker died, so they are claimed again with the attempt counted (past `max_attempts` they fail)."""
    from techtransfer.core.models import Job, JobStatus

    now = timezone.now()
    # A job that kills its worker every time (out of memory, a crash in C) must not do so for ever.
    Job.objects.filter(_lease_expired(now), attempts__gte=max_attempts).update(
        status=JobStatus.FAILED, finished=now, lease_until=None,
        last_error=f"Gave up after {max_attempts} attempts: {LEASE_EXPIRED}",
    )
    claimable = Q(status=JobStatus.QUEUED, run_after__lte=now) | _lease_expired(now)
    claim = {
        "status": JobStatus.RUNNING, "attempts": F("attempts") + 1, "started": now, "worker": worker,
        "lease_until": now + timedelta(seconds=visibility_timeout()),
        "last_error": Case(
            When(status=JobStatus.RUNNING, then=Value(LEASE_EXPIRED)), default=F("last_error"), output_field=TextField()
        ),
    }
    due = Job.objects.filter(claimable).order_by("run_after", "id")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another worker holds are skipped, not waited for.
        with transaction.atomic():
            job = due.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(**claim)
    else:
        # SQLite: no row locks; the conditional UPDATE is the claim, and only one writer can win it.
        while True:
            job = due.first()
            if job is None:
                return None
            if Job.objects.filter(claimable, pk=job.pk).update(**claim):
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
    """Run a claimed job and record the outcome: done, queued again for a retry, or failed for good.

    A heartbeat renews the lease while the job runs, however long it takes. The outcome is written only while
    the claim is still ours (same worker, running): a job that lost its lease belongs to its new worker."""
    from techtransfer.core.models import Job, JobStatus

    timeout = visibility_timeout()
    ours = Job.objects.filter(pk=job.pk, worker=job.worker, status=JobStatus.RUNNING)

    def renew() -> None:
        ours.update(lease_until=timezone.now() + timedelta(seconds=timeout))

    try:
        with _heartbeat(renew, every=timeout / 3):
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
        ours.update(status=status, last_error=_error_text(), lease_until=None, **fields)
        return "retried" if status == JobStatus.QUEUED else "failed"
    ours.update(status=JobStatus.DONE, finished=timezone.now(), lease_until=None)
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
    """The prefix of every key of the queue (JOBS_REDIS_KEY); the queue list itself is the bare prefix."""
    return getattr(settings, "JOBS_REDIS_KEY", "") or DEFAULT_REDIS_KEY


def _redis_processing_key(key: str, worker: str) -> str:
    return f"{key}:processing:{worker}"


def _redis_alive_key(key: str, worker: str) -> str:
    return f"{key}:worker:{worker}"


def _redis_processing_lists(client: redis.Redis, key: str) -> list[tuple[str, str]]:
    """Every worker's processing list, with the worker's name."""
    prefix = _redis_processing_key(key, "")
    pattern = prefix.replace("[", "\\[").replace("*", "\\*").replace("?", "\\?") + "*"
    lists = cast("list[bytes]", list(client.scan_iter(match=pattern, count=500)))
    return [(name.decode(), name.decode()[len(prefix):]) for name in lists]


def redis_recover(client: redis.Redis, key: str) -> int:
    """Put back onto the queue the messages that workers without a heartbeat (dead) had taken; how many.

    LMOVE moves one message atomically, so a recovery that is itself interrupted loses nothing. A recovered
    message goes to the front of the queue: it has waited already."""
    moved = 0
    for processing, worker in _redis_processing_lists(client, key):
        if client.exists(_redis_alive_key(key, worker)):
            continue
        while client.lmove(processing, key, "RIGHT", "RIGHT") is not None:
            moved += 1
    if moved:
        logger.warning("%d Redis jobs of stopped workers queued again", moved)
    return moved


def _redis_promote_due(client: redis.Redis, key: str) -> None:
    """Move retries whose backoff has passed back onto the queue; ZREM decides which worker moves each."""
    # redis-py types every reply for any client; ours does not decode, and without scores members are bytes.
    due = cast("list[bytes]", client.zrangebyscore(f"{key}:delayed", "-inf", time.time()))
    for message in due:
        if client.zrem(f"{key}:delayed", message):
            client.rpush(key, message)  # the front of the queue: it has waited already


def redis_job_run(
    *, client: redis.Redis, key: str, raw: bytes, max_attempts: int, backoff: float, processing: str = ""
) -> str | None:
    """Run one message taken into `processing` (this worker's list, where it is the only message) and
    acknowledge it: removed on success, moved to the delayed set for a retry or to the failed list.

    The attempt is counted in the stored message before the job runs, so a worker killed mid-job has used
    it up. None when the message was taken back meanwhile (this worker's heartbeat had expired)."""
    message = json.loads(raw)
    message["attempts"] = message.get("attempts", 0) + 1
    counted = json.dumps(message)
    if processing:
        import redis as redis_lib

        try:
            client.lset(processing, 0, counted)  # LSET refuses an empty list: the message was recovered
        except redis_lib.ResponseError:
            logger.warning("job %s was queued again while this worker was stalled; not run here", message["id"])
            return None
    outcome = "done"
    if message["attempts"] > max_attempts:  # its workers kept dying: give up
        message["last_error"] = f"Gave up after {max_attempts} attempts: its workers stopped without finishing it."
        outcome = "failed"
    else:
        try:
            _call(message["path"], message["kwargs"])
        except Exception:
            logger.exception("job %s(%s) failed (attempt %s)", message["path"], message["kwargs"],
                             message["attempts"])
            message["last_error"] = _error_text()
            outcome = "retried" if message["attempts"] < max_attempts else "failed"
    pipe = client.pipeline(transaction=True)  # the outcome and the acknowledgement together
    if outcome == "retried":
        due = time.time() + _backoff(attempts=message["attempts"], base=backoff).total_seconds()
        pipe.zadd(f"{key}:delayed", {json.dumps(message): due})
    elif outcome == "failed":
        message["failed_at"] = timezone.now().isoformat()
        pipe.lpush(f"{key}:failed", json.dumps(message))
    if processing:
        pipe.lrem(processing, 1, counted)
    pipe.execute()
    return outcome


def _db_work_one(*, worker: str, max_attempts: int, backoff: float) -> str | None:
    job = db_job_claim(worker=worker, max_attempts=max_attempts)
    return db_job_run(job=job, max_attempts=max_attempts, backoff=backoff) if job else None


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
    worker = _worker_name()
    if backend == "db":
        return _work_loop(
            lambda: _db_work_one(worker=worker, max_attempts=max_attempts, backoff=backoff),
            once=once, sleep=sleep, stop=stop, wait_when_idle=True,
        )
    client, key = _redis(), _redis_key()
    timeout = visibility_timeout()
    alive, processing = _redis_alive_key(key, worker), _redis_processing_key(key, worker)
    # The heartbeat exists before this worker takes anything, so a recovery never takes from a live worker.
    client.set(alive, "1", px=max(1, int(timeout * 1000)))
    recovered_at: float | None = None

    def work_one() -> str | None:
        nonlocal recovered_at
        if recovered_at is None or time.monotonic() - recovered_at >= timeout:  # on start, then once per timeout
            redis_recover(client, key)
            recovered_at = time.monotonic()
        _redis_promote_due(client, key)
        # Replies are bytes (the client does not decode).
        if once:
            raw = cast("bytes | None", client.lmove(key, processing, "RIGHT", "LEFT"))
        else:
            raw = cast("bytes | None", client.blmove(key, processing, max(1, int(sleep)), "RIGHT", "LEFT"))
        if raw is None:
            return None
        return redis_job_run(client=client, key=key, raw=raw, max_attempts=max_attempts, backoff=backoff,
                             processing=processing) or "lost"

    def beat() -> None:
        client.set(alive, "1", px=max(1, int(timeout * 1000)))

    try:
        with _heartbeat(beat, every=timeout / 3):
            return _work_loop(work_one, once=once, sleep=sleep, stop=stop, wait_when_idle=False)
    finally:
        client.delete(alive)  # a clean stop: nothing is left in this worker's processing list


def _work_loop(
    work_one: Callable[[], str | None], *, once: bool, sleep: float, stop: threading.Event, wait_when_idle: bool
) -> WorkResult:
    result = WorkResult()
    while not stop.is_set():
        if not once:
            close_old_connections()  # a long-running worker must survive a database restart
        outcome = work_one()
        if outcome == "lost":
            continue
        if outcome is not None:
            setattr(result, outcome, getattr(result, outcome) + 1)
            continue
        if once:
            break
        if wait_when_idle:
            stop.wait(sleep)
    return result
