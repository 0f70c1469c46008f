"""The voucher's workflow table (vouchers.choices.VOUCHER_STEPS) bound to its model, roles, condition and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Condition, Workflow, register
from techtransfer.vouchers.choices import VOUCHER_STEPS, VoucherStatus
from techtransfer.vouchers.models import Voucher, VoucherStatusChange
from techtransfer.vouchers.permissions import ADMINISTRATOR, HOLDER, PROVIDER, current_use, is_insider

BOOKING_USE = _("This voucher pays for a facility booking: cancel or decline the booking instead.")


def _contract_use(voucher: Voucher) -> bool:
    use = current_use(voucher)
    return use is not None and use.booking_id is None


VOUCHER_FLOW = register(
    Workflow(
        kind="voucher",
        label=_("innovation voucher"),
        model=Voucher,
        history=VoucherStatusChange,
        states=VoucherStatus,
        steps=VOUCHER_STEPS,
        roles={"holder": HOLDER, "administrator": ADMINISTRATOR, "provider": PROVIDER},
        conditions={"contract_use": Condition(test=_contract_use, refusal=BOOKING_USE)},
        get_record="techtransfer.vouchers.selectors.voucher_get",
        detail_url=lambda voucher: reverse("vouchers:detail", args=[voucher.pk]),
        services={
            name: f"techtransfer.vouchers.services.voucher_{name}" for name in ("approve", "reject", "issue", "release")
        },
        insider=is_insider,
    )
)
