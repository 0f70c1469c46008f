"""What the voucher app brings to the layers below (imported by apps.ready): its workbench queues and shortcuts,
and the panels it adds to the facility and booking pages (facilities names no voucher)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.core.panels import Panel, register_panel
from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut
from techtransfer.vouchers import permissions, selectors
from techtransfer.vouchers.workflows import VOUCHER_FLOW


def _facility_panel(request: HttpRequest, facility: Any) -> dict[str, Any] | None:
    if facility.status != "published":
        return None
    vouchers = selectors.vouchers_for_facility(user=request.user, facility=facility)
    return {"vouchers": vouchers} if vouchers else None


def _booking_panel(request: HttpRequest, booking: Any) -> dict[str, Any] | None:
    use = selectors.voucher_for_booking(booking_id=booking.pk)
    if use is None:
        return None
    voucher = use.voucher
    visible = selectors.voucher_list(user=request.user).filter(pk=voucher.pk).exists()
    return {"use": use, "visible": visible, "can_redeem": visible and VOUCHER_FLOW.may(request.user, voucher, "redeem")}


register_panel(Panel(model="facilities.facility", template="vouchers/_facility_panel.html", context=_facility_panel))
register_panel(Panel(model="facilities.booking", template="vouchers/_booking_panel.html", context=_booking_panel))

register_queue(
    Queue(
        key="voucher_decisions",
        label=_("Voucher applications to decide"),
        url_name="vouchers:review",
        works=is_commission_admin,
        count=lambda user: selectors.voucher_decision_queue(user=user).count(),
        help=_("Innovation voucher applications to approve or reject, and approved vouchers to issue."),
        order=61,
    )
)
register_queue(
    Queue(
        key="vouchers_to_redeem",
        label=_("Vouchers to redeem"),
        url_name="vouchers:mine",
        works=lambda user: selectors.is_listed_provider(user=user),
        count=lambda user: selectors.provider_redeem_queue(user=user).count(),
        help=_("Innovation vouchers spent with your unit, waiting for the invoice and the service report."),
        order=62,
    )
)
register_shortcut(
    Shortcut(key="vouchers", label=_("Innovation vouchers"), url_name="vouchers:mine",
             shows=permissions.may_apply_for, order=63)
)
