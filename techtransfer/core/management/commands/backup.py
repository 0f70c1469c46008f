"""`manage.py backup DIR`: a consistent copy of the database and the uploaded files (see docs/backup.md)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from techtransfer.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (SQLite backup API or pg_dump -Fc) and the media folder into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="A new or empty folder for the backup.")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["target"])
        try:
            manifest = backup_create(
                connection=connections[options["database"]], media_root=Path(settings.MEDIA_ROOT), target=target
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up the {manifest.vendor} database ({len(manifest.migrations)} migrations applied) and "
            f"{len(manifest.files) - 1} media files to {target}"
        )
