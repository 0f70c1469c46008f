"""The IP record's workflow table (ipr.choices.IP_STEPS) bound to its model, history, role and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Workflow, register
from techtransfer.ipr.choices import IP_STEPS, IPStatus
from techtransfer.ipr.models import IPRecord, IPStatusChange
from techtransfer.ipr.permissions import OWNER

IP_FLOW = register(
    Workflow(
        kind="ip_record",
        label=_("IP record"),
        model=IPRecord,
        history=IPStatusChange,
        states=IPStatus,
        steps=IP_STEPS,
        roles={"owner": OWNER},
        record_name="record",
        get_record="techtransfer.ipr.selectors.ip_get",
        detail_url=lambda record: reverse("ipr:detail", args=[record.pk]),
        services={name: f"techtransfer.ipr.services.ip_{name}" for name in ("publish", "withdraw")},
        insider="techtransfer.ipr.permissions.reads_private",
    )
)
