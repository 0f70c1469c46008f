"""Helpers shared by the achievement pages: who is looking, and how service errors reach the form."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_commission_admin, org_ids, review_regions, supervised_by
from techtransfer.achievements import permissions as perms
from techtransfer.achievements.models import Achievement
from techtransfer.core.views import apply_service_errors as apply_service_errors
from techtransfer.core.views import error_messages as error_messages

# Characters that could end a <script> element or start an HTML comment inside it (as Django's json_script).
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_for_script(value: Any) -> SafeString:
    """JSON that is safe inside <script type="application/ld+json">: '</script>' in the data cannot close it."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # escaped above, the same way json_script does


def editable_organisations(user: Any) -> Any:
    """The units the user may register achievements for."""
    return Organisation.objects.filter(pk__in=org_ids(user, perms.EDITOR_ROLES)).order_by("name")


def is_reviewer(user: Any) -> bool:
    return is_commission_admin(user) or bool(review_regions(user))


def is_insider(user: Any, achievement: Achievement) -> bool:
    """Someone who works on the record (its unit, its reviewers), as opposed to the public reading it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        achievement.owner_id in org_ids(user)
        or perms.can_review(user, achievement)
        or achievement.owner.supervising_department_id in supervised_by(user)
    )


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
