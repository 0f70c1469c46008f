"""Data exchange (数据交换): the files the registration points hand to the tax office (税务), the commerce
department (商务) and the statistics office (统计) each period, with a manifest and checksums.

For each recipient `exchange_export` writes into one folder (by default BASE_DIR/var/exchange/<recipient>/<period>/):

- `<recipient>_<period>.csv`: the fixed column list of the recipient (`RECIPIENTS[...].columns`), headed
  "中文 / English", one row per registered contract whose registration date falls in the period, sorted by
  registration date, number and external reference (so that the same data gives the same bytes, and the same
  SHA-256, on every run); UTF-8 with BOM by default, GB18030 for a recipient that asks for it
  (settings.EXCHANGE_ENCODINGS, e.g. {"tax": "gb18030"}, or the `encoding` argument);
- `manifest.json`: recipient, period, generated_at, rows, the column list, the encoding and the SHA-256 of
  each data file;
- `SHA256SUMS`: the checksums of the data file and of the manifest, in the format `sha256sum -c` reads.

Codes are the code-table codes (text, leading zeros kept); dates are ISO (YYYY-MM-DD); amounts are 元 with
two decimals and a full stop. docs/data-exchange.md documents every column. The statistics file is also the
import format of registrations made elsewhere (contracts.importing): an export imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from techtransfer.contracts.choices import Category, ContractStatus, SubType
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.tax import tax_treatments
from techtransfer.lib.tables import csv_text

CHINA = "142"  # customs country code of China
# GB/T 2260 provincial codes of Hong Kong, Macao and Taiwan (buyers there count as 港澳台 for commerce).
HMT_REGIONS = ("81", "82", "71")
HMT_COUNTRIES = {"110", "121", "143"}  # customs codes of Hong Kong, Macao and Taiwan
DEFAULT_ENCODING = "utf-8-sig"
ENCODINGS = {"utf-8-sig": "UTF-8 with BOM", "gb18030": "GB18030"}
FORMAT_VERSION = "1"
HEADER_SEPARATOR = " / "

UNKNOWN_RECIPIENT = _("Unknown recipient %(name)s; choose one of %(names)s.")
UNKNOWN_ENCODING = _("Unknown encoding %(name)s; choose utf-8-sig or gb18030.")
PERIOD_ORDER = _("The period ends before it starts.")
FILE_MISSING = _("%(name)s is missing.")
CHECKSUM_DIFFERS = _("%(name)s: the checksum differs from SHA256SUMS.")
MANIFEST_DIFFERS = _("%(name)s: the checksum differs from the manifest.")

# Category names as the recipients read them (Chinese, fixed: the files do not follow the user's language).
CATEGORY_ZH = {
    Category.DEVELOPMENT: "技术开发",
    Category.TRANSFER: "技术转让",
    Category.LICENCE: "技术许可",
    Category.CONSULTING: "技术咨询",
    Category.SERVICE: "技术服务",
}
SUBTYPE_ZH = {
    SubType.COMMISSIONED: "委托开发",
    SubType.COOPERATIVE: "合作开发",
    SubType.PATENT: "专利权转让",
    SubType.PATENT_APPLICATION: "专利申请权转让",
    SubType.TECHNICAL_SECRET: "技术秘密转让",
    SubType.OTHER: "其他技术转让",
    SubType.PATENT_LICENCE: "专利实施许可",
    SubType.PATENT_EXCLUSIVE: "专利实施许可(独占)",
    SubType.PATENT_SOLE: "专利实施许可(排他)",
    SubType.PATENT_ORDINARY: "专利实施许可(普通)",
    SubType.SECRET_LICENCE: "技术秘密使用许可",
    SubType.CONSULTING: "技术咨询",
    SubType.SERVICE: "技术服务",
    SubType.TRAINING: "技术培训",
    SubType.INTERMEDIARY: "技术中介",
}

# Tax flags by category (domain-spec §2.6). VAT (财税〔2016〕36号 附件3 第一条第(二十六)项): technology transfer
# (licences included) and development are exempt; consulting and service only when they belong to such a
# transfer or development in the same contract, which the category alone cannot tell ("R": check the contract).
# EIT (企业所得税法实施条例 Art. 90): technology-transfer income; transfers and licences qualify by category, the
# other conditions (≥5-year licence, the kind of right, related parties) are the tax office's to check.
VAT_FLAG = {
    Category.DEVELOPMENT: "Y", Category.TRANSFER: "Y", Category.LICENCE: "Y",
    Category.CONSULTING: "R", Category.SERVICE: "R",
}
EIT_FLAG = {Category.TRANSFER: "Y", Category.LICENCE: "Y"}
# Pre-2021 licences were a sub-type of transfer; they count as licences for the EIT flag as well.


def tax_treatment(contract: TechnologyContract) -> str:
    """The tax treatments the contract may qualify for (contracts.tax, the rules in force on its registration
    date), as "code=yes|maybe" pairs joined by ";" in the order the rules give them; empty when none."""
    return ";".join(f"{t.code}={t.applies}" for t in tax_treatments(contract))


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _date(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def _code(item: Any) -> str:
    return item.code if item is not None else ""


@dataclass(frozen=True)
class ExchangeColumn:
    """One column of an exchange file: its key, Chinese and English names, and how a contract gives its cell."""

    key: str
    zh: str
    en: str | Promise
    value: Callable[[TechnologyContract], Any]
    # For the import (contracts.importing): how the cell is read ("text", "date", "money", "code" + table...).
    kind: str = "text"
    table: str = ""
    required: bool = False

    @property
    def english(self) -> str:
        with translation.override("en"):
            return str(self.en)

    def header(self) -> str:
        return f"{self.zh}{HEADER_SEPARATOR}{self.english}"

    def describe(self) -> dict[str, str]:
        return {"key": self.key, "zh": self.zh, "en": self.english}


def _point(contract: TechnologyContract) -> str:
    return contract.registration_point.name


def _seller_uscc(contract: TechnologyContract) -> str:
    return contract.seller.uscc or ""


def _buyer_uscc(contract: TechnologyContract) -> str:
    return (contract.buyer.uscc or "") if contract.buyer_id else ""


def _non_technical(contract: TechnologyContract) -> str:
    return _money(getattr(contract, "non_technical_total", Decimal("0")))


C = ExchangeColumn
NUMBER = C("number", "合同登记编号", _("Registration number"), lambda c: c.number or c.external_ref or "",
           required=True)
PROJECT = C("project_name", "项目名称", _("Project name"), lambda c: c.project_name, required=True)
SIGNED = C("signed_on", "合同签订日期", _("Signing date"), lambda c: _date(c.signed_on), "date", required=True)
REGISTERED = C("registered_on", "登记日期", _("Registration date"), lambda c: _date(c.registered_on), "date",
               required=True)
CATEGORY = C("category", "合同类别", _("Contract category"), lambda c: c.category, "category", required=True)
CATEGORY_NAME = C("category_name", "合同类别名称", _("Contract category name"),
                  lambda c: CATEGORY_ZH.get(c.category, ""))
SUBTYPE = C("subtype", "合同子类", _("Contract sub-type"), lambda c: c.subtype, "subtype")
SUBTYPE_NAME = C("subtype_name", "合同子类名称", _("Contract sub-type name"), lambda c: SUBTYPE_ZH.get(c.subtype, ""))
SELLER = C("seller_name", "卖方名称", _("Seller name"), lambda c: c.seller_name, required=True)
SELLER_USCC = C("seller_uscc", "卖方统一社会信用代码", _("Seller USCC"), _seller_uscc, "uscc")
BUYER = C("buyer_name", "买方名称", _("Buyer name"), lambda c: c.buyer_name, required=True)
BUYER_USCC = C("buyer_uscc", "买方统一社会信用代码", _("Buyer USCC"), _buyer_uscc, "uscc")
BUYER_COUNTRY = C("buyer_country", "买方国别(地区)代码", _("Buyer country code"), lambda c: _code(c.buyer_country),
                  "code", "country")
TURNOVER = C("turnover", "合同成交额(元)", _("Contract turnover (yuan)"), lambda c: _money(c.turnover), "money",
             required=True)
APPROVED = C("approved_technical_value", "核定技术交易额(元)", _("Approved technical transaction value (yuan)"),
             lambda c: _money(c.approved_technical_value), "money")
TECH_FIELD = C("tech_field", "技术领域", _("Technology field"), lambda c: _code(c.tech_field), "code",
               "contract_tech_field")
IP_TYPE = C("ip_type", "知识产权类型", _("Intellectual property type"), lambda c: _code(c.ip_type), "code",
            "contract_ip_type")
PAYMENT = C("payment_mode", "支付方式", _("Payment mode"), lambda c: _code(c.payment_mode), "code", "payment_mode")
BUYER_LEGACY = C("buyer_legacy_region", "买方地区代码", _("Buyer region (legacy code)"),
                 lambda c: _code(c.buyer_legacy_region), "code", "legacy_region")

# Form JJ-001's statistical fields with their codes (domain-spec §2.3), plus what an import needs to file the
# row again (the seller's USCC, the registration point, the non-technical costs).
STATISTICS_COLUMNS: list[ExchangeColumn] = [
    NUMBER,
    PROJECT,
    SIGNED,
    C("valid_from", "有效期起", _("Validity from"), lambda c: _date(c.valid_from), "date", required=True),
    C("valid_to", "有效期止", _("Validity to"), lambda c: _date(c.valid_to), "date", required=True),
    REGISTERED,
    C("registration_point", "登记机构", _("Registration point"), _point, "point"),
    C("registration_point_region", "登记机构行政区划代码", _("Registration point region code"),
      lambda c: c.registration_point.region.code, "ignored"),
    CATEGORY,
    SUBTYPE,
    SELLER,
    SELLER_USCC,
    C("seller_nature", "卖方性质", _("Seller nature"), lambda c: _code(c.seller_nature), "code",
      "contract_party_nature"),
    C("seller_region", "卖方行政区划代码", _("Seller region code"), lambda c: _code(c.seller_region), "code", "region"),
    C("seller_legacy_region", "卖方地区代码", _("Seller region (legacy code)"), lambda c: _code(c.seller_legacy_region),
      "code", "legacy_region"),
    C("seller_affiliation", "卖方隶属", _("Seller central or local"), lambda c: c.seller_affiliation, "affiliation"),
    BUYER,
    BUYER_USCC,
    C("buyer_nature", "买方性质", _("Buyer nature"), lambda c: _code(c.buyer_nature), "code", "contract_party_nature"),
    BUYER_COUNTRY,
    C("buyer_region", "买方行政区划代码", _("Buyer region code"), lambda c: _code(c.buyer_region), "code", "region"),
    BUYER_LEGACY,
    TECH_FIELD,
    IP_TYPE,
    C("plan_source", "计划来源", _("Plan source"), lambda c: _code(c.plan_source), "code", "contract_plan_source"),
    C("objective", "社会经济目标", _("Socio-economic objective"), lambda c: _code(c.objective), "code",
      "socio_economic_objective"),
    C("industry", "国民经济行业", _("Industry"), lambda c: _code(c.industry), "code", "industry"),
    PAYMENT,
    TURNOVER,
    C("non_technical", "非技术性费用(元)", _("Non-technical costs (yuan)"), _non_technical, "money"),
    C("declared_technical_value", "申报技术交易额(元)", _("Declared technical transaction value (yuan)"),
      lambda c: _money(c.declared_technical_value), "money"),
    APPROVED,
    C("expected_investment", "预计新增投入(元)", _("Expected new investment (yuan)"),
      lambda c: _money(c.expected_investment), "money"),
    C("expected_output", "预计新增产值(元)", _("Expected new output (yuan)"), lambda c: _money(c.expected_output),
      "money"),
]

TAX_COLUMNS: list[ExchangeColumn] = [
    NUMBER,
    REGISTERED,
    SIGNED,
    PROJECT,
    CATEGORY,
    CATEGORY_NAME,
    SUBTYPE,
    SUBTYPE_NAME,
    SELLER,
    SELLER_USCC,
    BUYER,
    BUYER_USCC,
    BUYER_COUNTRY,
    TURNOVER,
    APPROVED,
    C("vat_category", "增值税免税类别", _("VAT exemption by category"), lambda c: VAT_FLAG.get(c.category, "N")),
    C("eit_category", "所得税技术转让类别", _("Income tax technology transfer by category"),
      lambda c: "Y" if EIT_FLAG.get(c.category) or c.subtype in {SubType.PATENT_LICENCE, SubType.SECRET_LICENCE}
      else "N"),
    C("tax_treatment", "税收处理", _("Tax treatment"), tax_treatment),
]


def _buyer_area(contract: TechnologyContract) -> str:
    country = _code(contract.buyer_country)
    region = _code(contract.buyer_region)
    return "港澳台" if country in HMT_COUNTRIES or region.startswith(HMT_REGIONS) else "国外"


COMMERCE_COLUMNS: list[ExchangeColumn] = [
    NUMBER,
    REGISTERED,
    SIGNED,
    PROJECT,
    CATEGORY,
    SUBTYPE,
    SELLER,
    SELLER_USCC,
    BUYER,
    BUYER_COUNTRY,
    C("buyer_country_name", "买方国别(地区)名称", _("Buyer country name"),
      lambda c: c.buyer_country.label_zh if c.buyer_country_id else ""),
    C("buyer_area", "港澳台或国外", _("Hong Kong, Macao, Taiwan or abroad"), _buyer_area),
    BUYER_LEGACY,
    TECH_FIELD,
    IP_TYPE,
    PAYMENT,
    TURNOVER,
    APPROVED,
]


def _registered(start: datetime.date, end: datetime.date) -> QuerySet[TechnologyContract]:
    return TechnologyContract.objects.with_codes().filter(
        status=ContractStatus.REGISTERED, registered_on__gte=start, registered_on__lte=end
    ).select_related("buyer")


def _foreign(qs: QuerySet[TechnologyContract]) -> QuerySet[TechnologyContract]:
    """Buyers outside the mainland: a country code other than China's, or a region of Hong Kong, Macao, Taiwan."""
    hmt = Q()
    for prefix in HMT_REGIONS:
        hmt |= Q(buyer_region__code__startswith=prefix)
    return qs.filter((Q(buyer_country__isnull=False) & ~Q(buyer_country__code=CHINA)) | hmt)


