from django.test import Client
from django.urls import reverse

from techtransfer.accounts.models import User
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_enterprise, make_published
from techtransfer.testing import Personas


class TestDemandAdmin:
    def test_staff_can_list_and_open_demands_but_not_change_them(self, p: Personas, client: Client) -> None:
        d = make_published(make_enterprise(), p.reviewer)
        staff = User.objects.create_superuser(
            username="staff", email="staff@example.cn", password="x", email_confirmed=True
        )
        client.force_login(staff)
        listing = client.get(reverse("admin:market_technologydemand_changelist"))
        assert listing.status_code == 200 and d.title in listing.content.decode()
        page = client.get(reverse("admin:market_technologydemand_change", args=[d.pk]))
        assert page.status_code == 200
        client.post(reverse("admin:market_technologydemand_change", args=[d.pk]), {"status": "draft"})
        d.refresh_from_db()
        assert d.status == DemandStatus.PUBLISHED
        assert client.get(reverse("admin:market_technologydemand_add")).status_code == 403
        assert TechnologyDemand.objects.count() == 1
