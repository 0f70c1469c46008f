"""Recombined records: achievements (and the people on them) put together from the word lists in
data/recombine.toml. Pure functions of a random generator; no database.

Two consumers: the medium demo (extra units, achievements and demands on top of the hand-written small
demo, see `medium.py`) and the benchmark CSV (`bench.py`). The same seed gives the same records, as long as
the word lists keep their order.
"""

from __future__ import annotations

import datetime
import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from techtransfer.achievements.choices import AchievementType, IPKind
from techtransfer.demo.identifiers import patent_number_make

DATA_DIR = Path(__file__).resolve().parent / "data"
LATEST_END = datetime.date(2025, 12, 1)  # fixed, so that a seed gives the same data whatever the date

Pair = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class Theme:
    """A technology theme and the words its achievements are written with."""

    key: str
    zh: str
    en: str
    field: str  # high_tech_field code
    disciplines: tuple[str, ...]
    industries: tuple[str, ...]
    nsfc_division: str  # first digit of an NSFC grant number
    keywords: tuple[Pair, ...]
    pairs: tuple[tuple[str, str, str, str], ...]  # method zh, method en, product zh, product en
    objects: tuple[Pair, ...]
    problems: tuple[Pair, ...]
    results: tuple[Pair, ...]
    applications: tuple[Pair, ...]
    ip_kinds: tuple[str, ...]
    output_forms: tuple[str, ...]


@dataclass(frozen=True)
class UnitKind:
    """A kind of unit of one organisation type: its name suffix, user-name tag and the themes it works on."""

    org_type: str
    zh: str
    en: str
    tag: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """Everything in data/recombine.toml, as tuples."""

    themes: dict[str, Theme]
    unit_kinds: tuple[UnitKind, ...]
    places: tuple[Pair, ...]
    roads: tuple[str, ...]
    outside_regions: tuple[tuple[str, str, str], ...]
    departments: tuple[tuple[str, str, str], ...]
    district_preference: dict[str, tuple[str, ...]]
    districts: dict[str, str]
    surnames: str
    given: str
    titles: tuple[str, ...]
    medical_titles: tuple[str, ...]
    education: tuple[str, ...]
    return_reasons: tuple[str, ...]
    withdraw_reasons: tuple[str, ...]
    revision_reason: str
    nsfc_grant_types: tuple[tuple[str, str, int, int], ...]

    def kinds_of(self, org_type: str) -> tuple[UnitKind, ...]:
        return tuple(kind for kind in self.unit_kinds if kind.org_type == org_type)


