"""Expert profiles (S17): a person claims the profile built from the records, edits its own part, and answers its
consultations; an administrator merges the same person's profiles at two units, keeping every link."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Achievement
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.core.workflow import step_take
from techtransfer.matching.models import Expert, ExpertAlias
from techtransfer.matching.profiles import expert_key, experts_reindex_all, profiles_refresh_for_achievement
from techtransfer.matching.selectors import expert_profile
from techtransfer.search.models import SearchDocument
from techtransfer.talent import selectors, services
from techtransfer.talent.choices import ClaimStatus, ConsultationStatus
from techtransfer.talent.models import Consultation, ExpertClaim
from techtransfer.talent.workflows import CLAIM_FLOW
from techtransfer.testing import Personas, make_achievement, make_org, make_user, step_url

pytestmark = pytest.mark.django_db
API = "/api/v1/"
FOCUS = "肺部CT影像组学与早期肺癌筛查的深度学习方法"


def _publish(p: Personas, *, by: Any, **overrides: Any) -> Achievement:
    a = make_achievement(p, by=by, **overrides)
    achievement_services.achievement_submit(achievement=a, by=by)
    return achievement_services.achievement_register(achievement=a, by=p.reviewer)


def _two_profiles(p: Personas) -> tuple[Expert, Expert, Achievement, Achievement]:
    """李研究 is named on an achievement of each university: the records make two experts of one person."""
    here = _publish(p, by=p.tto_officer)
    there = _publish(p, by=p.other_tto, name="低剂量CT肺结节随访管理平台")
    experts_reindex_all()
    return (Expert.objects.get(key=expert_key("李研究", p.university.name)),
            Expert.objects.get(key=expert_key("李研究", p.other_university.name)), here, there)


def _enterprise_staff(suffix: str = "") -> Any:
    enterprise = make_org(f"北京肺影医疗科技有限公司{suffix}", OrgType.ENTERPRISE, region="110108")
    return make_user(f"ent_expert{suffix}", enterprise, Role.MEMBER, full_name="周企业")


def _approve(claim: ExpertClaim, *, by: Any) -> Any:
    """As the pages and the API take the step: through the claim's service."""
    return CLAIM_FLOW.run("approve", record=claim, by=by)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _document(expert: Expert) -> SearchDocument:
    return SearchDocument.objects.get(kind="expert", object_id=expert.pk)


class TestClaim:
    def test_the_reviewer_sees_what_the_platform_knows_about_a_claim(self, p: Personas) -> None:
        here, there, _, _ = _two_profiles(p)
        p.university.website = "https://www.bsdx.edu.cn/"
        p.university.save()
        p.researcher.email = "li.yanjiu@med.bsdx.edu.cn"
        p.researcher.save()
        claim = services.expert_claim(by=p.researcher, expert=here, evidence="工号 20190321")
        checks = {c.key: (c.outcome, c.detail) for c in selectors.claim_checks(claim=claim)}
        assert checks == {"name": ("agrees", "李研究"), "member": ("agrees", p.university.display_name),
                          "email": ("agrees", "bsdx.edu.cn"), "history": ("agrees", "")}

        first = services.expert_claim(by=p.outsider, expert=here, evidence="我就是李研究")
        step_take(record=first, step="refuse", by=p.tto_officer, reason="查无此人")
        again = services.expert_claim(by=p.outsider, expert=there, evidence="我就是李研究")
        checks = {c.key: (c.outcome, c.detail) for c in selectors.claim_checks(claim=again)}
        # The other university gives no website: its e-mail check is not known, not failed.
        assert checks == {"name": ("differs", "路人"), "member": ("differs", p.other_university.display_name),
                          "email": ("unknown", ""), "history": ("differs", "1")}

    def test_the_unit_approves_a_claim_and_the_person_keeps_the_profile(self, p: Personas) -> None:
        expert, _, _, _ = _two_profiles(p)
        claim = services.expert_claim(by=p.researcher, expert=expert, evidence="本校放射医学研究所教授，工号 20190321")
        assert claim.status == ClaimStatus.ASKED
        assert AuditEvent.objects.filter(action="expert_claim.claim", object_id=str(claim.pk)).exists()
        with pytest.raises(ApplicationError):
            services.expert_claim(by=p.researcher, expert=expert, evidence="再次申请")  # one open claim
        with pytest.raises(Http404):
            selectors.claim_get(user=p.outsider, pk=claim.pk)
        with pytest.raises(PermissionDenied):
            _approve(claim, by=p.other_tto)  # an officer of another unit
        with pytest.raises(PermissionDenied):
            _approve(claim, by=p.researcher)  # nobody approves their own claim
        _approve(claim, by=p.tto_officer)  # the officer of the expert's unit
        expert.refresh_from_db()
        assert expert.account == p.researcher and expert.claimed_at is not None
        with pytest.raises(ApplicationError):
            services.expert_claim(by=p.other_tto, expert=expert, evidence="我也是李研究")  # kept already

    def test_a_claim_needs_a_way_to_check_it_and_a_refusal_a_reason(self, p: Personas) -> None:
        expert, _, _, _ = _two_profiles(p)
        with pytest.raises(ValidationError) as exc:
            services.expert_claim(by=p.researcher, expert=expert, evidence="  ")
        assert "evidence" in exc.value.message_dict
        claim = services.expert_claim(by=p.researcher, expert=expert, evidence="放射医学研究所")
        with pytest.raises(ValidationError):
            step_take(record=claim, step="refuse", by=p.commission_admin)
        step_take(record=claim, step="refuse", by=p.commission_admin, reason="研究所名单中无此人")
        assert ExpertClaim.objects.get(pk=claim.pk).status == ClaimStatus.REFUSED
        assert Expert.objects.get(pk=expert.pk).account is None


