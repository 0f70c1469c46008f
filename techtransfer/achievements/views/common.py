"""Helpers shared by the achievement pages: who is looking, and how service errors reach the form."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from techtransfer.core.views import apply_service_errors as apply_service_errors
from techtransfer.core.views import error_messages as error_messages

# Characters that could end a <script> element or start an HTML comment inside it (as Django's json_script).
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_for_script(value: Any) -> SafeString:
    """JSON that is safe inside <script type="application/ld+json">: '</script>' in the data cannot close it."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # escaped above, the same way json_script does


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