def _tuples(rows: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    return tuple(tuple(row) for row in rows)


@cache
def words() -> Words:
    """The word lists, read once per process."""
    with (DATA_DIR / "recombine.toml").open("rb") as stream:
        raw = tomllib.load(stream)
    themes = {
        t["key"]: Theme(
            key=t["key"],
            zh=t["zh"],
            en=t["en"],
            field=t["field"],
            disciplines=tuple(t["disciplines"]),
            industries=tuple(t["industries"]),
            nsfc_division=t["nsfc_division"],
            keywords=_tuples(t["keywords"]),
            pairs=_tuples(t["pairs"]),
            objects=_tuples(t["objects"]),
            problems=_tuples(t["problems"]),
            results=_tuples(t["results"]),
            applications=_tuples(t["applications"]),
            ip_kinds=tuple(t["ip_kinds"]),
            output_forms=tuple(t["output_forms"]),
        )
        for t in raw["theme"]
    }
    names, people, reasons = raw["names"], raw["people"], raw["reasons"]
    return Words(
        themes=themes,
        unit_kinds=tuple(UnitKind(k["type"], k["zh"], k["en"], k["tag"], tuple(k["themes"])) for k in raw["unit_kind"]),
        places=_tuples(names["places"]),
        roads=tuple(names["roads"]),
        outside_regions=_tuples(names["outside_regions"]),
        departments=_tuples(names["departments"]),
        district_preference={key: tuple(codes) for key, codes in raw["district_preference"].items()},
        districts=dict(raw["districts"]),
        surnames=people["surnames"],
        given=people["given"],
        titles=tuple(people["titles"]),
        medical_titles=tuple(people["medical_titles"]),
        education=tuple(people["education"]),
        return_reasons=tuple(reasons["returned"]),
        withdraw_reasons=tuple(reasons["withdrawn"]),
        revision_reason=reasons["revised"],
        nsfc_grant_types=_tuples(raw["funding"]["nsfc_grant_types"]),
    )


def person_name(rng: random.Random) -> str:
    w = words()
    given = rng.choice(w.given) + (rng.choice(w.given) if rng.random() < 0.7 else "")
    return rng.choice(w.surnames) + given


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _month(year: int, month: int) -> datetime.date:
    return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@dataclass
class AchievementText:
    """Names, summaries and keywords of one recombined achievement, in both languages."""

    name: str
    name_en: str
    summary: str
    summary_en: str
    keywords: list[str]
    keywords_en: list[str]


def achievement_text(rng: random.Random, theme: Theme, achievement_type: str) -> AchievementText:
    m_zh, m_en, p_zh, p_en = rng.choice(theme.pairs)
    o_zh, o_en = rng.choice(theme.objects)
    problem_zh, problem_en = rng.choice(theme.problems)
    (r1_zh, r1_en), (r2_zh, r2_en) = rng.sample(theme.results, 2)
    app_zh, app_en = rng.choice(theme.applications)
    if achievement_type == AchievementType.BASIC:
        if rng.random() < 0.5:
            name, name_en = f"{m_zh}在{o_zh}中的基础理论与方法研究", f"Theory and methods of {m_en} in {o_en}"
        else:
            name, name_en = f"{o_zh}{m_zh}关键科学问题研究", f"Key scientific questions of {m_en} for {o_en}"
        papers = rng.randint(6, 25)
        summary = (
            f"本研究围绕{o_zh}中的{m_zh}关键科学问题开展系统研究，建立了相应的理论模型与分析方法，"
            f"揭示了{problem_zh}的内在机理，在国内外期刊发表论文{papers}篇，"
            f"为{theme.zh}领域的技术突破提供了理论基础。"
        )
        summary_en = (
            f"A systematic study of the key scientific questions of {m_en} in {o_en}. It builds theoretical models "
            f"and analysis methods, explains the mechanisms behind {problem_en}, and has produced "
            f"{papers} journal papers, laying foundations for {theme.en}."
        )
    elif achievement_type == AchievementType.SOFT:
        name, name_en = rng.choice(
            (
                (f"北京市{theme.zh}产业发展战略研究", f"Development strategy for Beijing's {theme.en} industry"),
                (f"京津冀{theme.zh}协同创新政策研究", f"Policy for Jing-Jin-Ji cooperation in {theme.en}"),
                (f"{theme.zh}领域科技成果转化机制研究", f"Mechanisms for transferring S&T achievements in {theme.en}"),
            )
        )
        summary = (
            f"本研究系统梳理了北京市{theme.zh}领域的发展现状，分析了{o_zh}等方向{problem_zh}的突出问题，"
            f"借鉴国内外经验，提出了推动{theme.zh}高质量发展的政策建议，部分建议已被相关部门采纳。"
        )
        summary_en = (
            f"A review of Beijing's {theme.en} sector. It analyses problems such as {problem_en} in {o_en}, draws "
            f"on experience at home and abroad, and proposes policies, some of which the authorities have adopted."
        )
    else:
        template = rng.randrange(4)
        if template == 0:
            name, name_en = f"基于{m_zh}的{o_zh}{p_zh}", f"{_cap(p_en)} for {o_en} based on {m_en} technology"
        elif template == 1:
            name, name_en = f"面向{o_zh}的{m_zh}{p_zh}", f"{_cap(m_en)} {p_en} for {o_en}"
        elif template == 2:
            name, name_en = f"{o_zh}{m_zh}{p_zh}研发及应用", f"Development and application of {m_en} {p_en} for {o_en}"
        else:
            name, name_en = f"{m_zh}{p_zh}在{o_zh}中的产业化应用", f"Industrial application of {m_en} {p_en} in {o_en}"
        summary = (
            f"针对{o_zh}领域{problem_zh}等问题，本成果采用{m_zh}技术，研制了{p_zh}。"
            f"经测试，{r1_zh}，{r2_zh}。{app_zh}。"
        )
        summary_en = (
            f"Addressing {problem_en} in {o_en}, this work applies {m_en} technology to develop a new {p_en}. "
            f"Tests show {r1_en} and {r2_en}. {app_en}."
        )
    candidates = [(m_zh, m_en), (o_zh, o_en), rng.choice(theme.keywords)]
    if achievement_type == AchievementType.SOFT:  # policy studies are indexed by their sector
        candidates = [*rng.sample(theme.keywords, 2), (o_zh, o_en)]
    keywords: list[Pair] = []
    for pair in candidates[: rng.randint(1, 3)]:
        if pair[0] not in {k[0] for k in keywords}:
            keywords.append(pair)
    return AchievementText(
        name=name[:200],
        name_en=name_en[:300],
        summary=summary,
        summary_en=summary_en,
        keywords=[k[0] for k in keywords],
        keywords_en=[k[1].removeprefix("the ").replace("-", " ") for k in keywords],
    )


@dataclass
class AchievementPlan:
    """One achievement as plain values (code-table codes, dates, names), before it touches the database."""

    theme: str
    data: dict[str, Any]  # form fields; code-table fields hold codes
    transfer_modes: list[str]
    units: list[str]
    persons: list[dict[str, Any]]
    ip_items: list[dict[str, Any]]


def ip_items_make(rng: random.Random, theme: Theme, *, year: int, holder: str, title: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for kind in rng.sample(theme.ip_kinds, rng.randint(1, min(2, len(theme.ip_kinds)))):
        granted = rng.random() < 0.7
        if kind in {IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL}:
            number = patent_number_make(rng, year=year, kind=kind, granted=granted)
        elif kind == IPKind.SOFTWARE_COPYRIGHT:
            number, granted = f"{year + 1}SR{rng.randrange(10**7):07d}", True
        elif kind == IPKind.PLANT_VARIETY:
            number = f"CNA{year}{rng.randrange(10**4):04d}.{rng.randrange(10)}"
        else:  # IC layout designs: the registration number has no published check rule
            number, granted = f"BS.{year % 100:02d}5{rng.randrange(10**6):06d}", True
        items.append({"kind": kind, "number": number, "title": title, "holder": holder, "granted": granted})
    return items


def achievement_plan(
    rng: random.Random,
    *,
    theme: Theme,
    owner_name: str,
    co_units: Sequence[str] = (),
    contact: dict[str, str] | None = None,
    funded: dict[str, Any] | None = None,
    medical: bool = False,
) -> AchievementPlan:
    """A complete, submittable achievement for `owner_name` on `theme`, as plain values."""
    w = words()
    roll = rng.random()
    achievement_type = (
        AchievementType.APPLIED if roll < 0.8 else AchievementType.BASIC if roll < 0.92 else AchievementType.SOFT
    )
    text = achievement_text(rng, theme, achievement_type)
    if funded:
        start, end = funded["start"], funded["end"]
    else:
        start = _month(rng.randint(2016, 2022), rng.randint(1, 12))
        end = min(_month(start.year, start.month + rng.randint(12, 48)), LATEST_END)
    evaluation = min(_month(end.year, end.month + rng.randint(1, 6)), LATEST_END) + datetime.timedelta(
        days=rng.randint(0, 27)
    )
    applied = achievement_type == AchievementType.APPLIED
    evaluation_method = rng.choice(
        ("appraisal", "acceptance", "acceptance", "assessment", "patent" if applied else "other")
    )
    level = (
        "unevaluated"
        if evaluation_method == "patent"
        else rng.choice(("intl_leading", "intl_advanced", "dom_leading", "dom_leading", "dom_advanced", "dom_advanced"))
    )
    if applied:
        output_form = rng.choice(theme.output_forms)
        stage = rng.choice(("early", "middle", "middle", "mature"))
        application_status = rng.choice(("industrial", "small_batch", "small_batch", "trial", "unused"))
    else:
        output_form = "paper" if achievement_type == AchievementType.BASIC else "report"
        stage = "early" if achievement_type == AchievementType.BASIC else "mature"
        application_status = "unused" if achievement_type == AchievementType.BASIC else "small_batch"
    data: dict[str, Any] = {
        "achievement_type": achievement_type,
        "name": text.name,
        "name_en": text.name_en,
        "summary": text.summary,
        "summary_en": text.summary_en,
        "keywords": text.keywords,
        "keywords_en": text.keywords_en,
        "discipline": rng.choice(theme.disciplines) if applied or achievement_type == AchievementType.BASIC else "630",
        "high_tech_field": theme.field,
        "industry": rng.choice(theme.industries),
        "stage": stage,
        "level": level,
        "application_status": application_status,
        "attribute": rng.choice(("original", "original", "secondary", "imported")),
        "output_form": output_form,
        "evaluation_method": evaluation_method,
        "project_source": funded["programme"]
        if funded
        else rng.choice(("national_key_rd", "beijing", "beijing_nsf", "enterprise", "ministry", "none", "beijing")),
        "programme_name": funded["programme_name"] if funded else "",
        "programme_number": funded["grant_number"] if funded else "",
        "research_start": start,
        "research_end": end,
        "evaluation_date": evaluation,
        "internal_registration_date": evaluation + datetime.timedelta(days=rng.randint(5, 60)),
        "public_release": True,
        "contact_name": (contact or {}).get("name") or person_name(rng),
        "contact_phone": (contact or {}).get("phone") or f"010-{rng.choice('68')}{rng.randrange(10**7):07d}",
        "contact_email": (contact or {}).get("email", ""),
        "contact_address": (contact or {}).get("address", ""),
    }
    units = [owner_name, *co_units]
    persons = []
    for i in range(rng.randint(2, 6)):
        unit = units[0] if i < 2 or len(units) == 1 else rng.choice(units[1:])
        persons.append(
            {
                "name": person_name(rng),
                "unit_name": unit,
                "title": rng.choice(w.medical_titles if medical and unit == owner_name else w.titles),
                "education": rng.choice(w.education),
                "birth_year": rng.randint(1962, 1995),
            }
        )
    ip_items = ip_items_make(rng, theme, year=start.year, holder=owner_name, title=text.name) if applied else []
    modes = (
        rng.sample(("transfer", "licence", "equity", "joint", "self", "service"), rng.randint(1, 3))
        if applied
        else (["service"] if rng.random() < 0.5 else [])
    )
    return AchievementPlan(
        theme=theme.key, data=data, transfer_modes=modes, units=units, persons=persons, ip_items=ip_items
    )
