"""The panel on an expert's page (matching.Expert), registered in apps.ready: ask for a consultation; claim the
profile, follow one's claim, or edit the profile one keeps; merge (commission administrators)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from techtransfer.talent import permissions as perms
from techtransfer.talent import selectors


def expert_panel(request: HttpRequest, expert: Any) -> dict[str, Any] | None:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    return {
        "expert": expert,
        "may_ask": expert.accepts_consultations and bool(perms.enterprise_ids(user)),
        "mine": expert.account_id == user.pk,
        "open_claim": selectors.open_claim(user=user, expert=expert),
        "may_claim": perms.may_claim(user, expert),
        "may_edit": perms.can_edit_expert(user, expert),
        "may_merge": perms.can_merge_experts(user),
    }
