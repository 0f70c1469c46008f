"""The daily purge: finished exports and used form tokens go after their time, newer ones stay."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from techtransfer.accounts.models import FormToken
from techtransfer.core.models import ExportFile
from techtransfer.testing import make_user

pytestmark = pytest.mark.django_db


def _export(user, *, days_old: float) -> ExportFile:
    export = ExportFile.objects.create(kind="achievements", fmt="csv", by=user)
    export.file.save(f"export-{days_old}.csv", ContentFile(b"id,name\n1,x\n"))
    ExportFile.objects.filter(pk=export.pk).update(created=timezone.now() - datetime.timedelta(days=days_old))
    return export


def _token(name: str, *, days_old: float) -> None:
    FormToken.objects.create(token=name)
    FormToken.objects.filter(token=name).update(created=timezone.now() - datetime.timedelta(days=days_old))


def test_old_exports_and_their_files_and_old_form_tokens_are_removed_newer_ones_kept() -> None:
    user = make_user("exporter")
    old, new = _export(user, days_old=8), _export(user, days_old=1)
    _token("old-token", days_old=3)
    _token("new-token", days_old=0.5)
    out = io.StringIO()

    call_command("purge_expired", stdout=out)

    assert list(ExportFile.objects.values_list("pk", flat=True)) == [new.pk]
    assert not old.file.storage.exists(old.file.name) and new.file.storage.exists(new.file.name)
    assert list(FormToken.objects.values_list("token", flat=True)) == ["new-token"]
    assert "exports: 1 removed" in out.getvalue() and "form_tokens: 1 removed" in out.getvalue()


def test_the_keeping_time_is_a_setting_per_kind() -> None:
    user = make_user("exporter")
    export = _export(user, days_old=8)
    with override_settings(PURGE_AFTER_DAYS={"exports": 30}):
        call_command("purge_expired", stdout=io.StringIO())
    assert ExportFile.objects.filter(pk=export.pk).exists()
