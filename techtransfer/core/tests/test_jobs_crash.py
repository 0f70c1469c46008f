"""A worker killed with SIGKILL mid-job loses nothing: on both queues another worker runs the job to the end,
once, and nothing is left running. Real `manage.py run_jobs` processes, a real signal, a real database/Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from techtransfer.core import jobs
from techtransfer.core.models import Job, JobStatus

HERE = __name__
LEASE = 1.5  # seconds: small, so that a dead worker's job comes back within the test
JOB_SECONDS = 2.5  # longer than the lease: the second worker must renew it while the job runs


def slow_side_effect(*, folder: str, seconds: float) -> None:
    """The test job: says it started, works for a while, then makes its one visible effect. The first run
    works for long (it is the one killed), so that the other workers have time to start meanwhile."""
    first = not _lines(Path(folder) / "started")
    with open(Path(folder) / "started", "a") as started:
        started.write(f"{os.getpid()}\n")
    time.sleep(60 if first else seconds)
    with open(Path(folder) / "done", "a") as done:
        done.write(f"{os.getpid()}\n")


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait_for(condition: Callable[[], Any], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def _database_url() -> str:
    """The test database, as the worker processes must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = tmp_path / f"worker-{len(started)}.log"
        full = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "techtransfer.settings", "DATABASE_URL": _database_url(),
            "JOBS_VISIBILITY_TIMEOUT": str(LEASE), "SECRET_KEY": settings.SECRET_KEY, **env,
        }
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_jobs", "--sleep", "0.2", "--backoff", "0"],
            cwd=settings.BASE_DIR, env=full, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        process.log = log  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:  # only the processes this test started
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _output(process: subprocess.Popen[bytes]) -> str:
    return process.log.read_text()  # type: ignore[attr-defined,no-any-return]


def _ready(*processes: subprocess.Popen[bytes]) -> None:
    """Wait until the workers have started up (a Django start takes seconds on a busy machine)."""
    _wait_for(lambda: all("Working on" in _output(p) for p in processes), seconds=30, what="the workers to start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """A clean stop (SIGTERM: finish the job, then exit)."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    assert process.returncode == 0, _output(process)


@pytest.mark.django_db(transaction=True)  # the workers are other processes: they see committed rows only
def test_db_a_job_of_a_killed_worker_is_run_to_the_end_once_by_another(settings, workers, tmp_path) -> None:
    settings.JOBS_BACKEND = "db"
    settings.JOBS_VISIBILITY_TIMEOUT = LEASE
    jobs.enqueue(f"{HERE}.slow_side_effect", folder=str(tmp_path), seconds=JOB_SECONDS)
    first = workers({"JOBS_BACKEND": "db"})
    _wait_for(lambda: _lines(tmp_path / "started"), seconds=30, what="the first worker to start the job")
    # Two more workers: the one that takes the job must keep its lease, or the other would take it too.
    others = [workers({"JOBS_BACKEND": "db"}) for _ in range(2)]
    _ready(*others)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    job = Job.objects.get()
    assert job.status == JobStatus.RUNNING and job.attempts == 1 and _lines(tmp_path / "done") == []

    _wait_for(lambda: Job.objects.get().status == JobStatus.DONE, seconds=30, what="the job to be done")
    time.sleep(LEASE + 0.5)  # long enough for a wrongly lost lease to show as a second run
    for process in others:
        _stop(process)

    job = Job.objects.get()
    assert _lines(tmp_path / "done") == [job.worker.split(":")[1]]  # done once, by the worker recorded
    assert len(_lines(tmp_path / "started")) == 2 and first.pid != int(_lines(tmp_path / "done")[0])
    assert (job.status, job.attempts, job.lease_until) == (JobStatus.DONE, 2, None)
    assert jobs.LEASE_EXPIRED in job.last_error
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="db", done=1)


@pytest.fixture
def redis_queue(settings) -> Iterator[Any]:
    import redis

    settings.JOBS_BACKEND = "redis"
    settings.JOBS_REDIS_KEY = f"techtransfer:test:{uuid.uuid4().hex}"
    settings.JOBS_VISIBILITY_TIMEOUT = LEASE
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"No Redis at {settings.REDIS_URL}; the redis backend tests need one (it runs in CI).")
    yield client
    for name in client.scan_iter(match=f"{settings.JOBS_REDIS_KEY}*"):
        client.delete(name)


@pytest.mark.django_db(transaction=True)  # on_commit pushes the message at once
def test_redis_a_job_of_a_killed_worker_is_run_to_the_end_once_by_another(
    settings, redis_queue, workers, tmp_path
) -> None:
    key = settings.JOBS_REDIS_KEY
    env = {"JOBS_BACKEND": "redis", "JOBS_REDIS_KEY": key, "REDIS_URL": settings.REDIS_URL}
    jobs.enqueue(f"{HERE}.slow_side_effect", folder=str(tmp_path), seconds=JOB_SECONDS)
    first = workers(env)
    _wait_for(lambda: _lines(tmp_path / "started"), seconds=30, what="the first worker to start the job")
    others = [workers(env) for _ in range(2)]
    _ready(*others)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # The message is not lost: it waits in the dead worker's processing list, under the configured prefix.
    processing = [name.decode() for name in redis_queue.scan_iter(match=f"{key}:processing:*:{first.pid}:*")]
    assert len(processing) == 1 and redis_queue.llen(processing[0]) == 1 and redis_queue.llen(key) == 0

    _wait_for(lambda: _lines(tmp_path / "done"), seconds=30, what="the job to be done")
    _wait_for(lambda: jobs.jobs_progress().pending == 0, seconds=5, what="the acknowledgement")
    time.sleep(LEASE + 0.5)  # long enough for a wrongly recovered message to run a second time
    assert len(_lines(tmp_path / "done")) == 1 and len(_lines(tmp_path / "started")) == 2
    assert not list(redis_queue.scan_iter(match=f"{key}:processing:*"))  # nothing taken, nothing left
    assert redis_queue.llen(key) == 0 and redis_queue.llen(f"{key}:failed") == 0
    assert len(list(redis_queue.scan_iter(match=f"{key}:worker:*"))) == 2  # the two live heartbeats
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="redis")
    for process in others:
        _stop(process)
    assert not list(redis_queue.scan_iter(match=f"{key}:worker:*"))  # a clean stop takes its heartbeat away
