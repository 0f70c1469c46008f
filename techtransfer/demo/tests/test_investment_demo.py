"""The demo's investment matching: investors (a guidance fund among them), projects on demo achievements and
requests in several states, written through the services; one investor login for demo_logins."""

from __future__ import annotations

from typing import Any

from techtransfer.achievements import services as achievement_services
from techtransfer.demo.investment import investment_logins, investment_seed, investment_summary_line
from techtransfer.investment.choices import InvestorStatus
from techtransfer.investment.models import FundingProject, FundingRequest, Investor
from techtransfer.testing import Personas, make_achievement


def test_demo_seed(p: Personas, django_capture_on_commit_callbacks: Any) -> None:
    for _ in range(2):
        achievement = make_achievement(p)
        achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
        achievement_services.achievement_register(achievement=achievement, by=p.reviewer)
    made = investment_seed()
    assert made.investors == 8 == Investor.objects.filter(status=InvestorStatus.PUBLISHED).count()
    assert Investor.objects.filter(kind="guidance", name__startswith="北京市科技创新基金").exists()
    assert made.projects == 1 and FundingProject.objects.get().achievement_id is not None
    states = set(FundingRequest.objects.values_list("status", flat=True))
    assert {"sent", "interested", "invested"} <= states
    assert len(investment_logins()) == 5
    assert "8 investors" in investment_summary_line(made)
    assert investment_seed().investors == 0  # a second run adds nothing
