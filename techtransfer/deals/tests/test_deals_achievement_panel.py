"""The achievement's page shows its transformation: the price notices to everyone, the deals to those who read
them, and a way for the unit to record one, prefilled with the achievement."""

from __future__ import annotations

import pytest
from django.urls import reverse

from techtransfer.accounts.models import User
from techtransfer.deals.tests.deal_factories import client_for, make_deal, publicised, published
from techtransfer.testing import Personas, make_achievement

pytestmark = pytest.mark.django_db


def _page(user: User | None, achievement_pk: int) -> str:
    response = client_for(user).get(reverse("achievements:detail", args=[achievement_pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_unit_records_a_deal_from_the_achievement_page(p: Personas) -> None:
    achievement = published(p)
    page = _page(p.tto_officer, achievement.pk)
    link = f'{reverse("deals:create")}?achievement={achievement.pk}'
    assert 'id="record-deal"' in page and link in page

    form = client_for(p.tto_officer).get(link).content.decode()
    assert f'<option value="{achievement.pk}" selected>' in form


def test_a_draft_achievement_offers_no_deal_and_outsiders_never_see_the_button(p: Personas) -> None:
    draft = make_achievement(p)
    assert 'id="record-deal"' not in _page(p.tto_officer, draft.pk)
    achievement = published(p)
    assert 'id="deals-panel"' not in _page(p.other_tto, achievement.pk)
    assert 'id="deals-panel"' not in _page(None, achievement.pk)


def test_the_public_sees_the_notice_but_not_the_unit_s_draft_deal(p: Personas) -> None:
    deal = publicised(p, counterparty_name="公示中的受让方")
    draft = make_deal(p, deal.achievement, mode="licence", licence_type="ordinary", counterparty_name="草稿中的被许可方")
    public = _page(None, deal.achievement.pk)
    assert reverse("deals:public_detail", args=[deal.pk]) in public
    assert reverse("deals:detail", args=[draft.pk]) not in public and "草稿中的被许可方" not in public

    unit = _page(p.tto_officer, deal.achievement.pk)
    assert reverse("deals:detail", args=[draft.pk]) in unit and reverse("deals:detail", args=[deal.pk]) in unit
