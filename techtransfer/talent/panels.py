"""The "ask for a consultation" panel on an expert's page (matching.Expert), registered in apps.ready."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from techtransfer.talent import permissions as perms


def expert_panel(request: HttpRequest, expert: Any) -> dict[str, Any] | None:
    if not perms.enterprise_ids(request.user):
        return None
    return {"expert": expert}
