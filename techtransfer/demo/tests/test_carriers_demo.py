"""The demo's carriers (techtransfer/demo/carriers.py): operators with demo logins, carriers in every state,
firms with valid credit codes, and the incubation count read from them."""

from __future__ import annotations

import pytest

from techtransfer.carriers.choices import CarrierStatus
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.carriers.selectors import incubation_count
from techtransfer.demo.carriers import carrier_logins, carriers_seed
from techtransfer.demo.loader import DEMO_PASSWORD
from techtransfer.lib.validators import validate_uscc
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_carriers_read_like_a_registry(p: Personas) -> None:
    summary = carriers_seed(seed=1)
    assert summary.carriers == Carrier.objects.count() >= 14  # the demo units' own carriers need the full demo
    assert Carrier.objects.filter(status=CarrierStatus.LISTED).count() == summary.listed
    assert Carrier.objects.filter(status=CarrierStatus.UNDER_REVIEW).exists()
    assert Carrier.objects.filter(status=CarrierStatus.DRAFT).exists()
    firms = list(IncubatedFirm.objects.all())
    assert len(firms) == summary.firms >= 200
    for firm in firms:
        validate_uscc(firm.uscc)
    assert len({f.name for f in firms}) == len(firms)
    assert summary.incubating == incubation_count().total > 50
    logins = carrier_logins()
    assert len(logins) == 6
    from techtransfer.accounts.models import User

    assert User.objects.get(username=logins[0][1]).check_password(DEMO_PASSWORD)
    again = carriers_seed(seed=1)  # a second run adds nothing
    assert again.carriers == 0 and Carrier.objects.count() == summary.carriers
