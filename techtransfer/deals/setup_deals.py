"""Registers the deal workflow (workflows.py), its audit labels and its workbench queue (imported by apps.ready)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techtransfer.core.audit import register_action_labels
from techtransfer.core.panels import Panel, register_panel
from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut
from techtransfer.deals import workflows  # noqa: F401  (registers DEAL_FLOW)

register_action_labels(
    {
        "deal.create": _("recorded the deal"),
        "deal.update": _("edited the deal"),
        "deal.link_contract": _("linked the technology contract"),
        "deal.objection": _("an objection was lodged"),
        "deal_attachment.add": _("attached a file"),
        "deal_attachment.remove": _("removed a file"),
        "deal_objection.lodge": _("lodged an objection"),
        "deal_objection.answer": _("answered the objection"),
    }
)


def _count(user: object) -> int:
    from techtransfer.deals.selectors import open_objection_count

    return open_objection_count(user=user)  # type: ignore[arg-type]  # the workbench passes request.user


def _works(user: object) -> bool:
    from techtransfer.deals.selectors import works_deals

    return works_deals(user)  # type: ignore[arg-type]  # the workbench passes request.user


register_queue(
    Queue(
        key="deal_objections",
        label=_("Objections to answer"),
        url_name="deals:list",
        query="objections=open",
        works=_works,
        count=_count,
        help=_("Objections to your units' publicised prices; a deal is completed only once each is answered."),
        order=40,
    )
)


def _records_deals(user: object) -> bool:
    from techtransfer.deals.permissions import records_deals

    return records_deals(user)  # type: ignore[arg-type]  # the workbench passes request.user


for shortcut in (
    Shortcut(key="deals", label=_("Transformation deals"), url_name="deals:list", shows=_records_deals, order=40),
    Shortcut(key="reward_rules", label=_("Reward rules"), url_name="deals:unit_rules", shows=_records_deals, order=41),
    Shortcut(key="mobility", label=_("Part-time work and leave"), url_name="deals:mobility_list",
             shows=_records_deals, order=42),
):
    register_shortcut(shortcut)


def _achievement_panel(request: Any, achievement: Any) -> dict[str, Any] | None:
    from techtransfer.deals.views.deals import achievement_panel

    return achievement_panel(request, achievement)


register_panel(Panel(model="achievements.achievement", template="deals/_achievement_panel.html",
                     context=_achievement_panel))


def _register_notices() -> None:
    from techtransfer.deals.services import OBJECTION_EVENT
    from techtransfer.subscriptions.work import register_event_notice

    register_event_notice(
        OBJECTION_EVENT,
        _("Someone objected to the publicised price of “%(title)s”; answer it before the deal can be completed."),
    )


_register_notices()
