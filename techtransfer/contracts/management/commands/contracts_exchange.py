"""`manage.py contracts_exchange export|verify`: the data-exchange files of registered contracts
(docs/data-exchange.md).

    manage.py contracts_exchange export --recipient tax --month 2026-11
    manage.py contracts_exchange export --all-recipients --previous-month      # the monthly timer
    manage.py contracts_exchange export --recipient statistics --from 2026-01-01 --to 2026-06-30
    manage.py contracts_exchange verify var/exchange/tax/2026-11
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.contracts.exchange import (
    ENCODINGS,
    RECIPIENTS,
    exchange_export,
    exchange_verify,
    month_bounds,
    previous_month,
)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": text}) from None


class Command(BaseCommand):
    help = gettext_lazy(
        "Write the data-exchange files (tax, commerce, statistics) of registered contracts, or verify a folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help=_("Write the files of one period."))
        who = export.add_mutually_exclusive_group(required=True)
        who.add_argument("--recipient", choices=sorted(RECIPIENTS), help=_("One recipient."))
        who.add_argument("--all-recipients", action="store_true", help=_("Every recipient."))
        when = export.add_mutually_exclusive_group(required=True)
        when.add_argument("--month", help=_("A calendar month, YYYY-MM."))
        when.add_argument("--previous-month", action="store_true", help=_("The month before today (for a timer)."))
        when.add_argument("--from", dest="start", help=_("First registration date, YYYY-MM-DD (with --to)."))
        export.add_argument("--to", dest="end", help=_("Last registration date, YYYY-MM-DD (with --from)."))
        export.add_argument(
            "--directory",
            help=_("Write here instead of var/exchange/<recipient>/<period>/ (with --all-recipients: "
                   "<directory>/<recipient>/)."),
        )
        export.add_argument(
            "--encoding", choices=sorted(ENCODINGS),
            help=_("Override the recipient's encoding (settings.EXCHANGE_ENCODINGS, else utf-8-sig)."),
        )
        verify = actions.add_parser("verify", help=_("Check a folder's files against SHA256SUMS and the manifest."))
        verify.add_argument("directory")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            problems = exchange_verify(options["directory"])
            if problems:
                raise CommandError("; ".join(problems))
            self.stdout.write(self.style.SUCCESS(_("Every checksum holds.")))
            return
        start, end = self._period(options)
        recipients = sorted(RECIPIENTS) if options["all_recipients"] else [options["recipient"]]
        for recipient in recipients:
            directory = options["directory"]
            if directory and options["all_recipients"]:
                directory = f"{directory.rstrip('/')}/{recipient}"
            try:
                result = exchange_export(recipient, start, end, directory, encoding=options["encoding"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _("%(recipient)s %(period)s: %(rows)d rows, %(file)s (sha256 %(sha)s)")
                % {"recipient": recipient, "period": result.period, "rows": result.rows, "file": result.data_file,
                   "sha": result.sha256}
            )

    def _period(self, options: dict[str, Any]) -> tuple[datetime.date, datetime.date]:
        if options["previous_month"]:
            return previous_month()
        if options["month"]:
            try:
                return month_bounds(options["month"])
            except ValueError:
                raise CommandError(_("%(value)s is not a month (YYYY-MM).") % {"value": options["month"]}) from None
        if not options["end"]:
            raise CommandError(_("--from needs --to."))
        start, end = _day(options["start"]), _day(options["end"])
        if end < start:
            raise CommandError(_("The period ends before it starts."))
        return start, end
