"""The consultation's workflow table (talent.choices.CONSULTATION_STEPS) bound to its model, history and roles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Workflow, register
from techtransfer.talent.choices import CONSULTATION_STEPS, ConsultationStatus
from techtransfer.talent.models import Consultation, ConsultationStatusChange
from techtransfer.talent.permissions import ANSWERER, ASKER

CONSULTATION_FLOW = register(
    Workflow(
        kind="consultation",
        label=_("consultation"),
        model=Consultation,
        history=ConsultationStatusChange,
        states=ConsultationStatus,
        steps=CONSULTATION_STEPS,
        roles={"answerer": ANSWERER, "asker": ASKER},
        get_record="techtransfer.talent.selectors.consultation_get",
        detail_url=lambda c: reverse("talent:consultation", args=[c.pk]),
        insider="techtransfer.talent.permissions.reads_history",
    )
)
