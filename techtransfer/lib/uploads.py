"""Checks on uploaded files, shared by every place that accepts a PDF (achievement proofs, proposals)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def pdf_upload_check(upload: UploadedFile, *, field: str = "file") -> str:
    """Refuse a file that is too large or not a PDF (by its content, not only its name); return its SHA-256.

    Errors name `field`, so that a form or the API shows them at the right input.
    """
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        message = _("The file is larger than %(mb)d MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        raise ValidationError({field: [message]})
    head = upload.read(1024)
    upload.seek(0)
    if PDF_MAGIC not in head or not (upload.name or "").lower().endswith(".pdf"):
        message = _("Only PDF files can be attached; %(name)s is not a PDF.") % {"name": upload.name}
        raise ValidationError({field: [message]})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
