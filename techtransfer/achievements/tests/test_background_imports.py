"""Imports run as background jobs: the upload is checked and stored, the request returns, a job imports the
file with progress on the batch, and the page polls it until the report is there."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from techtransfer.achievements import importing
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.tests.test_importing import csv_bytes, row
from techtransfer.core.imports import table_import
from techtransfer.core.models import ImportBatch, ImportStatus, Job
from techtransfer.testing import Personas


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(n: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("成果.csv", csv_bytes([row(name=f"成果{i}") for i in range(n)]), content_type="text/csv")


class TestProgress:
    def test_the_runner_reports_rows_done_after_every_chunk(self, p: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(importing.AchievementFormat, "chunk_size", 2)
        seen: list[tuple[int, int]] = []
        table_import(importing.AchievementFormat(by=p.tto_officer, scope=p.university),
                     file=csv_bytes([row(name=f"成果{i}") for i in range(5)]),
                     progress=lambda batch: seen.append((batch.rows_done, batch.created_count)))
        assert seen == [(2, 2), (4, 4), (5, 5)]

    def test_an_import_through_the_page_stores_the_file_privately_and_deletes_it_when_done(
        self, p: Personas, settings: Any
    ) -> None:
        response = _client(p.tto_officer).post(reverse("achievements:import"), {"file": _upload(3),
                                                                                "owner": p.university.pk})
        batch = ImportBatch.objects.get()
        assert response["Location"] == reverse("achievements:import_batch", args=[batch.pk])
        assert (batch.status, batch.rows_expected, batch.rows_done, batch.created_count) == ("done", 3, 3, 3)
        assert batch.upload.name == ""  # the stored upload is gone once the batch is finished
        assert list((settings.MEDIA_ROOT / "imports").iterdir()) == []

    def test_a_running_import_page_polls_a_progress_bar_then_refreshes_to_the_report(self, p: Personas) -> None:
        batch = ImportBatch.objects.create(kind=importing.AchievementFormat.kind, by=p.tto_officer,
                                           scope_type="accounts.organisation", scope_id=str(p.university.pk),
                                           file_name="a.csv", sha256="0", status=ImportStatus.RUNNING,
                                           rows_expected=50000, rows_done=12000)
        client = _client(p.tto_officer)
        url = reverse("achievements:import_batch", args=[batch.pk])
        page = client.get(url).content.decode()
        assert f'hx-get="{url}" hx-trigger="every 1s"' in page and '<progress value="12000" max="50000">' in page
        assert "12000 of 50000 rows (24%)" in page and 'id="bad-rows"' not in page
        assert "<script>" not in page and "style=" not in page
        assert "HX-Refresh" not in client.get(url, HTTP_HX_REQUEST="true")
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.DONE)
        assert client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
        assert "every 1s" not in client.get(url).content.decode()
        assert _client(p.other_tto).get(url, HTTP_HX_REQUEST="true").status_code == 404


    def test_an_import_whose_process_died_is_shown_as_stalled(self, p: Personas) -> None:
        from datetime import timedelta

        from django.utils import timezone

        batch = ImportBatch.objects.create(kind=importing.AchievementFormat.kind, by=p.tto_officer,
                                           file_name="a.csv", sha256="0", status=ImportStatus.RUNNING)
        url = reverse("achievements:import_batch", args=[batch.pk])
        assert 'id="import-stalled"' not in _client(p.tto_officer).get(url).content.decode()
        ImportBatch.objects.filter(pk=batch.pk).update(updated=timezone.now() - timedelta(minutes=11))
        assert 'id="import-stalled"' in _client(p.tto_officer).get(url).content.decode()


class TestBackends:
    def test_with_the_db_backend_the_page_queues_a_job_that_a_worker_runs(self, p: Personas, settings: Any) -> None:
        settings.JOBS_BACKEND = "db"
        _client(p.tto_officer).post(reverse("achievements:import"), {"file": _upload(2), "owner": p.university.pk})
        batch = ImportBatch.objects.get()
        job = Job.objects.get()
        assert batch.status == ImportStatus.QUEUED and not Achievement.objects.exists()
        assert (job.path, job.kwargs) == ("techtransfer.achievements.tasks.import_run", {"batch_id": batch.pk})
        call_command("run_jobs", "--once", stdout=io.StringIO())
        batch.refresh_from_db()
        assert (batch.status, batch.created_count) == (ImportStatus.DONE, 2) and Achievement.objects.count() == 2

    @pytest.mark.django_db(transaction=True)  # the thread has its own connection: it sees committed rows only
    def test_the_inline_backend_imports_in_a_thread_and_the_request_returns_at_once(
        self, p: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.JOBS_BACKGROUND_SYNC = False
        release = threading.Event()
        save = importing.AchievementFormat.rows_save

        def held(self: Any, rows: Any) -> list[int]:
            assert release.wait(20), "the test never let the import go on"
            return save(self, rows)

        monkeypatch.setattr(importing.AchievementFormat, "rows_save", held)
        response = _client(p.tto_officer).post(reverse("achievements:import"), {"file": _upload(2),
                                                                                "owner": p.university.pk})
        assert response.status_code == 302
        batch = ImportBatch.objects.get()
        assert batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)  # the request did not wait for it
        release.set()
        deadline = time.monotonic() + 20
        while not ImportBatch.objects.get().finished and time.monotonic() < deadline:
            time.sleep(0.05)
        batch.refresh_from_db()
        assert (batch.status, batch.created_count) == (ImportStatus.DONE, 2)


class TestFailures:
    def test_a_file_refused_at_the_upload_records_nothing(self, p: Personas) -> None:
        upload = SimpleUploadedFile("a.csv", "颜色,重量\n红,1\n".encode())
        response = _client(p.tto_officer).post(reverse("achievements:import"), {"file": upload,
                                                                                "owner": p.university.pk})
        assert response.status_code == 200 and response.context["form"].errors["file"]
        assert not ImportBatch.objects.exists()

    def test_an_import_that_breaks_is_recorded_as_failed_with_a_reason_not_a_500(
        self, p: Personas, monkeypatch: pytest.MonkeyPatch, settings: Any
    ) -> None:
        def broken(self: Any, rows: Any) -> list[int]:
            raise RuntimeError("disk full")

        monkeypatch.setattr(importing.AchievementFormat, "rows_save", broken)
        client = _client(p.tto_officer)
        response = client.post(reverse("achievements:import"), {"file": _upload(2), "owner": p.university.pk})
        batch = ImportBatch.objects.get()
        assert batch.status == ImportStatus.FAILED and "error on the server" in batch.failure
        page = client.get(response["Location"])
        assert page.status_code == 200 and 'id="import-failed"' in page.content.decode()
        assert list((settings.MEDIA_ROOT / "imports").iterdir()) == []

    def test_a_queued_import_run_twice_imports_once(self, p: Personas, settings: Any) -> None:
        from techtransfer.achievements.tasks import import_run

        settings.JOBS_BACKEND = "db"
        _client(p.tto_officer).post(reverse("achievements:import"), {"file": _upload(2), "owner": p.university.pk})
        batch = ImportBatch.objects.get()
        import_run(batch_id=batch.pk)
        import_run(batch_id=batch.pk)  # at-least-once delivery: a second run finds the batch finished
        assert Achievement.objects.count() == 2 and ImportBatch.objects.get().created_count == 2