def _with_non_technical(qs: QuerySet[TechnologyContract]) -> QuerySet[TechnologyContract]:
    return qs.annotate(
        non_technical_total=Coalesce(
            Sum("non_technical_items__amount", filter=Q(non_technical_items__carrier="")),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )
    )


@dataclass(frozen=True)
class Recipient:
    """Who receives a file, which contracts it holds and in which columns."""

    key: str
    zh: str
    label: str | Promise
    columns: Sequence[ExchangeColumn]
    select: Callable[[datetime.date, datetime.date], QuerySet[TechnologyContract]]


RECIPIENTS: dict[str, Recipient] = {
    "tax": Recipient("tax", "税务", _("Tax office"), TAX_COLUMNS, _registered),
    "commerce": Recipient(
        "commerce", "商务", _("Commerce department (contracts with buyers abroad or in Hong Kong, Macao, Taiwan)"),
        COMMERCE_COLUMNS, lambda start, end: _foreign(_registered(start, end)),
    ),
    "statistics": Recipient(
        "statistics", "统计", _("Statistics (form JJ-001)"), STATISTICS_COLUMNS,
        lambda start, end: _with_non_technical(_registered(start, end)),
    ),
}


@dataclass
class ExportResult:
    """What one export wrote: the folder, the files, the row count and the data file's SHA-256."""

    recipient: str
    period_start: datetime.date
    period_end: datetime.date
    period: str
    directory: Path
    data_file: Path
    manifest_file: Path
    checksum_file: Path
    rows: int
    sha256: str
    encoding: str


