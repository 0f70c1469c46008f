import datetime
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from techtransfer.core.audit import audit_for
from techtransfer.market import services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import DemandStatusChange
from techtransfer.market.selectors import demand_list
from techtransfer.market.tests.helpers import make_demand, make_enterprise, make_published
from techtransfer.testing import Personas


class TestDemandsExpire:
    @pytest.fixture(autouse=True)
    def _frozen_on_2_march(self) -> Iterator[None]:
        # 17:00 in Beijing on 2 March 2026, so "today" is the same date in UTC and local time.
        with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
            yield

    def test_published_demands_expire_the_day_after_their_deadline(self, p: Personas) -> None:
        ent = make_enterprise()
        last_day = make_published(ent, p.reviewer, title="三月十日截止", deadline=datetime.date(2026, 3, 10))
        later = make_published(ent, p.reviewer, title="四月截止", deadline=datetime.date(2026, 4, 30))

        assert services.demands_expire(today=datetime.date(2026, 3, 10)) == 0  # still open on its last day
        assert services.demands_expire(today=datetime.date(2026, 3, 11)) == 1
        last_day.refresh_from_db()
        later.refresh_from_db()
        assert last_day.status == DemandStatus.EXPIRED and later.status == DemandStatus.PUBLISHED
        step = DemandStatusChange.objects.get(record=last_day, to_state=DemandStatus.EXPIRED)
        assert step.by is None and step.from_state == DemandStatus.PUBLISHED and step.step == "expire"
        assert audit_for(last_day).filter(action="demand.expire", actor=None).count() == 1
        assert services.demands_expire(today=datetime.date(2026, 3, 11)) == 0  # a repeat finds nothing
        # The public still reaches an expired demand, with its status; only the published one is open.
        assert set(demand_list(user=p.outsider).values_list("title", "status")) == {
            ("四月截止", DemandStatus.PUBLISHED), ("三月十日截止", DemandStatus.EXPIRED)
        }

    def test_only_published_demands_expire(self, p: Personas) -> None:
        ent = make_enterprise()
        draft = make_demand(ent, deadline=datetime.date(2026, 3, 5))
        closed = make_published(ent, p.reviewer, deadline=datetime.date(2026, 3, 5))
        services.demand_close(demand=closed, by=ent.staff)
        under_review = make_demand(ent, deadline=datetime.date(2026, 3, 5))
        services.demand_submit(demand=under_review, by=ent.staff)
        assert services.demands_expire(today=datetime.date(2026, 6, 1)) == 0
        for d, status in (
            (draft, DemandStatus.DRAFT),
            (closed, DemandStatus.CLOSED),
            (under_review, DemandStatus.UNDER_REVIEW),
        ):
            d.refresh_from_db()
            assert d.status == status

    def test_without_a_date_it_uses_today_so_the_daily_command_expires_by_the_clock(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_published(ent, p.reviewer, deadline=datetime.date(2026, 3, 3))
        out = StringIO()
        call_command("expire_demands", stdout=out)
        assert "0 technology demand(s) expired" in out.getvalue()
        with time_machine.travel(datetime.datetime(2026, 3, 4, 0, 5, tzinfo=datetime.UTC), tick=False):
            assert timezone.localdate() == datetime.date(2026, 3, 4)
            out = StringIO()
            call_command("expire_demands", stdout=out)
        assert "1 technology demand(s) expired" in out.getvalue()
        d.refresh_from_db()
        assert d.status == DemandStatus.EXPIRED

    def test_an_expired_demand_can_still_be_marked_matched(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_published(ent, p.reviewer, deadline=datetime.date(2026, 3, 3))
        services.demands_expire(today=datetime.date(2026, 3, 20))
        services.demand_mark_matched(demand=d, by=ent.staff, note="到期后签约")
        d.refresh_from_db()
        assert d.status == DemandStatus.MATCHED

    def test_the_command_refuses_a_malformed_date_naming_the_option(self, p: Personas) -> None:
        with pytest.raises(CommandError, match="--today: '2026-13-01'"):
            call_command("expire_demands", today="2026-13-01")
        call_command("expire_demands", today="2026-03-02", stdout=StringIO())
