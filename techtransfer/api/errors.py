"""Django's 404 and 500 handlers: JSON in the API's error shape under /api/, the site's pages elsewhere.

DRF's exception handler (techtransfer.api.exceptions) shapes the errors its views raise; these cover what
never reaches a DRF view (an unknown URL under /api/) and what DRF passes on (an unexpected exception).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"message": _("Not found."), "extra": {"path": request.path}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        message = _("Internal server error: the error was logged; try again later or tell the platform's operators.")
        return JsonResponse({"message": message, "extra": {}}, status=500)
    return defaults.server_error(request)
