"""`python manage.py import_funded_projects FILE --programme nsfc`: load a programme's list of funded projects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.accounts.models import User
from techtransfer.achievements.funded import funded_projects_import
from techtransfer.achievements.management.commands.import_achievements import (
    add_mode_argument,
    batch_report,
    message_of,
)


class Command(BaseCommand):
    help = (
        "Import funded projects (e.g. ../shared/data/nsfc/nsfc_mgmt_projects.tsv) from TSV, CSV or XLSX with NSFC "
        "or Chinese headers; amounts in 万元 are stored in yuan. Projects already imported stay unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--programme", required=True,
                            help="Project-source code, Chinese or English name of the programme, e.g. nsfc.")
        parser.add_argument("--user", help="Username of the commission administrator (default: the system).")
        parser.add_argument("--max-mb", type=int, default=None, help="Largest file accepted, in MB.")
        add_mode_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        max_bytes = options["max_mb"] * 1024 * 1024 if options["max_mb"] else None
        try:
            batch = funded_projects_import(
                file=path, file_name=path.name, programme_code=options["programme"], by=user, max_bytes=max_bytes,
                mode=options["mode"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(message_of(exc)) from None
        batch_report(self, batch)
