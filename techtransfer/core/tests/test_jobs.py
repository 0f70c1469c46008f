"""The job runner: every backend carries the same `enqueue` call; db and redis workers run, retry and record."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
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


def sleep_then_record(*, seconds: float) -> None:
    time.sleep(seconds)
    record(seconds=seconds)


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


@pytest.mark.django_db
def test_a_job_whose_lease_ran_out_is_claimed_again_with_its_attempt_counted(db_backend) -> None:
    db_backend.JOBS_VISIBILITY_TIMEOUT = 60
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    dead = jobs.db_job_claim(worker="dead")
    assert timedelta(seconds=55) < dead.lease_until - timezone.now() <= timedelta(seconds=60)
    assert jobs.db_job_claim(worker="other") is None  # the lease holds
    assert (jobs.jobs_progress().running, jobs.jobs_progress().stale) == (1, 0)
    Job.objects.filter(pk=dead.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # the worker died
    progress = jobs.jobs_progress()
    assert (progress.running, progress.stale, progress.pending) == (0, 1, 1)
    again = jobs.db_job_claim(worker="next")
    assert (again.pk, again.worker, again.attempts, again.last_error) == (dead.pk, "next", 2, jobs.LEASE_EXPIRED)
    assert jobs.db_job_run(job=again, max_attempts=3, backoff=0) == "done"
    assert calls == [{"achievement_id": 1}] and Job.objects.get().lease_until is None


@pytest.mark.django_db
def test_the_dead_worker_cannot_record_an_outcome_over_the_new_claim(db_backend) -> None:
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    dead = jobs.db_job_claim(worker="dead")
    Job.objects.filter(pk=dead.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    jobs.db_job_claim(worker="next")
    jobs.db_job_run(job=dead, max_attempts=3, backoff=0)  # it was only slow, and finishes late
    assert Job.objects.get().status == JobStatus.RUNNING and Job.objects.get().worker == "next"


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_workers_fails_after_the_last_attempt(db_backend) -> None:
    jobs.enqueue(f"{HERE}.record", achievement_id=1)
    for _ in range(2):
        job = jobs.db_job_claim(worker="w", max_attempts=2)
        Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs.db_job_claim(worker="w", max_attempts=2) is None
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and job.attempts == 2 and "Gave up after 2 attempts" in job.last_error
    assert calls == []


@pytest.mark.django_db(transaction=True)  # the heartbeat writes from its own thread and connection
def test_a_running_worker_renews_the_lease_of_a_long_job(db_backend) -> None:
    db_backend.JOBS_VISIBILITY_TIMEOUT = 0.6
    jobs.enqueue(f"{HERE}.sleep_then_record", seconds=1.5)
    job = jobs.db_job_claim(worker="me")
    first_lease = job.lease_until
    steals: list[object] = []
    thread = threading.Thread(target=lambda: (time.sleep(1.0), steals.append(jobs.db_job_claim(worker="thief")),
                                              connection.close()))
    thread.start()
    assert jobs.db_job_run(job=job, max_attempts=3, backoff=0) == "done"
    thread.join()
    assert steals == [None]  # at 1.0 s the first lease (0.6 s) had run out, but it had been renewed
    job.refresh_from_db()
    assert job.worker == "me" and job.attempts == 1 and job.finished > first_lease


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
    for name in client.scan_iter(match=f"{key}*"):  # queue, delayed, failed, processing lists, heartbeats
        client.delete(name)


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


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_redis_messages_of_dead_workers_go_back_to_the_queue_and_live_ones_stay(redis_backend, settings) -> None:
    key = settings.JOBS_REDIS_KEY
    for worker, alive in (("host:1:1", False), ("host:2:1", True)):
        redis_backend.lpush(f"{key}:processing:{worker}", json.dumps({"id": worker, "path": f"{HERE}.record",
                                                                      "kwargs": {"n": worker}, "attempts": 1}))
        if alive:
            redis_backend.set(f"{key}:worker:{worker}", "1", ex=60)
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="redis", running=1, stale=1)
    assert jobs.redis_recover(redis_backend, key) == 1
    assert [json.loads(m)["id"] for m in redis_backend.lrange(key, 0, -1)] == ["host:1:1"]
    assert redis_backend.llen(f"{key}:processing:host:2:1") == 1
    _run_jobs("--once")
    assert calls == [{"n": "host:1:1"}]
    assert jobs.jobs_progress() == jobs.JobsProgress(backend="redis", running=1)


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_a_redis_message_whose_workers_kept_dying_goes_to_the_failed_list(redis_backend, settings) -> None:
    key = settings.JOBS_REDIS_KEY
    redis_backend.lpush(key, json.dumps({"id": "x", "path": f"{HERE}.record", "kwargs": {}, "attempts": 3}))
    assert "1 jobs run: 0 done, 0 to retry, 1 failed." in _run_jobs("--once", "--max-attempts", "3")
    failed = json.loads(redis_backend.lindex(f"{key}:failed", 0))
    assert calls == [] and failed["attempts"] == 4 and "its workers stopped" in failed["last_error"]


@pytest.mark.django_db(transaction=True)  # on_commit needs real commits
def test_a_redis_worker_counts_the_attempt_before_running_and_acknowledges_after(redis_backend, settings) -> None:
    key = settings.JOBS_REDIS_KEY
    seen: list[list[bytes]] = []

    def peek(**kwargs: object) -> None:
        seen.extend(redis_backend.lrange(name, 0, -1) for name in redis_backend.scan_iter(match=f"{key}:processing:*"))

    global peek_processing
    peek_processing = peek
    jobs.enqueue(f"{HERE}.call_peek")
    assert "1 jobs run: 1 done" in _run_jobs("--once")
    assert [json.loads(m)["attempts"] for (m,) in seen] == [1]  # taken, counted, held while it ran
    assert not list(redis_backend.scan_iter(match=f"{key}:processing:*"))  # acknowledged


peek_processing: Callable[..., None] = lambda **kwargs: None  # noqa: E731


def call_peek() -> None:
    peek_processing()
