"""The three routes of a record's PDF attachments (attach, download, remove), shared by the apps whose records
carry files (contracts, deals, annual reports): the record is read through the app's selector, so whoever may not
read it gets a 404 for its files too, and the app's services decide who may attach and remove and when.

An app declares them once:

    ATTACHMENTS = AttachmentRoutes(get_record=selectors.deal_get, model=DealAttachment, record_field="deal",
                                   add=services.attachment_add, remove=services.attachment_remove,
                                   detail="deals:detail", kinds=DealAttachmentKind)

and routes `ATTACHMENTS.add_view`, `ATTACHMENTS.download_view` and `ATTACHMENTS.remove_view`; its detail page
shows `ATTACHMENTS.form()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import flash_refusal


class AttachmentForm(forms.Form):
    """A PDF and what it is; the kinds are the app's (`AttachmentRoutes.form`)."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"))
    file = forms.FileField(
        label=gettext_lazy("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )

    def __init__(self, *args: Any, kinds: type[models.TextChoices], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kinds.choices
        field.initial = kinds.values[0]


@dataclass(frozen=True)
class AttachmentRoutes:
    """get_record(user=, pk=): the app's selector (404 for those who may not read the record). add(<record_field>=,
    by=, upload=, kind=) and remove(attachment=, by=): the app's services. detail: the record page's URL name."""

    get_record: Callable[..., Any]
    model: type[models.Model]
    record_field: str
    add: Callable[..., Any]
    remove: Callable[..., Any]
    detail: str
    kinds: type[models.TextChoices]

    def form(self, *args: Any) -> AttachmentForm:
        return AttachmentForm(*args, kinds=self.kinds)

    def _attachment(self, request: HttpRequest, pk: int, attachment_pk: int) -> Any:
        record = self.get_record(user=request.user, pk=pk)
        return get_object_or_404(self.model, pk=attachment_pk, **{self.record_field: record})

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def add_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.get_record(user=request.user, pk=pk)
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self.detail, pk=pk)
        try:
            self.add(**{self.record_field: record}, by=request.user, upload=form.cleaned_data["file"],
                     kind=form.cleaned_data["kind"])
        except (ApplicationError, ValidationError) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("The file is attached."))
        return redirect(self.detail, pk=pk)

    @method_decorator(login_required)
    def download_view(self, request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
        attachment = self._attachment(request, pk, attachment_pk)
        return protected_file_response(request, attachment.file, filename=attachment.original_name)

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def remove_view(self, request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
        attachment = self._attachment(request, pk, attachment_pk)
        try:
            self.remove(attachment=attachment, by=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The file is removed."))
        return redirect(self.detail, pk=pk)