class TestOwnProfile:
    def test_the_person_writes_the_profile_and_matching_reads_it(self, p: Personas) -> None:
        expert, _, _, _ = _two_profiles(p)
        with pytest.raises(PermissionDenied):
            services.expert_profile_update(by=p.researcher, expert=expert, data={"research_focus": FOCUS})
        claim = services.expert_claim(by=p.researcher, expert=expert, evidence="工号 20190321")
        _approve(claim, by=p.commission_admin)
        expert.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.expert_profile_update(by=p.outsider, expert=expert, data={"research_focus": "篡改"})
        services.expert_profile_update(by=p.researcher, expert=expert, data={
            "stated_title": "研究员", "research_focus": FOCUS, "expertise": "影像组学，肺结节; 影像组学",
        })
        expert.refresh_from_db()
        assert expert.display_title == "研究员" and expert.expertise == ["影像组学", "肺结节"]
        doc = _document(expert)
        assert FOCUS in doc.body and "组学" in doc.keywords.split()  # the stored keywords are segmented
        experts_reindex_all()  # rebuilding from the records keeps what the person wrote
        assert FOCUS in _document(expert).body and Expert.objects.get(pk=expert.pk).stated_title == "研究员"
        assert AuditEvent.objects.filter(action="expert.edit", object_id=str(expert.pk)).exists()

    def test_each_bad_field_is_named(self, p: Personas) -> None:
        expert, _, _, _ = _two_profiles(p)
        with pytest.raises(ValidationError) as exc:
            services.expert_profile_update(by=p.commission_admin, expert=expert, data={
                "stated_title": "长" * 51, "expertise": [f"术语{i}" for i in range(21)],
            })
        assert set(exc.value.message_dict) == {"stated_title", "expertise"}
        assert Expert.objects.get(pk=expert.pk).stated_title == ""  # nothing saved

    def test_the_person_answers_consultations_and_may_stop_taking_them(self, p: Personas) -> None:
        expert, _, _, _ = _two_profiles(p)
        staff = _enterprise_staff()
        claim = services.expert_claim(by=p.researcher, expert=expert, evidence="工号 20190321")
        _approve(claim, by=p.tto_officer)
        c = services.consultation_ask(by=staff, expert=expert, message="请教肺结节随访方案")
        with pytest.raises(PermissionDenied):
            step_take(record=c, step="accept", by=p.commission_admin)  # the expert answers now, not the commission
        assert selectors.consultation_list(user=p.researcher).filter(pk=c.pk).exists()
        step_take(record=c, step="decline", by=p.researcher, reason="档期已满")
        assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.DECLINED
        services.expert_profile_update(by=p.researcher, expert=expert, data={"accepts_consultations": False})
        with pytest.raises(ApplicationError):
            services.consultation_ask(by=staff, expert=expert, message="再次请教")


