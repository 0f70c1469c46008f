"""The workflow tables of consultations and of claims to expert profiles (talent.choices) bound to their models,
histories, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Workflow, register
from techtransfer.talent.choices import CLAIM_STEPS, CONSULTATION_STEPS, ClaimStatus, ConsultationStatus
from techtransfer.talent.models import Consultation, ConsultationStatusChange, ExpertClaim, ExpertClaimStatusChange
from techtransfer.talent.permissions import ANSWERER, ASKER, CLAIM_REVIEWER, CLAIMANT

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

CLAIM_FLOW = register(
    Workflow(
        kind="expert_claim",
        label=_("claim to an expert profile"),
        model=ExpertClaim,
        history=ExpertClaimStatusChange,
        states=ClaimStatus,
        steps=CLAIM_STEPS,
        roles={"reviewer": CLAIM_REVIEWER, "claimant": CLAIMANT},
        record_name="claim",
        get_record="techtransfer.talent.selectors.claim_get",
        detail_url=lambda claim: reverse("talent:claim", args=[claim.pk]),
        services={"approve": "techtransfer.talent.services.claim_approve"},
        title=lambda claim: str(claim.expert),
        insider="techtransfer.talent.permissions.reads_claim_history",
    )
)
