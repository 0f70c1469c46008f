"""`python manage.py export_achievements --format xlsx -o FILE`: achievements as a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.choices import Status
from techtransfer.achievements.exporting import DEFAULT_COLUMNS, EXPORT_COLUMNS, FULL_COLUMNS, achievements_export
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.selectors import achievement_list


class Command(BaseCommand):
    help = "Export achievements to XLSX or CSV (UTF-8 with BOM). Without --user every record is exported."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("-o", "--output", type=Path, required=True, help="File to write.")
        parser.add_argument("--owner", help="Only this unit's records (name or unified social credit code).")
        parser.add_argument("--status", action="append", choices=Status.values, help="Only these states.")
        parser.add_argument("--user", help="Export only what this user may see.")
        parser.add_argument("--columns", help=f"Comma-separated columns, of: {', '.join(EXPORT_COLUMNS)}.")
        parser.add_argument("--full", action="store_true", help="Every column of the import template, re-importable.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            queryset = achievement_list(user=user)
        else:
            queryset = Achievement.objects.with_codes()
        if options["owner"]:
            owner = Organisation.objects.filter(Q(name=options["owner"]) | Q(uscc=options["owner"].upper())).first()
            if owner is None:
                raise CommandError(f"No organisation is named {options['owner']!r} or has that credit code.")
            queryset = queryset.filter(owner=owner)
        if options["status"]:
            queryset = queryset.filter(status__in=options["status"])
        columns = FULL_COLUMNS if options["full"] else DEFAULT_COLUMNS
        if options["columns"]:
            columns = [c.strip() for c in options["columns"].split(",") if c.strip()]
        try:
            content = achievements_export(queryset=queryset.order_by("pk"), fmt=options["format"], columns=columns)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        options["output"].write_bytes(content)
        self.stdout.write(f"Wrote {queryset.count()} achievements to {options['output']}.")