class TestMerge:
    def test_merging_keeps_every_link_and_survives_rebuilds(self, p: Personas) -> None:
        here, there, a_here, a_there = _two_profiles(p)
        staff = _enterprise_staff()
        consultation = services.consultation_ask(by=staff, expert=there, message="请教随访平台")
        claim = services.expert_claim(by=p.researcher, expert=there, evidence="在京东理工学院兼职")
        for stranger in (p.outsider, p.tto_officer, p.reviewer):
            with pytest.raises(PermissionDenied):
                services.expert_merge(by=stranger, into=here, other=there)
        with pytest.raises(ValidationError):
            services.expert_merge(by=p.commission_admin, into=here, other=here)

        merged = services.expert_merge(by=p.commission_admin, into=here, other=there)
        assert not Expert.objects.filter(pk=there.pk).exists()
        assert Consultation.objects.get(pk=consultation.pk).expert_id == here.pk
        assert ExpertClaim.objects.get(pk=claim.pk).expert_id == here.pk
        assert merged.achievement_count == 2
        assert {a.pk for a in expert_profile(pk=here.pk).achievements} == {a_here.pk, a_there.pk}
        assert not SearchDocument.objects.filter(kind="expert", object_id=there.pk).exists()
        assert p.other_university.name in _document(here).title
        assert AuditEvent.objects.filter(action="expert.merge", object_id=str(here.pk)).exists()

        experts_reindex_all()  # the records still name two units; the merge holds
        assert list(Expert.objects.filter(name="李研究").values_list("pk", flat=True)) == [here.pk]
        assert Expert.objects.get(pk=here.pk).achievement_count == 2
        assert Expert.objects.get(pk=here.pk).unit_name == p.university.name
        a_new = _publish(p, by=p.other_tto, name="肺结节三维重建与手术规划软件")
        profiles_refresh_for_achievement(a_new.pk)  # a new record at the other unit joins the merged profile
        assert Expert.objects.get(pk=here.pk).achievement_count == 3
        assert not Expert.objects.filter(key=there.key).exists()
        assert ExpertAlias.objects.get(key=there.key).expert_id == here.pk

    def test_a_merge_made_by_mistake_is_undone_with_its_links(self, p: Personas) -> None:
        """Two people of one name merged: undoing it gives the other profile back its records, its keeper and
        what the merge moved; what was asked of the kept profile since stays there."""
        here, there, _, a_there = _two_profiles(p)
        claim = services.expert_claim(by=p.researcher, expert=there, evidence="在京东理工学院任教")
        _approve(claim, by=p.other_tto)
        services.expert_profile_update(by=p.researcher, expert=Expert.objects.get(pk=there.pk),
                                       data={"research_focus": FOCUS})
        before = services.consultation_ask(by=_enterprise_staff(), expert=there, message="请教随访平台")
        services.expert_merge(by=p.commission_admin, into=here, other=there)
        since = services.consultation_ask(by=_enterprise_staff("二"), expert=here, message="请教影像组学")
        merge = ExpertAlias.objects.get(key=there.key)
        for stranger in (p.outsider, p.tto_officer, p.researcher):
            with pytest.raises(PermissionDenied):
                services.expert_split(by=stranger, merge=merge)

        restored = services.expert_split(by=p.commission_admin, merge=merge)
        assert restored is not None and restored.key == there.key and restored.pk != there.pk
        assert not ExpertAlias.objects.exists()
        assert (restored.account, restored.research_focus) == (p.researcher, FOCUS)
        kept = Expert.objects.get(pk=here.pk)
        assert (kept.account, kept.research_focus, kept.achievement_count) == (None, "", 1)
        assert restored.achievement_count == 1
        assert Consultation.objects.get(pk=before.pk).expert_id == restored.pk
        assert Consultation.objects.get(pk=since.pk).expert_id == kept.pk
        assert ExpertClaim.objects.get(pk=claim.pk).expert_id == restored.pk
        assert {a.pk for a in expert_profile(pk=restored.pk).achievements} == {a_there.pk}
        assert p.other_university.name not in _document(kept).title
        assert p.other_university.name in _document(restored).title and _document(restored).is_public
        assert AuditEvent.objects.filter(action="expert.split", object_id=str(here.pk)).count() == 1
        with pytest.raises(ApplicationError):  # a second request with the same merge finds it undone
            services.expert_split(by=p.commission_admin, merge=merge)
        experts_reindex_all()  # the records name two units and nothing joins them any more
        assert Expert.objects.filter(name="李研究").count() == 2

    def test_two_profiles_kept_by_different_people_are_not_merged(self, p: Personas) -> None:
        here, there, _, _ = _two_profiles(p)
        for expert, person, officer in ((here, p.researcher, p.tto_officer), (there, p.outsider, p.other_tto)):
            _approve(services.expert_claim(by=person, expert=expert, evidence="本人"), by=officer)
        with pytest.raises(ApplicationError):
            services.expert_merge(by=p.commission_admin, into=here, other=there)
        assert Expert.objects.filter(pk__in=[here.pk, there.pk]).count() == 2


