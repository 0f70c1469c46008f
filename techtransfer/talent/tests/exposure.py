"""Commissioners' part of tests/test_api_exposure.py and tests/test_reads_never_write.py: a scheme with a visit
and a consultation, the URLs of every API read, and the secrets an outsider must never read."""

from __future__ import annotations

from typing import Any

from techtransfer.talent import services
from techtransfer.talent.tests.helpers import NOTE, Scheme, make_scheme, make_visit

QUESTION = "暴露测试：滴灌控制器传感器漂移如何补偿"
EVIDENCE = "暴露测试：本人工号 20190321，电话 010-62789999"
SECRETS = [NOTE, QUESTION, EVIDENCE]


def scheme(world: Any) -> tuple[Scheme, Any, Any, Any]:
    cached = getattr(world, "_talent", None)
    if cached is not None:
        return cached
    s = make_scheme(world.p, suffix="_exp")
    visit = make_visit(s)
    consultation = services.consultation_ask(by=s.staff, expert=s.expert, message=QUESTION)
    claim = services.expert_claim(by=s.commissioner_user, expert=s.expert, evidence=EVIDENCE)
    world._talent = (s, visit, consultation, claim)
    return world._talent


ROUTE_URLS = {
    "commissioners/": lambda w: ["commissioners/", "commissioners/?year=2026"],
    "commissioners/activity": lambda w: ["commissioners/activity", "commissioners/activity?start=2020-01-01"],
    "commissioners/visits/": lambda w: ["commissioners/visits/", "commissioners/visits/?confirmation=pending"],
    "commissioners/visits/<int:pk>/": lambda w: [f"commissioners/visits/{scheme(w)[1].pk}/"],
    "commissioners/<int:pk>/": lambda w: [f"commissioners/{scheme(w)[0].commissioner.pk}/"],
    "consultations/": lambda w: ["consultations/", "consultations/?status=asked"],
    "consultations/<int:pk>/": lambda w: [f"consultations/{scheme(w)[2].pk}/"],
    "expert-claims/": lambda w: ["expert-claims/", "expert-claims/?status=asked"],
    "expert-claims/<int:pk>/": lambda w: [f"expert-claims/{scheme(w)[3].pk}/"],
    "experts/<int:pk>": lambda w: [f"experts/{scheme(w)[0].expert.pk}"],
    "experts/<int:pk>/merges": lambda w: [f"experts/{scheme(w)[0].expert.pk}/merges"],
}


def workflow_records(world: Any) -> list[Any]:
    return [scheme(world)[2], scheme(world)[3]]


def reads_world(p: Any) -> dict[str, list[int]]:
    s = make_scheme(p, suffix="_rd")
    visit = make_visit(s)
    consultation = services.consultation_ask(by=s.staff, expert=s.expert, message=QUESTION)
    claim = services.expert_claim(by=s.commissioner_user, expert=s.expert, evidence=EVIDENCE)
    return {
        "commissioner": [s.commissioner.pk], "talent_assignment": [s.assignment.pk, s.village.pk],
        "talent_visit": [visit.pk], "consultation": [consultation.pk], "expert_claim": [claim.pk],
        "matching_expert": [s.expert.pk],
    }
