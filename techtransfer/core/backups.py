"""Consistent backups of the whole platform (database and uploaded files) and their restore.

A backup is a folder: the database (`db.sqlite3`, made with SQLite's online backup API, which copies a
consistent snapshot even while the WAL is being written; or `db.dump`, `pg_dump --format=custom`), the
media folder under `media/`, and `manifest.json` (when, which database vendor, the applied migrations,
and every file with its size and SHA-256). The database is copied before the media folder: an upload is
written to disk before its row commits, so every file a backed-up row names is in the backup too.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
SQLITE_FILE = "db.sqlite3"
PG_DUMP_FILE = "db.dump"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Manifest:
    created_at: str
    vendor: str
    database_file: str
    migrations: list[str]
    files: list[dict[str, Any]] = field(default_factory=list)  # {"path", "size", "sha256"}, paths relative
    django_version: str = django.get_version()
    format: int = FORMAT_VERSION


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def _file_entry(folder: Path, path: Path) -> dict[str, Any]:
    return {"path": path.relative_to(folder).as_posix(), "size": path.stat().st_size, "sha256": _sha256(path)}


def _pg_env_args(settings_dict: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Connection settings as libpq environment and arguments (the password never on the command line)."""
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} was not found; install the PostgreSQL client tools.") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def backup_create(*, connection: BaseDatabaseWrapper, media_root: Path, target: Path) -> Manifest:
    """Back up the database of `connection` and the files under `media_root` into the new folder `target`."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; give a new or empty folder.")
    target.mkdir(parents=True, exist_ok=True)
    settings_dict = connection.settings_dict
    connection.ensure_connection()
    migrations = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
    if connection.vendor == "sqlite":
        database_file = SQLITE_FILE
        source = sqlite3.connect(str(settings_dict["NAME"]))
        destination = sqlite3.connect(str(target / SQLITE_FILE))
        try:
            source.backup(destination)  # one consistent snapshot, committed transactions only
        finally:
            destination.close()
            source.close()
    elif connection.vendor == "postgresql":
        database_file = PG_DUMP_FILE
        env, args = _pg_env_args(settings_dict)
        dump = str(target / PG_DUMP_FILE)
        _run(["pg_dump", "--format=custom", "--file", dump, *args, str(settings_dict["NAME"])], env)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported (SQLite and PostgreSQL are).")
    files = [_file_entry(target, target / database_file)]
    media_copy = target / MEDIA_DIR
    for path in _walk(media_root):
        copy = media_copy / path.relative_to(media_root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        files.append(_file_entry(target, copy))
    manifest = Manifest(
        created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        vendor=connection.vendor,
        database_file=database_file,
        migrations=migrations,
        files=files,
    )
    (target / MANIFEST).write_text(json.dumps(manifest.__dict__, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest


def backup_verify(*, source: Path) -> Manifest:
    """Read the manifest of the backup in `source` and check every file's size and SHA-256 against it."""
    try:
        data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except FileNotFoundError as exc:
        raise BackupError(f"{source} has no {MANIFEST}; it is not a backup made by `manage.py backup`.") from exc
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read: {exc}") from exc
    problems = []
    for entry in manifest.files:
        path = source / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: checksum does not match the manifest")
    if problems:
        raise BackupError("The backup is damaged: " + "; ".join(problems))
    return manifest


def database_table_names(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def backup_restore(
    *, source: Path, settings_dict: dict[str, Any], vendor: str, media_root: Path, force: bool = False
) -> Manifest:
    """Restore the backup in `source` into the database described by `settings_dict` and into `media_root`.

    Checks every checksum first and refuses a database that has tables, or a media folder that has files,
    unless `force`. The caller closes its own connections to that database before (SQLite replaces pages
    under them).
    """
    manifest = backup_verify(source=source)
    if manifest.vendor != vendor:
        raise BackupError(f"This is a {manifest.vendor} backup; the configured database is {vendor}.")
    if not force:
        if _target_tables(settings_dict, vendor):
            raise BackupError(
                f"The database {settings_dict['NAME']} is not empty; restore into a new database or use --force."
            )
        if any(_walk(media_root)):
            raise BackupError(f"The media folder {media_root} is not empty; empty it or use --force.")
    database_path = source / manifest.database_file
    if vendor == "sqlite":
        origin = sqlite3.connect(str(database_path))
        destination = sqlite3.connect(str(settings_dict["NAME"]))
        try:
            origin.backup(destination)  # replaces every page of the destination
        finally:
            destination.close()
            origin.close()
    else:
        env, args = _pg_env_args(settings_dict)
        _run(
            [
                "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                *args, "--dbname", str(settings_dict["NAME"]), str(database_path),
            ],
            env,
        )
    if force and media_root.is_dir():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    for entry in manifest.files:
        if not entry["path"].startswith(MEDIA_DIR + "/"):
            continue
        copy = media_root / entry["path"].removeprefix(MEDIA_DIR + "/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / entry["path"], copy)
        if _sha256(copy) != entry["sha256"]:
            raise BackupError(f"{copy} was not copied intact; check the disk and restore again.")
    return manifest


def _target_tables(settings_dict: dict[str, Any], vendor: str) -> list[str]:
    if vendor == "sqlite":
        if not Path(str(settings_dict["NAME"])).exists():
            return []
        lite = sqlite3.connect(str(settings_dict["NAME"]))
        try:
            rows = lite.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            return [row[0] for row in rows]
        finally:
            lite.close()
    import psycopg  # only on PostgreSQL set-ups
    from psycopg.conninfo import make_conninfo

    params = {"HOST": "host", "PORT": "port", "USER": "user", "PASSWORD": "password", "NAME": "dbname"}
    given = {key: str(settings_dict[name]) for name, key in params.items() if settings_dict.get(name)}
    conninfo = make_conninfo(**given)
    with psycopg.connect(conninfo) as pg:
        return [row[0] for row in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
