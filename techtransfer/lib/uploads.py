"""Checks on uploaded files, shared by every place that accepts a PDF (achievement proofs, proposals)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF_MAGIC = b"%PDF-"

# Keys and action types that make a reader run something: scripts, programs, form submission, imports.
# Plain navigation (/GoTo, /URI on click) is allowed; /OpenAction as a page destination is too.
SCRIPT_KEYS = {"/JS", "/JavaScript"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"}
AUTOMATIC_ACTION_KEYS = {"/AA"}  # additional actions run on open/close/page view without a click
MAX_OBJECTS = 200_000  # a 20 MB PDF has far fewer; more means a crafted file
# pypdf warns about every small defect it repairs while reading an upload; those are not the operators' business.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _active_content(reader: PdfReader) -> str | None:
    """The first key or action type that would run code, found by walking every object reachable from the
    trailer (iteratively: object graphs have cycles and can be deep); None if there is none."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            return "too many objects"
        if isinstance(item, DictionaryObject):
            for name in item:
                if name in SCRIPT_KEYS or name in AUTOMATIC_ACTION_KEYS:
                    return str(name)
            action = item.get("/S")
            if isinstance(action, NameObject) and action in ACTIVE_ACTIONS:
                return str(action)
            opening = item.get("/OpenAction")
            if opening is not None:
                opening = opening.get_object()
                if isinstance(opening, DictionaryObject) and opening.get("/S") != "/GoTo":
                    return "/OpenAction"
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def pdf_upload_check(upload: UploadedFile, *, field: str = "file") -> str:
    """Refuse a file that is too large, is not a PDF a reader can open (parsed with pypdf, not judged by
    its first bytes), is password-protected, or carries JavaScript or actions that run by themselves;
    return its SHA-256.

    Errors name `field`, so that a form or the API shows them at the right input.
    """
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        message = _("The file is larger than %(mb)d MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        raise ValidationError({field: [message]})
    name = upload.name or ""
    head = upload.read(1024)
    upload.seek(0)
    if PDF_MAGIC not in head or not name.lower().endswith(".pdf"):
        message = _("Only PDF files can be attached; %(name)s is not a PDF.") % {"name": name}
        raise ValidationError({field: [message]})
    found = _pdf_inspect(upload, name=name, field=field)
    upload.seek(0)
    if found:
        message = _(
            "%(name)s contains JavaScript or actions that run when it is opened (%(found)s), which are not "
            "accepted; save or print it to a new PDF without them and attach that copy."
        ) % {"name": name, "found": found}
        raise ValidationError({field: [message]})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _pdf_inspect(upload: UploadedFile, *, name: str, field: str) -> str | None:
    broken = _("%(name)s is not a valid PDF: it cannot be read (damaged or not really a PDF).") % {"name": name}
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            message = _("%(name)s is password-protected; attach a copy without a password.") % {"name": name}
            raise ValidationError({field: [message]})
        if len(reader.pages) == 0:
            raise ValidationError({field: [broken]})
        return _active_content(reader)
    except ValidationError:
        raise
    except Exception as exc:  # a malformed file fails pypdf in many ways; each gets the same answer
        raise ValidationError({field: [broken]}) from exc


AttachmentRow = TypeVar("AttachmentRow")


def pdf_store(attachment: AttachmentRow, upload: UploadedFile) -> AttachmentRow:
    """Check `upload` (pdf_upload_check) and save it as `attachment`, an unsaved attachment row with the house's
    fields (file, original_name, size, sha256; its record, kind and uploader already set). Returns the row."""
    row: Any = attachment  # any model with those fields (lib names no models)
    row.sha256 = pdf_upload_check(upload)
    assert upload.name is not None and upload.size is not None  # the check refused a file without either
    row.original_name = upload.name[:255]
    row.size = upload.size
    row.file.save(upload.name, upload, save=False)
    row.save()
    return attachment
