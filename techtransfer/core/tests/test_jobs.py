"""The job runner: every backend carries the same `enqueue` call; db and redis workers run, retry and record."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from techtransfer.core import jobs
from techtransfer.core.models import Job, JobStatus

HERE = __name__  # job paths point at the functions below

calls: list[dict[str, object]] = []
calls_lock = threading.Lock()
flaky_failures: dict[str, int] = {}


def record(**kwargs: object) -> None:
    with calls_lock:
        calls.append(kwargs)


def record_slowly(**kwargs: object) -> None:
    time.sleep(0.01)  # long enough that every worker gets a share
    record(**kwargs)


def explode(**kwargs: object) -> None:
    raise RuntimeError(f"index server unreachable for {kwargs}")


def flaky(*, key: str, fail_times: int) -> None:
    """Fails the first `fail_times` calls for `key`, then succeeds."""
    with calls_lock:
        flaky_failures[key] = flaky_failures.get(key, 0) + 1
        if flaky_failures[key] <= fail_times:
            raise RuntimeError(f"attempt {flaky_failures[key]} failed")
        calls.append({"key": key})


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    calls.clear()
    flaky_failures.clear()
    yield
    calls.clear()


def test_default_test_settings_keep_jobs_inline(settings) -> None:
    assert settings.JOBS_BACKEND == "inline"


# --- inline / off / suppressed ------------------------------------------------------------------------


@pytest.mark.django_db
def test_inline_runs_the_job_after_commit_in_process(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            jobs.enqueue(f"{HERE}.record", achievement_id=7)
            assert calls == []  # not before the commit
    assert calls == [{"achievement_id": 7}]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_inline_job_failure_does_not_break_the_caller(django_capture_on_commit_callbacks, caplog) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(f"{HERE}.explode", achievement_id=7)
    assert "index server unreachable" in caplog.text


@pytest.mark.django_db
def test_off_and_suppressed_run_nothing(settings, django_capture_on_commit_callbacks) -> None:
    settings.JOBS_BACKEND = "off"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        jobs.enqueue(f"{HERE}.record", achievement_id=1)
    settings.JOBS_BACKEND = "db"
    with jobs.suppressed():
        jobs.enqueue(f"{HERE}.record", achievement_id=2)
    assert callbacks == [] and calls == []
    assert not Job.objects.exists()


def test_an_unknown_backend_is_refused_by_name(settings) -> None:
    settings.JOBS_BACKEND = "celery"
    with pytest.raises(ValueError, match="Unknown JOBS_BACKEND 'celery'"):
        jobs.enqueue(f"{HERE}.record", achievement_id=1)


@pytest.mark.parametrize("backend", ["inline", "db", "redis", "off"])
def test_objects_as_arguments_are_refused_at_enqueue_on_every_backend(settings, backend: str) -> None:
    settings.JOBS_BACKEND = backend
    with pytest.raises(TypeError, match=r"record: argument when=datetime cannot be carried as JSON; jobs take ids"):
        jobs.enqueue(f"{HERE}.record", achievement_id=1, when=timezone.now())


@pytest.mark.parametrize("value", [(1, 2), {1: "a"}, float("nan"), {"ok": [object()]}])
def test_arguments_json_would_silently_change_are_refused_too(settings, value: object) -> None:
    settings.JOBS_BACKEND = "db"
    with pytest.raises(TypeError, match="argument ids="):
        jobs.enqueue(f"{HERE}.record", ids=value)


# --- db backend ---------------------------------------------------------------------------------------


@pytest.fixture
def db_backend(settings):
    settings.JOBS_BACKEND = "db"
    return settings


@pytest.mark.django_db
def test_db_enqueue_writes_a_queued_row_with_the_transaction(db_backend) -> None:
    with transaction.atomic():
        jobs.enqueue(f"{HERE}.record", achievement_id=5, base_url="https://x.test")
    job = Job.objects.get()
    assert (job.path, job.kwargs, job.status, job.attempts) == (
        f"{HERE}.record",
        {"achievement_id": 5, "base_url": "https://x.test"},
        JobStatus.QUEUED,
        0,
    )
    assert calls == []  # nothing runs until a worker takes it


@pytest.mark.django_db
def test_db_job_of_a_rolled_back_transaction_never_exists(db_backend) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(f"{HERE}.record", achievement_id=5)
        raise RuntimeError("the change failed")
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_run_jobs_once_drains_the_db_queue_and_records_completion(db_backend) -> None:
    for n in range(5):
        jobs.enqueue(f"{HERE}.record", achievement_id=n)
    out = _run_jobs("--once")
    assert "5 jobs run: 5 done, 0 to retry, 0 failed." in out
    assert sorted(c["achievement_id"] for c in calls) == [0, 1, 2, 3, 4]
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
    job = Job.objects.first()
    assert job.attempts == 1 and job.started and job.finished and job.finished >= job.started and job.worker


@pytest.mark.django_db
def test_a_failing_db_job_is_retried_then_recorded_as_failed_with_its_error(db_backend) -> None:
    jobs.enqueue(f"{HERE}.explode", achievement_id=9)
    out = _run_jobs("--once", "--max-attempts", "3", "--backoff", "0")
    assert "3 jobs run: 0 done, 2 to retry, 1 failed." in out
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and job.attempts == 3 and job.finished
    assert "RuntimeError: index server unreachable for {'achievement_id': 9}" in job.last_error


@pytest.mark.django_db
def test_a_db_job_that_fails_once_succeeds_on_its_retry(db_backend) -> None:
    jobs.enqueue(f"{HERE}.flaky", key="a", fail_times=1)
    _run_jobs("--once", "--backoff", "0")
    job = Job.objects.get()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert "attempt 1 failed" in job.last_error  # the history of the failed try is kept
    assert calls == [{"key": "a"}]


@pytest.mark.django_db
def test_a_failed_db_job_waits_out_its_backoff_before_the_retry(db_backend) -> None:
    jobs.enqueue(f"{HERE}.flaky", key="b", fail_times=1)
    _run_jobs("--once", "--backoff", "60")
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert timedelta(seconds=55) < job.run_after - timezone.now() <= timedelta(seconds=60)
    assert "0 jobs run" in _run_jobs("--once", "--backoff", "60")  # not due yet
    Job.objects.update(run_after=timezone.now())
    _run_jobs("--once")
    assert Job.objects.get().status == JobStatus.DONE and calls == [{"key": "b"}]


@pytest.mark.django_db
def test_backoff_doubles_with_each_attempt(db_backend) -> None:
    jobs.enqueue(f"{HERE}.explode", achievement_id=1)
    job = jobs.db_job_claim()
    jobs.db_job_run(job=job, max_attempts=5, backoff=10)
    Job.objects.update(run_after=timezone.now())
    job = jobs.db_job_claim()
    jobs.db_job_run(job=job, max_attempts=5, backoff=10)
    wait = Job.objects.get().run_after - timezone.now()
    assert timedelta(seconds=15) < wait <= timedelta(seconds=20)


@pytest.mark.django_db
def test_a_claimed_db_job_cannot_be_claimed_again(db_backend) -> None:
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    jobs.enqueue(f"{HERE}.record", achievement_id=2)
    first = jobs.db_job_claim(worker="w1")
    second = jobs.db_job_claim(worker="w2")
    assert first.pk != second.pk
    assert (first.status, first.worker, second.worker) == (JobStatus.RUNNING, "w1", "w2")
    assert jobs.db_job_claim(worker="w3") is None


@pytest.mark.django_db
def test_the_update_claim_skips_a_job_another_worker_took_between_read_and_update(db_backend, monkeypatch) -> None:
    """The race itself: our worker read job 1 as queued, but another claimed it before our UPDATE.

    This is SQLite's claim; PostgreSQL normally uses SKIP LOCKED, so the test turns that feature off to run
    the same claim on both databases."""
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    jobs.enqueue(f"{HERE}.record", achievement_id=2)
    stale_first = Job.objects.order_by("id").first()
    Job.objects.filter(pk=stale_first.pk).update(status=JobStatus.RUNNING, worker="other")
    real_first = type(Job.objects.all()).first
    reads: list[int] = []

    def first_as_read_before_the_other_claim(qs):  # type: ignore[no-untyped-def]
        reads.append(1)
        return stale_first if len(reads) == 1 else real_first(qs)

    monkeypatch.setattr(type(Job.objects.all()), "first", first_as_read_before_the_other_claim)
    job = jobs.db_job_claim(worker="me")
    assert job.kwargs == {"achievement_id": 2} and job.worker == "me"
    assert Job.objects.get(pk=stale_first.pk).worker == "other"


@pytest.mark.django_db(transaction=True)
def test_two_db_workers_never_run_the_same_job(db_backend) -> None:
    total = 40
    for n in range(total):
        jobs.enqueue(f"{HERE}.record_slowly", achievement_id=n)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            jobs.jobs_work(once=True, backoff=0)
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    ran = [c["achievement_id"] for c in calls]
    assert sorted(ran) == list(range(total))  # each exactly once
    assert Job.objects.filter(status=JobStatus.DONE, attempts=1).count() == total
    assert len(set(Job.objects.values_list("worker", flat=True))) > 1  # the work was really shared


@pytest.mark.django_db
def test_jobs_progress_counts_db_jobs_by_status(db_backend) -> None:
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="db")
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    jobs.enqueue(f"{HERE}.explode", achievement_id=2)
    jobs.enqueue(f"{HERE}.record", achievement_id=3)
    jobs.db_job_claim()
    _run_jobs("--once", "--max-attempts", "1")
    jobs.enqueue(f"{HERE}.record", achievement_id=4)
    jobs.db_job_claim(worker="busy")
    jobs.enqueue(f"{HERE}.record", achievement_id=5)
    progress = jobs.jobs_progress()
    assert (progress.queued, progress.running, progress.done, progress.failed) == (1, 2, 1, 1)
    assert progress.pending == 3


@pytest.mark.django_db
def test_requeue_stale_puts_back_only_jobs_whose_worker_died_long_ago(db_backend) -> None:
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    jobs.enqueue(f"{HERE}.record", achievement_id=2)
    dead = jobs.db_job_claim(worker="dead")
    jobs.db_job_claim(worker="alive")
    Job.objects.filter(pk=dead.pk).update(started=timezone.now() - timedelta(hours=2))
    out = _run_jobs("--once", "--requeue-stale", "3600")
    assert "1 stale running jobs queued again." in out and "1 jobs run: 1 done" in out
    assert calls == [{"achievement_id": 1}]
    assert Job.objects.get(pk=dead.pk).attempts == 2
    assert Job.objects.exclude(pk=dead.pk).get().status == JobStatus.RUNNING


def test_run_jobs_refuses_to_work_without_a_queue(settings) -> None:
    settings.JOBS_BACKEND = "inline"
    with pytest.raises(CommandError, match="JOBS_BACKEND is 'inline'"):
        call_command("run_jobs", "--once")


def test_run_jobs_refuses_zero_attempts(db_backend) -> None:
    with pytest.raises(CommandError, match="--max-attempts must be at least 1"):
        call_command("run_jobs", "--once", "--max-attempts", "0")


# --- redis backend ------------------------------------------------------------------------------------


@pytest.fixture
def redis_backend(settings) -> Iterator[object]:
    import redis

    settings.JOBS_BACKEND = "redis"
    settings.JOBS_REDIS_KEY = f"techtransfer:test-jobs:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"No Redis at {settings.REDIS_URL}; the redis backend tests need one (it runs in CI).")
    key = settings.JOBS_REDIS_KEY
    yield client
    client.delete(key, f"{key}:delayed", f"{key}:failed")


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_redis_enqueue_pushes_a_message_only_on_commit(redis_backend, settings) -> None:
    key = settings.JOBS_REDIS_KEY
    with transaction.atomic():
        jobs.enqueue(f"{HERE}.record", achievement_id=3)
        assert redis_backend.llen(key) == 0
    message = json.loads(redis_backend.lindex(key, 0))
    assert (message["path"], message["kwargs"], message["attempts"]) == (f"{HERE}.record", {"achievement_id": 3}, 0)
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="redis", queued=1)


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_redis_job_of_a_rolled_back_transaction_is_never_pushed(redis_backend, settings) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(f"{HERE}.record", achievement_id=3)
        raise RuntimeError("the change failed")
    assert redis_backend.llen(settings.JOBS_REDIS_KEY) == 0


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_an_unreachable_redis_is_logged_and_does_not_break_the_committed_change(
    redis_backend, settings, caplog
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    with transaction.atomic():
        jobs.enqueue(f"{HERE}.record", achievement_id=3)
    assert "job could not be queued in Redis at redis://127.0.0.1:1/0" in caplog.text
    assert '"achievement_id": 3' in caplog.text  # enough to run it by hand


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_run_jobs_once_drains_the_redis_queue_oldest_first(redis_backend, settings) -> None:
    for n in range(4):
        jobs.enqueue(f"{HERE}.record", achievement_id=n)
    out = _run_jobs("--once")
    assert "4 jobs run: 4 done" in out
    assert [c["achievement_id"] for c in calls] == [0, 1, 2, 3]
    assert redis_backend.llen(settings.JOBS_REDIS_KEY) == 0


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_a_failing_redis_job_is_retried_then_recorded_in_the_failed_list(redis_backend, settings) -> None:
    jobs.enqueue(f"{HERE}.explode", achievement_id=4)
    out = _run_jobs("--once", "--max-attempts", "2", "--backoff", "0")
    assert "2 jobs run: 0 done, 1 to retry, 1 failed." in out
    failed = json.loads(redis_backend.lindex(f"{settings.JOBS_REDIS_KEY}:failed", 0))
    assert failed["attempts"] == 2 and failed["kwargs"] == {"achievement_id": 4}
    assert "index server unreachable" in failed["last_error"] and failed["failed_at"]
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="redis", failed=1)


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_a_redis_retry_waits_out_its_backoff(redis_backend, settings) -> None:
    jobs.enqueue(f"{HERE}.flaky", key="r", fail_times=1)
    _run_jobs("--once", "--backoff", "60")
    assert calls == [] and jobs.jobs_progress().queued == 1  # waiting in the delayed set
    delayed = f"{settings.JOBS_REDIS_KEY}:delayed"
    ((message, _due),) = redis_backend.zrange(delayed, 0, -1, withscores=True)
    redis_backend.zadd(delayed, {message: 0})  # time passes
    _run_jobs("--once")
    assert calls == [{"key": "r"}] and jobs.jobs_progress() == jobs.JobsProgress(backend="redis")


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_a_redis_worker_in_a_loop_picks_up_jobs_until_stopped(redis_backend) -> None:
    stop = threading.Event()
    results: list[jobs.WorkResult] = []
    thread = threading.Thread(target=lambda: results.append(jobs.jobs_work(sleep=1, stop=stop)))
    thread.start()
    jobs.enqueue(f"{HERE}.record", achievement_id=11)  # autocommit: pushed at once
    for _ in range(50):
        if calls:
            break
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=5)
    assert calls == [{"achievement_id": 11}] and results[0].done == 1


def _run_jobs(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("run_jobs", *args, stdout=out)
    return out.getvalue()
