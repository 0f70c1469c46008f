"""`python manage.py import_achievements FILE --owner <unit> --user <username>`: bulk import from XLSX or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.importing import achievement_import
from techtransfer.core.models import ImportBatch, ImportMode


def batch_report(command: BaseCommand, batch: ImportBatch) -> None:
    """Print an import's summary and every problem, one per line, as the import page shows them."""
    command.stdout.write(
        f"{batch.file_name}: {batch.total_rows} rows, {batch.created_count} created, "
        f"{batch.unchanged_count} unchanged, {batch.error_count} with errors (import batch {batch.pk})."
    )
    if batch.nothing_saved:
        command.stdout.write("Nothing was saved (--all-or-nothing): correct the rows below and import again.")
    for error in batch.errors:
        where = f"row {error['row']}" + (f", {error['field']}" if error["field"] else "")
        command.stdout.write(f"  {where}: {error['message']}")


def message_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def add_mode_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--all-or-nothing", action="store_const", dest="mode", const=ImportMode.ALL_OR_NOTHING,
        default=ImportMode.GOOD_ROWS, help="Save nothing if any row is bad (default: save every good row).",
    )


class Command(BaseCommand):
    help = (
        "Import achievements from an XLSX or CSV file (the import template's columns) as drafts of a unit. "
        "Rows already imported are left unchanged, so the same file can be imported again safely."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The .xlsx or .csv file.")
        parser.add_argument("--owner", required=True, help="The unit: its exact name or unified social credit code.")
        parser.add_argument("--user", required=True, help="Username of the member or TTO officer who imports.")
        parser.add_argument("--max-mb", type=int, default=None, help="Largest file accepted, in MB.")
        add_mode_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        owner = Organisation.objects.filter(Q(name=options["owner"]) | Q(uscc=options["owner"].upper())).first()
        if owner is None:
            raise CommandError(f"No organisation is named {options['owner']!r} or has that credit code.")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        max_bytes = options["max_mb"] * 1024 * 1024 if options["max_mb"] else None
        try:
            batch = achievement_import(
                by=user, owner=owner, file=path, file_name=path.name, max_bytes=max_bytes, mode=options["mode"]
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(message_of(exc)) from None
        batch_report(self, batch)
