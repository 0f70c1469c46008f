"""The tax side of technology contracts: the dated rules, the treatments a contract may qualify for, and the
Art. 90 income-tax calculation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from techtransfer.contracts import tax
from techtransfer.contracts.choices import Category, SubType
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import CodeItem

D = Decimal


def contract(category: str, subtype: str, *, ip: str | None = "02", ip_label: str | None = None,
             day: datetime.date = datetime.date(2024, 3, 20), years: int = 5, region: str = "110108") -> Any:
    """An unsaved contract (the treatments read only its fields)."""
    ip_item = None
    if ip is not None:
        labels = {"00": "未涉及知识产权", "01": "技术秘密", "02": "专利", "03": "计算机软件著作权"}
        ip_item = CodeItem(code=ip, label_zh=ip_label or labels.get(ip, ""))
    return TechnologyContract(
        category=category, subtype=subtype, ip_type=ip_item, signed_on=day, registered_on=day, valid_from=day,
        valid_to=day.replace(year=day.year + years) - datetime.timedelta(days=1),
        seller_region=CodeItem(code=region, label_zh="海淀区"),
    )


def by_code(treatments: list[tax.TaxTreatment]) -> dict[str, tax.TaxTreatment]:
    return {t.code: t for t in treatments}


def english(text: Any) -> str:
    with translation.override("en"):
        return str(text)


def chinese(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


# --- Art. 90 --------------------------------------------------------------------------------------------------


def test_art90_above_the_threshold():
    result = tax.eit_article_90(D("8000000"), D("1000000"), D("100000"), year=2024)
    assert result.gain == D("6900000.00")
    assert result.exempt == D("5000000.00")
    assert result.taxable_excess == D("1900000.00")
    assert result.tax_due == D("237500.00")
    assert result.full_rate_tax == D("1725000.00")
    assert result.saved == D("1487500.00")
    assert result.threshold == D("5000000.00")
    assert "第九十条" in result.basis


def test_art90_below_the_threshold_is_free():
    result = tax.eit_article_90(D("3000000"), D("500000"), D("20000.55"), year=2020)
    assert result.gain == D("2479999.45")
    assert result.exempt == result.gain
    assert result.taxable_excess == D("0.00")
    assert result.tax_due == D("0.00")
    assert result.saved == D("619999.86")  # 2,479,999.45 × 25% = 619,999.8625


def test_art90_negative_gain_pays_nothing():
    result = tax.eit_article_90(D("100000"), D("250000"), D("1000"), year=2024)
    assert result.gain == D("-151000.00")
    assert (result.exempt, result.taxable_excess, result.tax_due, result.saved) == (D("0"),) * 4
    assert result.effective_rate == D("0")


def test_art90_rounds_half_up_to_the_fen():
    assert tax.eit_article_90(D("5000000.04"), D("0"), D("0"), year=2024).tax_due == D("0.01")  # 0.005
    assert tax.eit_article_90(D("5000000.03"), D("0"), D("0"), year=2024).tax_due == D("0.00")  # 0.00375
    assert tax.eit_article_90(D("5000000.12"), D("0"), D("0"), year=2024).tax_due == D("0.02")  # 0.015


def test_art90_threshold_is_data_per_year():
    with pytest.raises(ApplicationError):
        tax.eit_article_90(D("1"), D("0"), D("0"), year=2007)  # before the 2008 EIT law
    with pytest.raises(ApplicationError):
        tax.eit_article_90(D("-1"), D("0"), D("0"), year=2024)
    assert tax.art90_rule_for_year(2008)["exempt_up_to"] == "5000000"


def test_art90_zhongguancun_pilot():
    result = tax.eit_article_90(D("30000000"), D("0"), D("0"), year=2021, pilot=True)
    assert (result.exempt, result.tax_due) == (D("20000000.00"), D("1250000.00"))
    with pytest.raises(ApplicationError):
        tax.eit_article_90(D("1"), D("0"), D("0"), year=2019, pilot=True)


def test_rules_file_entries_are_dated_and_sourced():
    for group, entries in tax.tax_rules().items():
        if group.startswith("_"):
            continue
        for entry in entries:
            assert datetime.date.fromisoformat(entry["valid_from"])
            assert entry["source"] and entry["basis"] and entry["code"]
    assert tax.rule_on("eit_scope", "eit_non_exclusive_licence", datetime.date(2015, 9, 30)) is None
    assert tax.rule_on("eit_scope", "eit_non_exclusive_licence", datetime.date(2015, 10, 1)) is not None


# --- Treatments -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ip_type_codes_in_the_rules_match_the_code_table():
    items = {item.code: item.label_zh for item in CodeItem.objects.current("contract_ip_type")}
    assert items, "the contract_ip_type code table loads on migrate"
    assert items.get("00", "").startswith("未涉及")
    scope = tax.rule_on("eit_scope", "eit_scope", datetime.date(2024, 1, 1))
    assert scope is not None
    for code in scope["qualifying_ip_types"]:
        assert any(name in items[code] for name in scope["qualifying_ip_labels"]), code


def test_patent_transfer_qualifies_for_vat_and_eit():
    treatments = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.PATENT)))
    assert treatments["vat_technology"].applies == "yes"
    assert treatments["eit_article_90"].applies == "yes"
    assert "36号" in chinese(treatments["vat_technology"].basis)
    assert "第九十条" in chinese(treatments["eit_article_90"].basis)
    # A Beijing seller may be in a Zhongguancun pilot area: "maybe", never "yes".
    assert treatments["eit_zhongguancun_pilot"].applies == "maybe"


def test_technical_service_vat_maybe_and_no_eit():
    treatments = by_code(tax.tax_treatments(contract(Category.SERVICE, SubType.SERVICE, ip="00")))
    assert set(treatments) == {"vat_technology"}
    assert treatments["vat_technology"].applies == "maybe"
    assert "same contract" in english(treatments["vat_technology"].conditions)


def test_consulting_vat_maybe_and_development_vat_yes_without_eit():
    consulting = by_code(tax.tax_treatments(contract(Category.CONSULTING, SubType.CONSULTING, ip=None)))
    assert consulting["vat_technology"].applies == "maybe" and "eit_article_90" not in consulting
    development = by_code(tax.tax_treatments(contract(Category.DEVELOPMENT, SubType.COMMISSIONED)))
    assert development["vat_technology"].applies == "yes" and "eit_article_90" not in development


def test_exclusive_patent_licence_needs_five_years():
    treatments = by_code(tax.tax_treatments(contract(Category.LICENCE, SubType.PATENT_EXCLUSIVE)))
    assert treatments["vat_technology"].applies == "yes"
    eit = treatments["eit_article_90"]
    assert eit.applies == "maybe"
    conditions = english(eit.conditions)
    assert "5 years or more" in conditions and "worldwide exclusive" in conditions
    assert "shorter" not in conditions


def test_short_licence_is_flagged():
    eit = by_code(tax.tax_treatments(contract(Category.LICENCE, SubType.PATENT_EXCLUSIVE, years=3)))["eit_article_90"]
    assert "shorter than 5 years" in english(eit.conditions)


def test_non_exclusive_licence_only_since_october_2015():
    before = contract(Category.TRANSFER, SubType.PATENT_ORDINARY, day=datetime.date(2015, 9, 1), region="310101")
    assert tax.tax_treatments(before) == []  # no VAT rule yet (business tax), no non-exclusive EIT relief
    after = by_code(tax.tax_treatments(contract(Category.LICENCE, SubType.PATENT_ORDINARY, region="310101")))
    assert after["eit_article_90"].applies == "maybe"
    assert "since 2015-10-01" in english(after["eit_article_90"].conditions)
    assert "116号" in chinese(after["eit_article_90"].basis)
    assert "No. 116" in english(after["eit_article_90"].basis)
    assert "eit_zhongguancun_pilot" not in after  # a Shanghai seller


def test_ip_type_decides_other_transfers():
    software = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.OTHER, ip="03")))
    assert software["eit_article_90"].applies == "yes"
    secret = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.TECHNICAL_SECRET, ip="01")))
    assert "eit_article_90" not in secret and secret["vat_technology"].applies == "yes"
    none = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.OTHER, ip="00")))
    assert "eit_article_90" not in none
    unknown = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.OTHER, ip=None)))
    assert unknown["eit_article_90"].applies == "maybe"
    assert "check that the technology" in english(unknown["eit_article_90"].conditions)
    # A code whose label disagrees with the rules (the table was recoded): unknown, so "maybe".
    recoded = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.OTHER, ip="02", ip_label="技术秘密")))
    assert recoded["eit_article_90"].applies == "maybe"


def test_patent_application_transfer_is_maybe():
    eit = by_code(tax.tax_treatments(contract(Category.TRANSFER, SubType.PATENT_APPLICATION, ip=None)))
    assert eit["eit_article_90"].applies == "maybe"


def test_labels_follow_the_language():
    treatment = tax.tax_treatments(contract(Category.TRANSFER, SubType.PATENT))[0]
    assert english(treatment.label).startswith("VAT exemption")
    assert english(treatment.basis).startswith("Caishui [2016] No. 36")
    assert chinese(treatment.basis).startswith("财税〔2016〕36号")
