import pytest

from techtransfer.demo.talent import talent_logins, talent_seed
from techtransfer.matching.models import Expert
from techtransfer.talent.models import Commissioner, Consultation, ExpertClaim, Visit

pytestmark = pytest.mark.django_db


def test_demo_seed_writes_commissioners_visits_and_consultations(p):
    for n in range(4):
        Expert.objects.create(key=f"demo-expert-{n}", name=f"专家{n}", unit_name="北京示范大学")
    made = talent_seed()
    assert made.commissioners == 6 and made.visits == 40 and made.consultations == 4
    assert Commissioner.objects.count() == 6 and Visit.objects.count() == 40
    assert Visit.objects.filter(confirmation="confirmed").count() == made.confirmed > 10
    assert set(Consultation.objects.values_list("status", flat=True)) == {"asked", "accepted", "done", "declined"}
    assert [row[1] for row in talent_logins()] == ["tp_sunhe", "ent_guishui"]
    assert talent_seed().commissioners == 0  # a second run adds nothing


def test_demo_seed_has_a_claimed_expert_profile_and_a_claim_to_review(p):
    for n in range(4):
        Expert.objects.create(key=f"demo-expert-{n}", name=f"专家{n}", unit_name=p.university.name,
                              organisation=p.university, achievement_count=4 - n)
    made = talent_seed()
    assert made.claimed == 1
    kept = Expert.objects.get(account__username="expert_demo")
    assert kept.name == "专家0" and kept.research_focus.startswith("长期从事")
    assert ExpertClaim.objects.get(expert__name="专家1").status == "asked"
    assert ("专家（已认领档案）/ Expert, claimed profile", "expert_demo", p.university.name) in talent_logins()


def test_demo_seed_leaves_the_claimed_expert_a_profile_to_merge_at_another_university(p):
    from techtransfer.achievements import services as achievement_services
    from techtransfer.talent.selectors import merge_candidates
    from techtransfer.testing import make_achievement

    Expert.objects.create(key="demo-expert", name="黎晨", unit_name=p.university.name, organisation=p.university,
                          achievement_count=3)
    elsewhere = make_achievement(p, by=p.other_tto, name="面向物联网终端的低功耗芯片")
    achievement_services.achievement_submit(achievement=elsewhere, by=p.other_tto)
    achievement_services.achievement_register(achievement=elsewhere, by=p.reviewer)
    talent_seed()
    kept = Expert.objects.get(account__username="expert_demo")
    assert [e.unit_name for e in merge_candidates(expert=kept)] == [p.other_university.name]
