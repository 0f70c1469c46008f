"""Registered technology contracts made fast (bulk_create) with realistic code items, for the statistics tests."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from techtransfer.accounts.choices import Affiliation, OrgType
from techtransfer.accounts.models import Organisation
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.models import CodeItem

# The organisation type of a contract registration point (the contracts app's, falling back to the generic one).
POINT_TYPE = getattr(OrgType, "CONTRACT_REGISTRY", OrgType.REGISTRATION_BODY)

# Category → its sub-types (a realistic pairing).
SUBTYPES = {
    "development": ("commissioned", "cooperative"),
    "transfer": ("patent", "patent_application", "technical_secret", "other"),
    "licence": ("patent_licence", "patent_exclusive", "secret_licence"),
    "consulting": ("consulting",),
    "service": ("service", "training", "intermediary"),
}
CATEGORY_WEIGHTS = {"development": 30, "transfer": 8, "licence": 4, "consulting": 8, "service": 50}
BEIJING_DISTRICTS = ("110101", "110102", "110105", "110106", "110108", "110112", "110114", "110115")
# Buyers: Beijing, Tianjin, Hebei, Shanghai, Anhui, Shenzhen, Guangzhou, Sichuan, Liaoning, Hubei, Hong Kong.
BUYER_REGIONS = ("110108", "110105", "120101", "130102", "310101", "340102", "440305", "440106", "510104",
                 "210102", "420102", "810000")
FOREIGN_COUNTRIES = ("502", "304", "116", "303")  # customs codes: USA, Germany, Japan, UK
NATURES = ("0111", "0221", "0211", "0231", "110", "150", "170", "210", "310", "400", "900", "024", "030")


def _items(key: str) -> dict[str, CodeItem]:
    return {item.code: item for item in CodeItem.objects.current(key)}


@dataclass
class World:
    point: Organisation
    sellers: list[Organisation]
    codes: dict[str, dict[str, CodeItem]]


def make_world(sellers: int = 6) -> World:
    codes = {key: _items(key) for key in (
        "contract_tech_field", "contract_party_nature", "contract_ip_type", "contract_plan_source",
        "socio_economic_objective", "industry", "region", "country")}
    region = codes["region"]
    point = Organisation.objects.create(
        name="北京技术市场管理办公室(测试)", org_type=POINT_TYPE, region=region["110000"],
        registry_code="110", is_verified=True,
    )
    affiliations = (Affiliation.CENTRAL, Affiliation.LOCAL, "")
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"统计测试单位{i}", org_type=(OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.ENTERPRISE)[i % 3],
            region=region[BEIJING_DISTRICTS[i % len(BEIJING_DISTRICTS)]], affiliation=affiliations[i % 3],
            is_verified=True,
        )
        for i in range(sellers)
    )
    return World(point, orgs, codes)


def _pick(rng: random.Random, items: dict[str, CodeItem], codes: Any = None, *, none: float = 0.0) -> Any:
    if rng.random() < none:
        return None
    pool = [items[c] for c in codes if c in items] if codes is not None else list(items.values())
    return rng.choice(pool)


def contract_kwargs(world: World, rng: random.Random, *, registered_on: datetime.date | None = None,
                    status: str = ContractStatus.REGISTERED) -> dict[str, Any]:
    """One contract's fields, with realistic codes and a few gaps (fields not stated)."""
    codes = world.codes
    seller = rng.choice(world.sellers)
    category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    on = registered_on or datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(3 * 365))
    turnover = Decimal(rng.choice((5000, 20000, 150000, 800000, 3000000, 12000000))) + Decimal(rng.randrange(100)) / 100
    declared = (turnover * Decimal(rng.choice(("1", "0.9", "0.6")))).quantize(Decimal("0.01"))
    approved = None if rng.random() < 0.1 else (declared * Decimal(rng.choice(("1", "1", "0.8")))).quantize(
        Decimal("0.01"))
    where = rng.random()
    if where < 0.08:  # abroad
        buyer_country, buyer_region = _pick(rng, codes["country"], FOREIGN_COUNTRIES), None
    elif where < 0.12:  # Hong Kong or Macao by country code
        buyer_country, buyer_region = _pick(rng, codes["country"], ("110", "121")), None
    else:
        buyer_country = _pick(rng, codes["country"], ("142",), none=0.2)
        buyer_region = _pick(rng, codes["region"], BUYER_REGIONS, none=0.03)
    plan = _pick(rng, codes["contract_plan_source"], none=0.1)
    industry = _pick(rng, codes["industry"], none=0.1)
    return {
        "seller": seller,
        "registration_point": world.point,
        "status": status,
        "project_name": f"测试项目{rng.randrange(10**6)}",
        "signed_on": on - datetime.timedelta(days=30),
        "valid_from": on - datetime.timedelta(days=30),
        "valid_to": on + datetime.timedelta(days=365),
        "category": category,
        "subtype": rng.choice(SUBTYPES[category]),
        "seller_name": seller.name,
        "seller_nature": _pick(rng, codes["contract_party_nature"], NATURES, none=0.05),
        "seller_region": seller.region if rng.random() < 0.9 else None,
        "seller_affiliation": seller.affiliation,
        "buyer_name": f"买方{rng.randrange(1000)}",
        "buyer_nature": _pick(rng, codes["contract_party_nature"], NATURES, none=0.05),
        "buyer_country": buyer_country,
        "buyer_region": buyer_region,
        "tech_field": _pick(rng, codes["contract_tech_field"], none=0.05),
        "ip_type": _pick(rng, codes["contract_ip_type"], none=0.05),
        "plan_source": plan,
        "objective": _pick(rng, codes["socio_economic_objective"], none=0.1),
        "industry": industry,
        "turnover": turnover,
        "declared_technical_value": declared,
        "approved_technical_value": approved if status == ContractStatus.REGISTERED else None,
        "registered_on": on if status == ContractStatus.REGISTERED else None,
        "decided_at": datetime.datetime.combine(on, datetime.time(10, rng.randrange(60)), tzinfo=datetime.UTC)
        if status == ContractStatus.REGISTERED else None,
    }


def make_contracts(world: World, n: int, *, seed: int = 1, unregistered: int = 0,
                   **overrides: Any) -> list[TechnologyContract]:
    """`n` registered contracts (and `unregistered` drafts and submissions, which the statistics ignore)."""
    rng = random.Random(seed)
    objs = [TechnologyContract(**{**contract_kwargs(world, rng), **overrides}) for _ in range(n)]
    objs += [
        TechnologyContract(**contract_kwargs(world, rng, status=rng.choice(
            (ContractStatus.DRAFT, ContractStatus.SUBMITTED, ContractStatus.REFUSED))))
        for _ in range(unregistered)
    ]
    return TechnologyContract.objects.bulk_create(objs)