def test_an_expert_no_record_names_any_more_keeps_its_consultations(p: Personas) -> None:
    """A withdrawn record takes the person off the index, but a consultation asked of them stays whole."""
    here, there, a_here, a_there = _two_profiles(p)
    consultation = services.consultation_ask(by=_enterprise_staff(), expert=there, message="请教")
    claim = services.expert_claim(by=p.researcher, expert=here, evidence="工号 20190321")
    _approve(claim, by=p.tto_officer)
    Achievement.objects.filter(pk__in=[a_here.pk, a_there.pk]).update(status="withdrawn")
    experts_reindex_all()
    kept = Expert.objects.get(pk=there.pk)
    assert kept.achievement_count == 0 and Consultation.objects.get(pk=consultation.pk).expert_id == kept.pk
    assert not SearchDocument.objects.filter(kind="expert", object_id=there.pk).exists()
    # The claimed profile stays listed: its person speaks for it.
    assert Expert.objects.get(pk=here.pk).account == p.researcher
    assert _document(here).is_public


class TestPagesAndApi:
    def test_claim_review_edit_and_merge_through_the_pages(self, p: Personas) -> None:
        here, there, _, _ = _two_profiles(p)
        researcher = _client(p.researcher)
        page = researcher.get(f"/matching/experts/{here.pk}/").content.decode()
        assert f"/talent/experts/{here.pk}/claim/" in page and "/edit/" not in page
        response = researcher.post(f"/talent/experts/{here.pk}/claim/", {"evidence": ""})
        assert response.status_code == 400
        response = researcher.post(f"/talent/experts/{here.pk}/claim/", {"evidence": "工号 20190321"})
        claim = ExpertClaim.objects.get(expert=here)
        assert response.status_code == 302 and response["Location"] == f"/talent/claims/{claim.pk}/"
        assert "waiting for review" in researcher.get(f"/matching/experts/{here.pk}/",
                                                       HTTP_ACCEPT_LANGUAGE="en").content.decode()

        officer = _client(p.tto_officer)
        assert f"/talent/claims/{claim.pk}/" in officer.get("/talent/claims/").content.decode()
        page = officer.get(f"/talent/claims/{claim.pk}/").content.decode()
        assert 'class="check-agrees" data-check="member"' in page and 'data-check="email"' in page
        assert _client(p.outsider).get(f"/talent/claims/{claim.pk}/").status_code == 404
        assert officer.post(step_url(claim, "approve")).status_code == 302
        assert Expert.objects.get(pk=here.pk).account == p.researcher

        assert _client(p.outsider).get(f"/talent/experts/{here.pk}/edit/").status_code == 403
        response = researcher.post(f"/talent/experts/{here.pk}/edit/", {
            "stated_title": "研究员", "research_focus": FOCUS, "expertise": "影像组学, 肺结节",
            "accepts_consultations": "on",
        })
        assert response.status_code == 302
        assert FOCUS in researcher.get(f"/matching/experts/{here.pk}/").content.decode()

        assert officer.get(f"/talent/experts/{here.pk}/merge/").status_code == 403
        admin = _client(p.commission_admin)
        form = admin.get(f"/talent/experts/{here.pk}/merge/").content.decode()
        assert f'value="{there.pk}"' in form
        assert admin.post(f"/talent/experts/{here.pk}/merge/", {"other": there.pk}).status_code == 302
        page = admin.get(f"/matching/experts/{here.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert p.other_university.name in page and "低剂量CT肺结节随访管理平台" in page

        merge = ExpertAlias.objects.get(expert=here)
        split = f"/talent/experts/{here.pk}/merges/{merge.pk}/split/"
        assert split in admin.get(f"/talent/experts/{here.pk}/merge/").content.decode()
        assert officer.post(split).status_code == 403
        assert admin.get(split).status_code == 405
        response = admin.post(split)
        restored = Expert.objects.get(key=there.key)
        assert response.status_code == 302 and response["Location"] == f"/matching/experts/{restored.pk}/"
        assert admin.post(split).status_code == 404  # undone once

    def test_the_api_shows_and_changes_what_the_pages_do(self, p: Personas) -> None:
        here, there, _, _ = _two_profiles(p)
        researcher = _client(p.researcher)
        response = researcher.post(f"{API}experts/{here.pk}/claims", {"evidence": "工号 20190321"},
                                   content_type="application/json")
        assert response.status_code == 201
        claim_id = response.json()["id"]
        assert _client(p.outsider).get(f"{API}expert-claims/{claim_id}/").status_code == 404
        detail = _client(p.tto_officer).get(f"{API}expert-claims/{claim_id}/").json()
        assert detail["claimant_email"] == p.researcher.email
        assert {c["key"]: c["outcome"] for c in detail["checks"]} == {
            "name": "agrees", "member": "agrees", "email": "unknown", "history": "agrees"}
        assert _client(p.other_tto).post(f"{API}expert-claims/{claim_id}/approve").status_code == 404  # unseen
        assert researcher.post(f"{API}expert-claims/{claim_id}/approve").status_code == 403  # seen, not theirs
        response = _client(p.tto_officer).post(f"{API}expert-claims/{claim_id}/approve")
        assert response.status_code == 200 and response.json()["status"] == "approved"

        body = json.dumps({"research_focus": FOCUS, "expertise": ["影像组学"]})
        assert _client(p.outsider).patch(f"{API}experts/{here.pk}/profile", body,
                                         content_type="application/json").status_code == 403
        response = researcher.patch(f"{API}experts/{here.pk}/profile", body, content_type="application/json")
        assert response.status_code == 200 and response.json()["expertise"] == ["影像组学"]

        assert _client(p.tto_officer).post(f"{API}experts/{here.pk}/merge", {"other": there.pk},
                                           content_type="application/json").status_code == 403
        response = _client(p.commission_admin).post(f"{API}experts/{here.pk}/merge", {"other": there.pk},
                                                    content_type="application/json")
        assert response.status_code == 200 and response.json()["achievement_count"] == 2
        merges = f"{API}experts/{here.pk}/merges"
        assert _client(p.tto_officer).get(merges).status_code == 403
        listed = _client(p.commission_admin).get(merges).json()
        assert [(m["name"], m["unit_name"]) for m in listed] == [("李研究", p.other_university.name)]

        profile = Client().get(f"{API}experts/{here.pk}").json()  # public, as the page
        assert profile["claimed"] and profile["research_focus"] == FOCUS
        assert profile["other_units"] == [p.other_university.name] and len(profile["achievements"]) == 2
        assert Client().get(f"{API}experts/{there.pk}").status_code == 404

        split = f"{merges}/{listed[0]['id']}/split"
        assert _client(p.outsider).post(split).status_code == 403
        assert _client(p.commission_admin).post(f"{API}experts/{there.pk}/merges/{listed[0]['id']}/split"
                                                ).status_code == 404  # not a merge of that profile
        response = _client(p.commission_admin).post(split)
        assert response.status_code == 200
        body = response.json()
        assert body["kept"]["achievement_count"] == 1 and body["restored"]["unit_name"] == p.other_university.name


def test_a_merged_profile_is_counted_whole_whichever_name_a_new_record_gives(p: Personas) -> None:
    """The same person written 李研究 at one unit and Li Yanjiu at another: after the merge, a new record under
    either name re-counts both."""
    here = _publish(p, by=p.tto_officer)
    there = make_achievement(p, by=p.other_tto, name="低剂量CT肺结节随访管理平台")
    there.persons.filter(name="李研究").update(name="Li Yanjiu")
    achievement_services.achievement_submit(achievement=there, by=p.other_tto)
    achievement_services.achievement_register(achievement=there, by=p.reviewer)
    experts_reindex_all()
    li = Expert.objects.get(key=expert_key("李研究", p.university.name))
    other = Expert.objects.get(key=expert_key("Li Yanjiu", p.other_university.name))
    services.expert_merge(by=p.commission_admin, into=li, other=other)
    assert Expert.objects.get(pk=li.pk).achievement_count == 2
    again = make_achievement(p, by=p.other_tto, name="肺结节三维重建与手术规划软件")
    again.persons.filter(name="李研究").update(name="Li Yanjiu")
    achievement_services.achievement_submit(achievement=again, by=p.other_tto)
    achievement_services.achievement_register(achievement=again, by=p.reviewer)
    profiles_refresh_for_achievement(again.pk)  # names only "Li Yanjiu"
    assert Expert.objects.get(pk=li.pk).achievement_count == 3
    assert {a.pk for a in expert_profile(pk=li.pk).achievements} == {here.pk, there.pk, again.pk}
