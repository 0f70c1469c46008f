"""The figures of parts 2–5 of the annual report, as one table: key, part, label, kind (a count, an amount in
元, a number of shares) and whether the platform fills it in. The pages, the API, the exports and the
commission's indicators all read this table."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COUNT = "count"
MONEY = "money"
SHARES = "shares"

# Size bands of the national summary reports (domain-spec §4): contracts of at least 100万 and 1亿 元.
BAND_1M = 1_000_000
BAND_100M = 100_000_000
MODES = ("transfer", "licence", "equity")
SERVICE_CATEGORIES = ("development", "consulting", "service")


@dataclass(frozen=True)
class Figure:
    key: str
    part: int
    label: str | Promise
    kind: str = COUNT
    prefilled: bool = True
    what: str | Promise = ""  # fills %(what)s in the label, in the language of the moment it is read

    @property
    def text(self) -> str:
        return str(self.label) % {"what": self.what} if self.what else str(self.label)


MODE_LABELS = {
    "transfer": _("Transfer (转让)"),
    "licence": _("Licence (许可)"),
    "equity": _("Equity investment (作价投资)"),
}
CATEGORY_LABELS = {
    "development": _("Technology development (技术开发)"),
    "consulting": _("Technical consulting (技术咨询)"),
    "service": _("Technical service (技术服务)"),
}


def _mode_figures() -> list[Figure]:
    rows: list[Figure] = []
    for mode, label in [*MODE_LABELS.items(), ("total", _("All three modes"))]:
        rows += [
            Figure(f"{mode}_count", 3, _("%(what)s: contracts"), what=label),
            Figure(f"{mode}_amount", 3, _("%(what)s: contract amount (元)"), MONEY, what=label),
            Figure(f"{mode}_count_1m", 3, _("%(what)s: contracts of at least 1 million 元 (100万)"), what=label),
            Figure(f"{mode}_count_100m", 3, _("%(what)s: contracts of at least 100 million 元 (1亿)"), what=label),
        ]
    return rows


def _category_figures() -> list[Figure]:
    rows: list[Figure] = []
    for category, label in CATEGORY_LABELS.items():
        rows += [
            Figure(f"{category}_count", 4, _("%(what)s: registered contracts"), what=label),
            Figure(f"{category}_turnover", 4, _("%(what)s: contract turnover (元)"), MONEY, what=label),
            Figure(
                f"{category}_technical_value", 4, _("%(what)s: technical transaction value (元)"), MONEY, what=label
            ),
        ]
    return rows


FIGURES: tuple[Figure, ...] = (
    Figure("achievements_total", 2, _("Achievements held")),
    Figure("achievements_applied", 2, _("Applied technology")),
    Figure("achievements_basic", 2, _("Basic theory")),
    Figure("achievements_soft", 2, _("Soft science")),
    *_mode_figures(),
    Figure("companies_created", 3, _("Companies created or joined by equity investment (创设参股公司)")),
    *_category_figures(),
    Figure("contracts_transfer_count", 4, _("Cross-check: registered technology transfer contracts")),
    Figure("contracts_transfer_turnover", 4, _("Cross-check: their turnover (元)"), MONEY),
    Figure("contracts_licence_count", 4, _("Cross-check: registered technology licence contracts")),
    Figure("contracts_licence_turnover", 4, _("Cross-check: their turnover (元)"), MONEY),
    Figure("rd_bodies", 4, _("Self-built or jointly built R&D bodies"), prefilled=False),
    Figure("transfer_offices", 4, _("Technology-transfer organisations (技术转移机构)"), prefilled=False),
    Figure("service_platforms", 4, _("Service platforms"), prefilled=False),
    Figure("part_time", 4, _("Staff in part-time work at enterprises (兼职)")),
    Figure("leave", 4, _("Staff on leave to start a business (离岗创业)")),
    Figure("cash_amount", 5, _("Cash rewards paid to individuals (元)"), MONEY),
    Figure("cash_person_times", 5, _("Cash rewards: person-times (人次)")),
    Figure("equity_shares", 5, _("Equity rewards: shares"), SHARES),
    Figure("equity_value", 5, _("Equity rewards: value (元)"), MONEY),
    Figure("equity_person_times", 5, _("Equity rewards: person-times (人次)")),
    Figure("tax_withheld", 5, _("Tax withheld on rewards (元)"), MONEY),
)
BY_KEY = {figure.key: figure for figure in FIGURES}
PART_TITLES = {
    1: _("Part 1. Work done, results, experience and problems"),
    2: _("Part 2. Achievements held (number, type, source)"),
    3: _("Part 3. Transformation by transfer, licence and equity investment"),
    4: _("Part 4. Industry–academia cooperation and personnel mobility"),
    5: _("Part 5. Performance, income distribution and rewards"),
    6: _("Part 6. Other: policy implementation and the project list"),
}

# Totals that follow their parts: the unit corrects a part, the total is its sum (never corrected by itself).
DERIVED: dict[str, tuple[str, ...]] = {
    "achievements_total": ("achievements_applied", "achievements_basic", "achievements_soft"),
    **{f"total_{name}": tuple(f"{mode}_{name}" for mode in MODES) for name in ("count", "amount", "count_1m",
                                                                               "count_100m")},
}