def period_label(start: datetime.date, end: datetime.date) -> str:
    """"2026-11" for a whole calendar month, "2026" for a whole year, else "2026-11-01_2026-11-15"."""
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1 and (start.year, start.month) == (
        end.year, end.month
    ):
        return f"{start:%Y-%m}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start:%Y}"
    return f"{start.isoformat()}_{end.isoformat()}"


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """"2026-11" → (2026-11-01, 2026-11-30); ValueError for anything else."""
    year, _sep, number = month.partition("-")
    start = datetime.date(int(year), int(number), 1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def previous_month(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def default_directory(recipient: str, period: str) -> Path:
    root = Path(getattr(settings, "EXCHANGE_DIR", "") or Path(settings.BASE_DIR) / "var" / "exchange")
    return root / recipient / period


def recipient_encoding(recipient: str) -> str:
    """The recipient's encoding: settings.EXCHANGE_ENCODINGS[recipient], else UTF-8 with BOM."""
    return dict(getattr(settings, "EXCHANGE_ENCODINGS", {}) or {}).get(recipient, DEFAULT_ENCODING)


def _sort_key(contract: TechnologyContract) -> tuple[Any, ...]:
    return (contract.registered_on, contract.number or "", contract.external_ref or "", contract.pk)


def exchange_rows(recipient: str, start: datetime.date, end: datetime.date) -> list[list[str]]:
    """The recipient's rows for the period as text cells, in file order (without the header)."""
    spec = RECIPIENTS[recipient]
    contracts = sorted(spec.select(start, end).order_by(), key=_sort_key)
    return [[csv_text(column.value(contract)) for column in spec.columns] for contract in contracts]


def _csv_bytes(columns: Sequence[ExchangeColumn], rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header() for column in columns])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _write(path: Path, content: bytes) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exchange_export(
    recipient: str,
    period_start: datetime.date,
    period_end: datetime.date,
    directory: Path | str | None = None,
    *,
    encoding: str | None = None,
) -> ExportResult:
    """Write the recipient's file for the registrations of [period_start, period_end] (both included), its
    manifest and the checksum file into `directory` (default: var/exchange/<recipient>/<period>/), replacing
    an earlier export of the same folder. The data file is the same, byte for byte, for the same data."""
    if recipient not in RECIPIENTS:
        raise ValueError(str(UNKNOWN_RECIPIENT) % {"name": recipient, "names": ", ".join(RECIPIENTS)})
    if period_end < period_start:
        raise ValueError(str(PERIOD_ORDER))
    encoding = (encoding or recipient_encoding(recipient)).lower()
    if encoding not in ENCODINGS:
        raise ValueError(str(UNKNOWN_ENCODING) % {"name": encoding})
    spec = RECIPIENTS[recipient]
    period = period_label(period_start, period_end)
    folder = Path(directory) if directory else default_directory(recipient, period)
    folder.mkdir(parents=True, exist_ok=True)
    rows = exchange_rows(recipient, period_start, period_end)
    data_file = folder / f"{recipient}_{period}.csv"
    _write(data_file, _csv_bytes(spec.columns, rows, encoding))
    data_sha = sha256_of(data_file)
    manifest = {
        "format_version": FORMAT_VERSION,
        "recipient": recipient,
        "recipient_zh": spec.zh,
        "period": {"label": period, "start": period_start.isoformat(), "end": period_end.isoformat()},
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
        "rows": len(rows),
        "encoding": ENCODINGS[encoding],
        "columns": [column.describe() for column in spec.columns],
        "files": [{"name": data_file.name, "rows": len(rows), "bytes": data_file.stat().st_size, "sha256": data_sha}],
    }
    manifest_file = folder / "manifest.json"
    _write(manifest_file, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    checksum_file = folder / "SHA256SUMS"
    _write(
        checksum_file,
        f"{data_sha}  {data_file.name}\n{sha256_of(manifest_file)}  {manifest_file.name}\n".encode("ascii"),
    )
    return ExportResult(
        recipient=recipient, period_start=period_start, period_end=period_end, period=period, directory=folder,
        data_file=data_file, manifest_file=manifest_file, checksum_file=checksum_file, rows=len(rows),
        sha256=data_sha, encoding=encoding,
    )


def exchange_verify(directory: Path | str) -> list[str]:
    """The problems of an export folder (empty: every checksum in SHA256SUMS and in the manifest holds)."""
    folder = Path(directory)
    problems: list[str] = []
    sums = folder / "SHA256SUMS"
    if not sums.exists():
        return [str(FILE_MISSING) % {"name": sums.name}]
    for line in sums.read_text(encoding="ascii").splitlines():
        digest, _sep, name = line.partition("  ")
        path = folder / name
        if not path.exists():
            problems.append(str(FILE_MISSING) % {"name": name})
        elif sha256_of(path) != digest:
            problems.append(str(CHECKSUM_DIFFERS) % {"name": name})
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = folder / entry["name"]
        if not path.exists() or sha256_of(path) != entry["sha256"]:
            problems.append(str(MANIFEST_DIFFERS) % {"name": entry["name"]})
    return problems
