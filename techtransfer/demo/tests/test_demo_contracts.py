"""The demo's technology contracts follow the published Beijing shares (data/contracts.toml), scaled to N."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.test import TestCase
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.contracts import selectors
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.services import contract_number_next
from techtransfer.contracts.signals import contracts_changed
from techtransfer.demo.contracts import REGISTRAR, contracts_seed, registrar_logins, targets, year_fraction

N = 2000


class DemoContractsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.today = timezone.localdate()
        cls.signals: list[dict[str, Any]] = []

        def listen(sender: Any, **kwargs: Any) -> None:
            cls.signals.append({"months": kwargs["months"], "source": kwargs["source"]})

        contracts_changed.connect(listen, dispatch_uid="test_demo_contracts")
        try:
            with cls.captureOnCommitCallbacks(execute=True):
                cls.summary = contracts_seed(N, seed=7)
        finally:
            contracts_changed.disconnect(dispatch_uid="test_demo_contracts")
        cls.spec = targets()
        cls.registered = TechnologyContract.objects.filter(status=ContractStatus.REGISTERED)

    def by_year(self, measure: str) -> dict[int, float]:
        rows = self.registered.values("registered_on__year").annotate(n=Count("pk"), t=Sum("turnover"))
        return {r["registered_on__year"]: float(r["n"] if measure == "contracts" else r["t"]) for r in rows}

    def test_it_makes_n_registered_contracts_and_the_points_with_their_registrars(self) -> None:
        self.assertEqual(self.registered.count(), N)
        points = Organisation.objects.filter(org_type=OrgType.CONTRACT_REGISTRY, region__code__startswith="1101")
        self.assertEqual(points.count(), 16)
        self.assertTrue(all(points.values_list("is_verified", flat=True)))
        registrar = User.objects.get(username=REGISTRAR)
        self.assertEqual(registrar.memberships.get().role, Role.REVIEWER)
        self.assertEqual(registrar.memberships.get().organisation.region.code, "110108")
        self.assertEqual(registrar_logins()[0][1], REGISTRAR)

    def test_yearly_shares_of_contracts_and_turnover_follow_the_targets(self) -> None:
        full_years = [y for y in self.spec["year"] if y["year"] < self.today.year]
        for measure in ("contracts", "turnover"):
            made = self.by_year(measure)
            made_total = sum(made[y["year"]] for y in full_years)
            wanted_total = sum(y[measure] for y in full_years)
            for y in full_years:
                share, wanted = made[y["year"]] / made_total, y[measure] / wanted_total
                # An even spread would give 1/7 ≈ 0.143 each; the targets run from 0.115 to 0.185.
                self.assertAlmostEqual(share, wanted, delta=0.005, msg=f"{measure} {y['year']}")
        counts, turnover = self.by_year("contracts"), self.by_year("turnover")
        average_2023 = turnover[2023] / counts[2023]
        self.assertAlmostEqual(average_2023 / (8536.9e8 / 106552), 1.0, delta=0.01)  # ≈ 801万元 a contract
        # The current year is generated up to today: its target times the share of the year gone.
        current = next(y for y in self.spec["year"] if y["year"] == self.today.year)
        wanted = current["contracts"] * year_fraction(self.today.year, self.today) / 106552
        self.assertAlmostEqual(counts[self.today.year] / counts[2023], wanted, delta=0.01)

    def test_amounts_are_heavy_tailed(self) -> None:
        amounts = sorted(float(t) for t in self.registered.filter(registered_on__year=2023).values_list(
            "turnover", flat=True))
        mean, median = sum(amounts) / len(amounts), amounts[len(amounts) // 2]
        self.assertGreater(mean / median, 2.5)
        top = sum(amounts[-len(amounts) // 10 :]) / sum(amounts)
        self.assertGreater(top, 0.4)  # the largest tenth carries a large part of the turnover

    def test_the_category_mix_is_dominated_by_service_and_development(self) -> None:
        rows = self.registered.filter(registered_on__year=2023).values("category").annotate(
            n=Count("pk"), t=Sum("turnover"))
        n = sum(r["n"] for r in rows)
        t = sum(r["t"] for r in rows)
        for r in rows:
            wanted = self.spec["categories"][r["category"]]
            self.assertAlmostEqual(r["n"] / n, wanted["contracts"], delta=0.01, msg=r["category"])
            self.assertAlmostEqual(float(r["t"] / t), wanted["turnover"], delta=0.01, msg=r["category"])
        before = set(self.registered.filter(signed_on__lt=datetime.date(2021, 1, 1)).values_list("category", flat=True))
        self.assertNotIn("licence", before)  # licences signed before the Civil Code are transfers

    def test_buyers_are_local_outflow_and_abroad_with_the_tianjin_hebei_share_of_2023(self) -> None:
        rows = self.registered.filter(registered_on__year=2023).values_list(
            "buyer_country__code", "buyer_region__code", "turnover")
        groups: dict[str, list[Decimal]] = defaultdict(list)
        for country, region, turnover in rows:
            if country != "142":
                groups["abroad"].append(turnover)
            elif region.startswith("11"):
                groups["local"].append(turnover)
            else:
                groups["outflow"].append(turnover)
                if region.startswith(("12", "13")):
                    groups["tianjin_hebei"].append(turnover)
        total = sum(len(v) for k, v in groups.items() if k != "tianjin_hebei")
        self.assertTrue(0.35 <= len(groups["local"]) / total <= 0.45)
        tj_share = float(sum(groups["tianjin_hebei"]) / sum(groups["outflow"]))
        self.assertTrue(0.14 <= tj_share <= 0.16, tj_share)  # 748.7亿 = 15.1% of the outflow in 2023
        abroad = self.registered.exclude(buyer_country__code="142")
        self.assertTrue(abroad.exists())
        self.assertFalse(abroad.filter(buyer_country=None).exists())

    def test_technical_value_is_about_80_percent_and_consistent_with_the_items(self) -> None:
        totals = self.registered.aggregate(t=Sum("turnover"), a=Sum("approved_technical_value"))
        self.assertTrue(0.74 <= float(totals["a"] / totals["t"]) <= 0.86, totals)
        for contract in self.registered.annotate(items=Sum("non_technical_items__amount"))[:300]:
            self.assertEqual(contract.turnover - (contract.items or 0), contract.declared_technical_value)
            self.assertLessEqual(contract.approved_technical_value, contract.declared_technical_value)
            self.assertTrue(contract.verification_code)
            self.assertTrue(contract.seller_affiliation)
            self.assertIsNotNone(contract.rule_set_id)

    def test_numbers_are_unique_16_digits_of_the_year_and_the_point(self) -> None:
        numbers = list(self.registered.values_list("number", "registered_on", "registration_point__region__code"))
        self.assertEqual(len({n for n, _d, _r in numbers}), N)
        for number, day, region in numbers:
            self.assertEqual(len(number), 16)
            self.assertTrue(number.isdigit())
            self.assertEqual(number[:10], f"{day.year}{region}")

    def test_a_later_registration_continues_the_series_without_a_duplicate(self) -> None:
        contract = self.registered.filter(registered_on=self.today).select_related("registration_point__region").first()
        assert contract is not None
        with transaction.atomic():
            number = contract_number_next(contract=contract, on=self.today)
        self.assertFalse(TechnologyContract.objects.filter(number=number).exists())
        prefix = number[:10]
        serials = [int(n[10:]) for n in self.registered.filter(number__startswith=prefix).values_list("number", flat=True)]
        self.assertEqual(int(number[10:]), max(serials) + 1)

    def test_today_has_registrations_and_the_registrar_has_a_queue(self) -> None:
        self.assertGreaterEqual(self.registered.filter(registered_on=self.today).count(), 5)
        queue = selectors.contract_decision_queue(user=User.objects.get(username=REGISTRAR))
        self.assertGreaterEqual(queue.count(), 5)
        self.assertFalse(queue.filter(decision_due=None).exists())
        for status in (ContractStatus.SUBMITTED, ContractStatus.RETURNED, ContractStatus.DRAFT):
            self.assertGreaterEqual(TechnologyContract.objects.filter(status=status).count(), 16, status)

    def test_it_tells_the_listeners_which_months_changed(self) -> None:
        self.assertEqual(len(self.signals), 1)
        months = self.signals[0]["months"]
        self.assertEqual(self.signals[0]["source"], "demo")
        self.assertIn(self.today.replace(day=1), months)
        self.assertIn(datetime.date(2019, 12, 1), months)
