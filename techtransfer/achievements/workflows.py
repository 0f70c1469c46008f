"""The registration workflow (achievements.choices.ACHIEVEMENT_STEPS) bound to its model, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import MODERATOR, OWNER_EDITOR, OWNER_VERIFIED
from techtransfer.achievements.choices import ACHIEVEMENT_STEPS, Status
from techtransfer.achievements.models import Achievement, StatusChange
from techtransfer.achievements.permissions import MANAGER
from techtransfer.core.workflow import Workflow, register

ACHIEVEMENT_FLOW = register(
    Workflow(
        kind="achievement",
        label=_("achievement"),
        model=Achievement,
        history=StatusChange,
        states=Status,
        steps=ACHIEVEMENT_STEPS,
        roles={"manager": MANAGER, "owner": OWNER_EDITOR, "moderator": MODERATOR},
        conditions={"verified": OWNER_VERIFIED},
        get_record="techtransfer.achievements.selectors.achievement_get",
        detail_url=lambda achievement: reverse("achievements:detail", args=[achievement.pk]),
        services={
            name: f"techtransfer.achievements.services.achievement_{name}"
            for name in ("submit", "return", "register", "publish", "withdraw")
        },
        insider="techtransfer.achievements.permissions.is_insider",
        title=lambda achievement: achievement.display_name,
        # Audit codes written before the workflow core named steps by the state they led to.
        legacy_audit_codes={
            "achievement.submitted": "submit",
            "achievement.returned": "return",
            "achievement.registered": "register",
            "achievement.published": "publish",
            "achievement.withdrawn": "withdraw",
        },
    )
)
