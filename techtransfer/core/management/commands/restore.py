"""`manage.py restore DIR`: put a backup made by `manage.py backup` back (see docs/backup.md)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from techtransfer.core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured database and media folder, after checking every checksum. "
        "Refuses a database with tables or a media folder with files unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="The folder written by `manage.py backup`.")
        parser.add_argument("--force", action="store_true", help="Overwrite a database and media folder in use.")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        connection.close()  # SQLite's pages are replaced under any open connection
        try:
            manifest = backup_restore(
                source=Path(options["source"]),
                settings_dict=connection.settings_dict,
                vendor=connection.vendor,
                media_root=Path(settings.MEDIA_ROOT),
                force=options["force"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the backup of {manifest.created_at} ({len(manifest.files) - 1} media files).")
        known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
        missing = sorted(known - set(manifest.migrations))
        if missing:
            self.stdout.write(f"The code has {len(missing)} migrations newer than the backup; run `manage.py migrate`.")
