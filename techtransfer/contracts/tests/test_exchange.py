"""Data exchange: the export files with their manifest and checksums, and the import of registrations made
elsewhere (the statistics file read back through core.imports.table_import)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import shutil
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.exchange import (
    RECIPIENTS,
    STATISTICS_COLUMNS,
    exchange_export,
    exchange_verify,
    month_bounds,
)
from techtransfer.contracts.importing import ContractFormat, contract_import, contract_import_queue
from techtransfer.contracts.models import ContractNumberSequence, NonTechnicalItem, TechnologyContract
from techtransfer.contracts.rules import rule_set_on
from techtransfer.contracts.services import contract_number_next
from techtransfer.contracts.signals import contracts_changed
from techtransfer.core.codetables import code_item
from techtransfer.core.imports import import_format, table_import
from techtransfer.core.models import ImportMode
from techtransfer.lib.validators import uscc_check_character
from techtransfer.testing import make_org, make_user

YEAR = (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))


def uscc(n: int, region: str = "110108") -> str:
    first17 = f"91{region}MA{n:07d}"
    return first17 + uscc_check_character(first17)


# (category, sub-type) in turn, and the buyers: (country, region, legacy region) in turn.
KINDS = [("service", "service"), ("development", "commissioned"), ("consulting", "consulting"),
         ("transfer", "technical_secret"), ("licence", "patent_ordinary"), ("service", "training"),
         ("development", "cooperative")]
BUYERS = [("142", "110105", "1100"), ("142", "130600", "1300"), ("142", "440300", "4403"), ("502", None, "8000"),
          ("110", "810000", "7100"), ("142", "120116", "1200")]


def make_contracts() -> dict[str, Any]:
    """Two district points with their registrars, sellers with USCCs, and registered contracts of 2022–2024
    of every category, with buyers in Beijing, other provinces, abroad and in Hong Kong, some with items."""
    haidian = make_org("北京市海淀区技术合同登记站", OrgType.CONTRACT_REGISTRY, region="110108")
    chaoyang = make_org("北京市朝阳区技术合同登记站", OrgType.CONTRACT_REGISTRY, region="110105")
    registrar = make_user("registrar", haidian, Role.REVIEWER)
    other = make_user("registrar_chaoyang", chaoyang, Role.REVIEWER)
    regions = ["110108", "110105"]
    sellers = [
        make_org(f"北京卖方{i}科技有限公司", OrgType.ENTERPRISE, region=regions[i % 2], uscc=uscc(i, regions[i % 2]),
                 affiliation="local" if i % 3 else "central")
        for i in range(6)
    ]
    buyer_org = make_org("北京买方平台公司", OrgType.ENTERPRISE, region="110105", uscc=uscc(99, "110105"))
    serials: dict[str, int] = {}
    for i in range(60):
        year = (2022, 2023, 2023, 2023, 2024)[i % 5]
        registered = datetime.date(year, 1 + i % 12, 1 + i % 27)
        category, subtype = KINDS[i % len(KINDS)]
        country, region, legacy = BUYERS[i % len(BUYERS)]
        seller = sellers[i % len(sellers)]
        point = haidian if seller.region.code == "110108" else chaoyang
        prefix = f"{year}{point.region.code}"
        serials[prefix] = serials.get(prefix, 0) + 1
        turnover = Decimal(100_000 * (i + 1))
        items = Decimal(20_000 * (i % 3))
        contract = TechnologyContract.objects.create(
            seller=seller, registration_point=point, status=ContractStatus.REGISTERED,
            number=f"{prefix}{serials[prefix]:06d}", project_name=f"测试合同{i}",
            signed_on=registered - datetime.timedelta(days=10), valid_from=registered - datetime.timedelta(days=10),
            valid_to=registered + datetime.timedelta(days=365), registered_on=registered, category=category,
            subtype=subtype, seller_name=seller.name, seller_nature=code_item("contract_party_nature", "150"),
            seller_region=seller.region, seller_legacy_region=code_item("legacy_region", "1100"),
            seller_affiliation=seller.affiliation, buyer=buyer_org if i % 6 == 0 else None,
            buyer_name=buyer_org.name if i % 6 == 0 else f"买方{i}有限公司",
            buyer_nature=code_item("contract_party_nature", "170"), buyer_country=code_item("country", country),
            buyer_region=code_item("region", region) if region else None,
            buyer_legacy_region=code_item("legacy_region", legacy),
            tech_field=code_item("contract_tech_field", f"{1 + i % 11:02d}"),
            ip_type=code_item("contract_ip_type", "01"), plan_source=code_item("contract_plan_source", "50"),
            objective=code_item("socio_economic_objective", "10"), industry=code_item("industry", "65"),
            payment_mode=code_item("payment_mode", "2"), turnover=turnover,
            declared_technical_value=turnover - items, approved_technical_value=turnover - items - (i % 4) * 1000,
            expected_investment=Decimal(50_000) if category == "transfer" else None,
            expected_output=Decimal(90_000) if category == "transfer" else None,
            rule_set=rule_set_on(registered), verification_code=f"code{i}",
        )
        if items:
            NonTechnicalItem.objects.create(contract=contract, kind="equipment", description="设备", amount=items)
    for prefix, last in serials.items():
        ContractNumberSequence.objects.create(prefix=prefix, last=last)
    return {"point": haidian, "registrar": registrar, "other_registrar": other}


class ExchangeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        made = make_contracts()
        cls.point, cls.registrar = made["point"], made["registrar"]
        cls.outsider = make_user("outsider")

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="exchange-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def export(self, recipient: str, period: tuple[datetime.date, datetime.date] = YEAR, **kwargs: Any) -> Any:
        return exchange_export(recipient, *period, self.tmp / recipient, **kwargs)


class ExportTests(ExchangeTestCase):
    def test_each_recipient_gets_a_file_a_manifest_and_checksums_that_verify(self) -> None:
        for recipient, spec in RECIPIENTS.items():
            result = self.export(recipient)
            self.assertEqual(exchange_verify(result.directory), [], recipient)
            manifest = json.loads(result.manifest_file.read_text(encoding="utf-8"))
            rows = read_csv(result.data_file)
            self.assertEqual(manifest["recipient"], recipient)
            self.assertEqual(manifest["period"], {"label": "2023", "start": "2023-01-01", "end": "2023-12-31"})
            self.assertEqual(manifest["rows"], len(rows) - 1)
            self.assertEqual([c["key"] for c in manifest["columns"]], [c.key for c in spec.columns])
            self.assertEqual(manifest["files"][0]["sha256"], hashlib.sha256(result.data_file.read_bytes()).hexdigest())
            self.assertEqual(rows[0][0], "合同登记编号 / Registration number")
            sums = result.checksum_file.read_text().splitlines()
            self.assertEqual(sums[1], f"{hashlib.sha256(result.manifest_file.read_bytes()).hexdigest()}  manifest.json")
            self.assertTrue(result.data_file.read_bytes().startswith(b"\xef\xbb\xbf"))  # UTF-8 with BOM

    def test_a_tampered_file_fails_the_verification(self) -> None:
        result = self.export("tax")
        result.data_file.write_bytes(result.data_file.read_bytes() + b"x")
        self.assertEqual(len(exchange_verify(result.directory)), 2)  # against SHA256SUMS and the manifest

    def test_the_same_data_gives_the_same_bytes(self) -> None:
        first = self.export("statistics")
        again = exchange_export("statistics", *YEAR, self.tmp / "again")
        self.assertEqual(first.sha256, again.sha256)
        self.assertGreater(first.rows, 20)

    def test_the_tax_file_lists_the_registered_contracts_with_uscc_and_category_flags(self) -> None:
        rows = read_csv(self.export("tax").data_file)
        header = [h.split(" / ")[1] for h in rows[0]]
        registered = TechnologyContract.objects.filter(
            status=ContractStatus.REGISTERED, registered_on__range=YEAR
        )
        self.assertEqual(len(rows) - 1, registered.count())
        by_number = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
        contract = registered.select_related("seller").first()
        assert contract is not None
        row = by_number[contract.number]
        self.assertEqual(row["Seller USCC"], contract.seller.uscc)
        self.assertEqual(row["Contract turnover (yuan)"], f"{contract.turnover:.2f}")
        flags = {(r["Contract category"], r["VAT exemption by category"]) for r in by_number.values()}
        self.assertIn(("service", "R"), flags)
        self.assertIn(("development", "Y"), flags)
        order = [(r[1], r[0]) for r in rows[1:]]
        self.assertEqual(order, sorted(order))  # by registration date, then number

    def test_commerce_gets_only_buyers_abroad_or_in_hong_kong_macao_taiwan(self) -> None:
        rows = read_csv(self.export("commerce").data_file)
        self.assertGreater(len(rows), 1)
        countries = {r[9] for r in rows[1:]}
        self.assertNotIn("142", countries)
        self.assertNotIn("", countries)
        areas = {r[11] for r in rows[1:]}
        self.assertTrue(areas <= {"港澳台", "国外"})

    def test_gb18030_is_an_option_per_recipient(self) -> None:
        with override_settings(EXCHANGE_ENCODINGS={"tax": "gb18030"}):
            result = self.export("tax")
        self.assertEqual(result.encoding, "gb18030")
        self.assertIn("合同登记编号", result.data_file.read_bytes().decode("gb18030"))
        self.assertEqual(json.loads(result.manifest_file.read_text(encoding="utf-8"))["encoding"], "GB18030")

    def test_the_command_exports_a_month_for_every_recipient(self) -> None:
        month = TechnologyContract.objects.filter(status=ContractStatus.REGISTERED).latest("registered_on")
        assert month.registered_on is not None
        label = f"{month.registered_on:%Y-%m}"
        out = StringIO()
        call_command("contracts_exchange", "export", "--all-recipients", "--month", label, "--directory",
                     str(self.tmp), stdout=out)
        for recipient in RECIPIENTS:
            folder = self.tmp / recipient
            self.assertEqual(exchange_verify(folder), [])
            self.assertTrue((folder / f"{recipient}_{label}.csv").exists())
        self.assertIn("statistics", out.getvalue())
        self.assertEqual(month_bounds("2026-02"), (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)))


class ImportTests(ExchangeTestCase):
    def empty_the_database(self) -> None:
        """Leave the registration points, the people and the buyers; remove the contracts and their sellers."""
        buyers = set(TechnologyContract.objects.exclude(buyer=None).values_list("buyer_id", flat=True))
        sellers = set(TechnologyContract.objects.values_list("seller_id", flat=True)) - buyers
        TechnologyContract.objects.all().delete()
        ContractNumberSequence.objects.all().delete()
        # Without the cascade collector: it would also look for rows of models that other test modules declare
        # without a table (core's workflow tests); the sellers have nothing else pointing at them.
        Organisation.objects.filter(pk__in=sellers)._raw_delete(using="default")

    def test_an_export_imports_back_into_an_empty_database_unchanged(self) -> None:
        original = self.export("statistics")
        self.empty_the_database()
        months: list[Any] = []
        contracts_changed.connect(lambda sender, **kw: months.extend(kw["months"]), dispatch_uid="t", weak=False)
        try:
            with self.captureOnCommitCallbacks(execute=True):
                batch = contract_import(by=self.registrar, point=self.point, file=original.data_file)
        finally:
            contracts_changed.disconnect(dispatch_uid="t")
        self.assertEqual((batch.created_count, batch.error_count), (original.rows, 0), batch.errors)
        again = exchange_export("statistics", *YEAR, self.tmp / "again")
        self.assertEqual(again.sha256, original.sha256)  # every statistical field, byte for byte
        self.assertEqual(TechnologyContract.objects.exclude(external_ref__isnull=False).count(), 0)
        created = Organisation.objects.filter(is_verified=False)
        self.assertTrue(created.exists())  # sellers not on the platform were created, unverified
        self.assertEqual(min(months).year, 2023)
        # Later registrations continue after the imported numbers.
        contract = TechnologyContract.objects.filter(registration_point=self.point).latest("number")
        with transaction.atomic():
            number = contract_number_next(contract=contract, on=contract.registered_on)
        self.assertEqual(int(number), int(contract.number) + 1)

    def test_importing_the_same_file_again_creates_nothing(self) -> None:
        original = self.export("statistics")
        before = TechnologyContract.objects.count()
        batch = contract_import(by=self.registrar, point=self.point, file=original.data_file)
        self.assertEqual((batch.created_count, batch.unchanged_count), (0, original.rows))
        self.assertEqual(TechnologyContract.objects.count(), before)

    def bad_file(self) -> bytes:
        header = [c.header() for c in STATISTICS_COLUMNS]
        good = {
            "number": "2023130100000001", "project_name": "石家庄智能制造产线技术开发", "signed_on": "2023-03-01",
            "valid_from": "2023-03-01", "valid_to": "2024-03-01", "registered_on": "2023-03-20",
            "category": "development", "subtype": "commissioned", "seller_name": "河北测试智能科技有限公司",
            "seller_nature": "150", "seller_region": "130100", "buyer_name": "北京测试制造有限公司",
            "buyer_nature": "150", "buyer_country": "142", "buyer_region": "110108", "tech_field": "03",
            "turnover": "1000000.00", "non_technical": "200000.00",
        }
        bad = [
            {"number": "EXT-2"},  # good, with a number that is not 16 digits
            {"number": "EXT-3", "tech_field": "99"},  # unknown code
            {"number": "EXT-4", "signed_on": "2023-02-30"},  # bad date
            {"number": "EXT-5", "turnover": "-5"},  # negative amount
            {"number": "EXT-6", "signed_on": "2020-06-01", "valid_from": "2020-06-01", "category": "licence",
             "subtype": "patent_ordinary"},  # licence before 2021-01-01
            {"number": "EXT-7", "non_technical": "2000000"},  # non-technical above the turnover
            {"number": "EXT-8", "approved_technical_value": "5000000"},  # approved above the turnover
            {"number": "EXT-9", "category": "development", "subtype": "patent"},  # sub-type of another category
        ]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in [{}, *bad]:
            values = {**good, **row}
            writer.writerow([values.get(c.key, "") for c in STATISTICS_COLUMNS])
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    def test_every_bad_row_is_reported_by_row_column_and_reason_and_the_good_ones_are_saved(self) -> None:
        batch = table_import(ContractFormat(by=self.registrar, scope=self.point), file=self.bad_file(),
                             file_name="bad.csv", mode=ImportMode.GOOD_ROWS)
        self.assertEqual((batch.created_count, batch.error_count), (2, 7), batch.errors)
        errors = {(e["row"], e["field"].split(" / ")[0]): e["message"] for e in batch.errors}
        self.assertIn("code table", errors[(4, "技术领域")])
        self.assertIn("not a date", errors[(5, "合同签订日期")])
        self.assertIn("negative", errors[(6, "合同成交额(元)")])
        self.assertIn("not a contract category for contracts signed on 2020-06-01", errors[(7, "合同类别")])
        self.assertIn("exceed the contract turnover", errors[(8, "非技术性费用(元)")])
        self.assertIn("exceeds the contract turnover", errors[(9, "核定技术交易额(元)")])
        self.assertIn("does not belong", errors[(10, "合同子类")])
        saved = TechnologyContract.objects.get(external_ref="2023130100000001")
        self.assertEqual(saved.number, "2023130100000001")
        self.assertEqual((saved.status, saved.declared_technical_value), (ContractStatus.REGISTERED, 800000))
        self.assertEqual(saved.registration_point, self.point)  # no point named: the importer's
        self.assertFalse(saved.seller.is_verified)
        self.assertEqual(saved.seller.org_type, OrgType.ENTERPRISE)
        self.assertTrue(saved.verification_code)
        other = TechnologyContract.objects.get(external_ref="EXT-2")
        self.assertIsNone(other.number)
        self.assertEqual(other.seller, saved.seller)  # matched by name

    def test_all_or_nothing_saves_nothing_when_a_row_is_bad(self) -> None:
        before = TechnologyContract.objects.count()
        batch = contract_import(by=self.registrar, point=self.point, file=self.bad_file(), file_name="bad.csv",
                                mode=ImportMode.ALL_OR_NOTHING)
        self.assertTrue(batch.nothing_saved)
        self.assertEqual(TechnologyContract.objects.count(), before)

    def test_a_queued_import_runs_as_a_job_and_reports_on_its_batch(self) -> None:
        batch = contract_import_queue(by=self.registrar, point=self.point, file=self.bad_file(), file_name="bad.csv",
                                      mode=ImportMode.GOOD_ROWS)
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.created_count, batch.error_count), ("done", 2, 7))
        self.assertEqual(batch.scope_id, str(self.point.pk))

    def test_only_the_points_registrars_and_the_commission_import(self) -> None:
        other_registrar = User.objects.get(username="registrar_chaoyang")
        for user in (self.outsider, other_registrar):
            with self.assertRaises(PermissionDenied):
                contract_import(by=user, point=self.point, file=self.bad_file(), file_name="bad.csv")
        self.assertEqual(import_format("contracts_registered"), ContractFormat)
        self.assertEqual(other_registrar.memberships.get().role, Role.REVIEWER)
