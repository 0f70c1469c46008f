"""Uploaded files go out only here, after the caller's view has checked who may have them.

MEDIA_URL is never served: a PDF proof or a sealed proposal is as private as the record it belongs to. A
view finds the record through its selector, asks its app's permission, then returns
`protected_file_response`, which hands the bytes over in one of three ways (PROTECTED_FILES_SERVER):

- "django": stream the file with FileResponse (the embedded set-up, `make run`);
- "nginx": an empty answer with `X-Accel-Redirect: <PROTECTED_FILES_PREFIX><file>`; nginx serves the file from
  an `internal` location that aliases MEDIA_ROOT, so nobody can ask for that location directly;
- "apache": an empty answer with `X-Sendfile: <absolute path>` (mod_xsendfile).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header

SERVERS = ("django", "nginx", "apache")


def protected_file_response(
    request: HttpRequest, fieldfile: FieldFile | None, *, filename: str, content_type: str = "application/pdf"
) -> HttpResponseBase:
    """The file as a download named `filename` (RFC 5987 for non-ASCII names); 404 when there is none.

    Call it only after the permission check: it checks nothing about the caller.
    """
    if not fieldfile or not fieldfile.name or not fieldfile.storage.exists(fieldfile.name):
        raise Http404("No such file")
    server = getattr(settings, "PROTECTED_FILES_SERVER", "django")
    response: HttpResponseBase
    if server == "nginx":
        response = HttpResponse(b"", content_type=content_type)
        prefix = "/" + settings.PROTECTED_FILES_PREFIX.strip("/") + "/"
        # nginx decodes the URI before matching the location: quote it so spaces and Chinese names survive.
        response["X-Accel-Redirect"] = prefix + quote(fieldfile.name.lstrip("/"))
        response["Content-Disposition"] = content_disposition_header(True, filename)
    elif server == "apache":
        response = HttpResponse(b"", content_type=content_type)
        response["X-Sendfile"] = fieldfile.path
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    # The browser must not guess another type (a "PDF" that is HTML would run as a page of this site), and no
    # shared cache may keep a file that only some people may read.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
