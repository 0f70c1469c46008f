"""Backup and restore: a backup of a database with records, audit events and uploaded files, restored into
a fresh database and media folder, holds every row of every table and every file, byte for byte."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from techtransfer.achievements.models import Attachment
from techtransfer.core.backups import BackupError, backup_restore
from techtransfer.core.models import AuditEvent
from techtransfer.testing import make_achievement, make_personas

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads committed data, as in production


def _tables() -> list[tuple[str, str]]:
    # Models' tables that exist (a test module may declare a model without a table).
    existing = set(connection.introspection.table_names())
    return [
        (m._meta.db_table, m._meta.pk.column)
        for m in apps.get_models()
        if m._meta.managed and m._meta.db_table in existing
    ]


def _rows(cursor: Any, table: str, pk: str) -> list[tuple[Any, ...]]:
    cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')
    return [tuple(row) for row in cursor.fetchall()]


@pytest.fixture
def fresh_database() -> Iterator[dict[str, Any]]:
    """Settings of a new, empty database of the same vendor as the test database."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(Path(settings.MEDIA_ROOT).parent / f"restored-{uuid.uuid4().hex}.sqlite3")
        yield settings_dict
        Path(settings_dict["NAME"]).unlink(missing_ok=True)
        return
    import psycopg

    settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restored"[:63]
    admin = {"host": settings_dict["HOST"], "port": settings_dict["PORT"] or 5432, "user": settings_dict["USER"],
             "password": settings_dict["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
        db.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    yield settings_dict
    with psycopg.connect(**admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


def _connect(settings_dict: dict[str, Any]) -> Any:
    if connection.vendor == "sqlite":
        return sqlite3.connect(settings_dict["NAME"])
    import psycopg

    return psycopg.connect(host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432,
                           user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
                           dbname=settings_dict["NAME"])


def test_a_restored_backup_holds_every_record_audit_event_and_file(tmp_path: Path, fresh_database: dict) -> None:
    p = make_personas()
    first = make_achievement(p)
    make_achievement(p, name="第二项成果：智能传感器")
    attachments = list(Attachment.objects.all())
    assert len(attachments) == 2 and AuditEvent.objects.count() > 0
    backup = tmp_path / "backup"

    call_command("backup", str(backup))

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert "achievements.0001_initial" in manifest["migrations"]
    listed = {entry["path"] for entry in manifest["files"]}
    assert {f"media/{a.file.name}" for a in attachments} <= listed

    media = tmp_path / "restored-media"
    backup_restore(source=backup, settings_dict=fresh_database, vendor=connection.vendor, media_root=media)

    # Both sides read through plain driver connections, so values compare as stored.
    restored, original = _connect(fresh_database), _connect(connection.settings_dict)
    try:
        cursor, source_cursor = restored.cursor(), original.cursor()
        for table, pk in _tables():
            assert _rows(cursor, table, pk) == _rows(source_cursor, table, pk), table
        cursor.execute('SELECT COUNT(*) FROM "core_auditevent"')
        assert cursor.fetchone()[0] == AuditEvent.objects.count()
        cursor.execute(f'SELECT "name" FROM "achievements_achievement" WHERE "id" = {int(first.pk)}')
        assert cursor.fetchone()[0] == first.name
    finally:
        restored.close()
        original.close()
    for attachment in attachments:
        assert (media / attachment.file.name).read_bytes() == Path(attachment.file.path).read_bytes()


def test_restore_refuses_a_database_with_tables_unless_forced(tmp_path: Path, fresh_database: dict) -> None:
    make_personas()
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    backup_restore(source=backup, settings_dict=fresh_database, vendor=connection.vendor, media_root=tmp_path / "m1")

    with pytest.raises(BackupError, match="is not empty; restore into a new database or use --force"):
        backup_restore(source=backup, settings_dict=fresh_database, vendor=connection.vendor,
                       media_root=tmp_path / "m2")
    backup_restore(source=backup, settings_dict=fresh_database, vendor=connection.vendor,
                   media_root=tmp_path / "m2", force=True)


def test_restore_refuses_the_test_database_itself_without_force(tmp_path: Path) -> None:
    make_personas()
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(tmp_path / "backup"))


def test_restore_refuses_a_damaged_backup(tmp_path: Path, fresh_database: dict) -> None:
    make_achievement(make_personas())
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    damaged = next((backup / "media").rglob("*.pdf"))
    damaged.write_bytes(damaged.read_bytes() + b"x")

    with pytest.raises(BackupError, match="checksum does not match the manifest"):
        backup_restore(source=backup, settings_dict=fresh_database, vendor=connection.vendor,
                       media_root=tmp_path / "media")
    assert not (tmp_path / "media").exists()


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="is not empty; give a new or empty folder"):
        call_command("backup", str(tmp_path))
