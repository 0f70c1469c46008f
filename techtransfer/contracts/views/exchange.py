"""The exchange files on demand (数据交换): a commission administrator downloads one recipient's file of one month,
with its manifest and checksums, as a ZIP (the monthly timer writes the same files, docs/data-exchange.md)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.contracts.exchange import RECIPIENTS, exchange_export
from techtransfer.contracts.forms import ExchangeForm


@login_required
def exchange_download(request: HttpRequest) -> HttpResponse:
    if not is_commission_admin(request.user):
        raise PermissionDenied(_("Only commission administrators produce the exchange files."))
    recipients = [(key, f"{r.zh} · {r.label}") for key, r in RECIPIENTS.items()]
    form = ExchangeForm(request.GET or None, recipients=recipients)
    if not form.is_valid():
        return render(request, "contracts/exchange.html", {"form": form})
    start, end = form.cleaned_data["month"]
    with tempfile.TemporaryDirectory(prefix="exchange-") as folder:
        result = exchange_export(form.cleaned_data["recipient"], start, end, directory=Path(folder))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, arcname=path.name)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    name = f"{result.recipient}_{result.period}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
