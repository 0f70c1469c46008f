from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from techtransfer.market import services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_contact_visible
from techtransfer.market.selectors import demand_get, demand_list
from techtransfer.market.tests.helpers import make_demand, make_enterprise, make_published
from techtransfer.testing import Personas


def titles(user: object, **filters: object) -> set[str]:
    return set(demand_list(user=user, filters=filters).values_list("title", flat=True))


class TestModerationBeforePublic:
    def test_a_demand_is_public_only_once_a_moderator_approves_it(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_demand(ent, title="待审核的需求")
        anonymous = AnonymousUser()
        assert titles(anonymous) == titles(p.outsider) == set()
        assert titles(ent.colleague) == {"待审核的需求"}
        assert titles(p.reviewer) == set()  # drafts stay with the owner

        services.demand_submit(demand=d, by=ent.staff)
        assert titles(p.outsider) == set()
        assert titles(p.reviewer) == {"待审核的需求"}
        with pytest.raises(Http404):
            demand_get(user=p.outsider, pk=d.pk)
        with pytest.raises(Http404):
            demand_get(user=anonymous, pk=d.pk)

        services.demand_approve(demand=d, by=p.reviewer)
        assert titles(p.outsider) == titles(anonymous) == {"待审核的需求"}
        assert demand_get(user=anonymous, pk=d.pk).status == DemandStatus.PUBLISHED

    def test_another_enterprise_cannot_see_a_draft_or_a_closed_demand(self, p: Personas) -> None:
        ent = make_enterprise()
        other = make_enterprise("天津别家科技有限公司", region="120104", prefix="other")
        draft = make_demand(ent, title="草稿")
        closed = make_published(ent, p.reviewer, title="已关闭")
        services.demand_close(demand=closed, by=ent.staff)
        for pk in (draft.pk, closed.pk, 999999, "not-a-number"):
            with pytest.raises(Http404):
                demand_get(user=other.staff, pk=pk)
        assert titles(other.staff) == set()
        assert titles(ent.staff) == {"草稿", "已关闭"}

    def test_filters_narrow_the_public_list(self, p: Personas) -> None:
        from techtransfer.core.codetables import code_item

        ent = make_enterprise()
        make_published(ent, p.reviewer, title="涂布检测", modes=("service",))
        make_published(
            ent,
            p.reviewer,
            title="抗体筛选",
            field=code_item("high_tech_field", "biomedicine"),
            region=code_item("region", "120104"),
            modes=("licence",),
        )
        assert titles(p.outsider, field="biomedicine") == {"抗体筛选"}
        assert titles(p.outsider, region="120000") == {"抗体筛选"}  # a province covers its districts
        assert titles(p.outsider, region="110000") == {"涂布检测"}
        assert titles(p.outsider, cooperation_mode="service") == {"涂布检测"}
        assert titles(p.outsider, q="抗体") == {"抗体筛选"}


class TestContactHiding:
    def test_private_contact_details_are_blank_for_the_public_but_not_for_owner_and_moderators(
        self, p: Personas
    ) -> None:
        ent = make_enterprise()
        d = make_published(ent, p.reviewer, contact_public=False)
        for user in (p.outsider, AnonymousUser(), p.tto_officer):
            shown = demand_get(user=user, pk=d.pk)
            assert not demand_contact_visible(user, d)
            assert shown.contact_visible is False
            assert (shown.shown_contact_name, shown.shown_contact_phone, shown.shown_contact_email) == ("", "", "")
            listed = demand_list(user=user).get(pk=d.pk)
            assert listed.shown_contact_phone == ""
        for user in (ent.staff, p.reviewer, p.commission_admin):
            assert demand_contact_visible(user, d)
            shown = demand_get(user=user, pk=d.pk)
            assert shown.contact_visible is True and shown.shown_contact_phone == "010-82000000"

    def test_public_contact_details_are_shown_to_anyone_while_the_demand_is_open(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_published(ent, p.reviewer, contact_public=True)
        shown = demand_get(user=AnonymousUser(), pk=d.pk)
        assert demand_contact_visible(AnonymousUser(), d)
        assert shown.shown_contact_email == "liu@smart.example.cn"
        services.demand_mark_matched(demand=d, by=ent.staff)
        d.refresh_from_db()
        assert not demand_contact_visible(p.outsider, d)
        assert demand_contact_visible(ent.staff, d)

    def test_the_rule_and_the_list_annotation_agree_for_every_persona(self, p: Personas) -> None:
        ent = make_enterprise()
        make_published(ent, p.reviewer, title="公开联系", contact_public=True)
        make_published(ent, p.reviewer, title="隐藏联系", contact_public=False)
        submitted = make_demand(ent, title="审核中")
        services.demand_submit(demand=submitted, by=ent.staff)
        users = [AnonymousUser(), p.outsider, p.tto_officer, p.reviewer, p.commission_admin, ent.staff]
        for user in users:
            for shown in demand_list(user=user):
                raw = TechnologyDemand.objects.get(pk=shown.pk)
                assert shown.contact_visible == demand_contact_visible(user, raw), (user, shown.title)


class TestListQueries:
    def test_the_list_costs_the_same_few_queries_however_many_demands_it_shows(
        self, p: Personas, django_assert_num_queries: Any
    ) -> None:
        ent = make_enterprise()
        for n in range(6):
            make_published(ent, p.reviewer, title=f"需求{n}", modes=("service", "joint"))
        p.outsider._membership_cache = []  # memberships are read once per request, not per demand
        with django_assert_num_queries(2):  # the demands, then their cooperation modes
            rows = [
                (d.owner.name, d.field.label, d.region.label, [m.code for m in d.cooperation_modes.all()])
                for d in demand_list(user=p.outsider)
            ]
        assert len(rows) == 6 and all(len(modes) == 2 for *_, modes in rows)
