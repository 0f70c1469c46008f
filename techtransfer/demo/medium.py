"""The medium demo: the hand-written small demo plus units, people, achievements and demands recombined from
the word lists in data/recombine.toml. Every name, summary, demand title and description stays distinct
(a recombination that repeats one is drawn again). Pure: it returns Content, the loader writes it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.achievements.choices import AchievementType
from techtransfer.demo.content import (
    AchievementSpec,
    Content,
    DemandSpec,
    OrganisationSpec,
    Researcher,
    UserSpec,
)
from techtransfer.demo.identifiers import USCC_CATEGORY, uscc_make
from techtransfer.demo.recombine import Theme, UnitKind, achievement_plan, person_name, words

# How many units of each type the medium demo adds, and how many records.
EXTRA_UNITS = {
    OrgType.UNIVERSITY: 6,
    OrgType.INSTITUTE: 5,
    OrgType.HOSPITAL: 3,
    OrgType.ENTERPRISE: 9,
    OrgType.TRANSFER_INSTITUTION: 1,
}
OUTSIDE_BEIJING = 2  # of the universities and institutes above, in Tianjin or Hebei
EXTRA_ACHIEVEMENTS = 550
EXTRA_DEMANDS = 40
STATE_SHARES = (
    ("draft", 0.12),
    ("submitted", 0.14),
    ("returned", 0.07),
    ("registered", 0.07),
    ("published", 0.52),
    ("withdrawn", 0.08),
)
OWNER_WEIGHTS = {OrgType.UNIVERSITY: 4, OrgType.INSTITUTE: 3, OrgType.HOSPITAL: 2, OrgType.ENTERPRISE: 1}
RESEARCH_TYPES = (OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL)

DEMAND_TITLES: tuple[Callable[[str, str, str], str], ...] = (
    lambda o, m, p: f"面向{o}的{p}技术需求",
    lambda o, m, p: f"{o}{m}{p}合作开发",
    lambda o, m, p: f"引进{m}{p}用于{o}",
    lambda o, m, p: f"{o}{p}攻关" if p.endswith("技术") else f"{o}{p}关键技术攻关",
)
DEMAND_NEEDS = ("量产和成本", "客户验收", "安全和环保", "交付周期")
DEMAND_WAYS = ("引进", "联合开发", "委托开发")
DEMAND_CLOSINGS = (
    "欢迎高校、科研院所和技术转移机构对接，可先行开展小试验证。",
    "我公司可提供试验场地和样品，合作方式可面议。",
    "希望对方具备中试条件，项目周期不超过18个月。",
    "可先签订保密协议，提供现场工况数据。",
    "优先考虑已有工程应用案例的团队。",
)


def _distinct(seen: set[str], *texts: str) -> bool:
    """True (and remembered) if none of the texts was used before."""
    if any(text in seen for text in texts):
        return False
    seen.update(texts)
    return True


class _Medium:
    def __init__(self, small: Content, seed: int) -> None:
        self.rng = random.Random(seed)
        self.small = small
        self.words = words()
        self.names = {org.name for org in small.organisations}
        self.usernames = {user.username for user in small.users}
        self.texts = {a.texts["name"] for a in small.achievements} | {a.texts["summary"] for a in small.achievements}
        self.texts |= {d.title for d in small.demands} | {d.description for d in small.demands}
        self.ip_numbers = {item["number"] for a in small.achievements for item in a.ip}
        self.themes: dict[str, tuple[Theme, ...]] = {}
        self.out = Content([], [], [], [], [], [], [], [])

    # -- units ---------------------------------------------------------------------------------------------

    def _kind_name(self, kind: UnitKind, place: tuple[str, str]) -> tuple[str, str]:
        if kind.org_type in {OrgType.ENTERPRISE, OrgType.TRANSFER_INSTITUTION} or kind.zh.endswith("有限公司"):
            return f"北京{place[0]}{kind.zh}", f"Beijing {place[1]} {kind.en}"
        return f"{place[0]}{kind.zh}", f"{place[1]} {kind.en}"

    def units(self) -> None:
        w = self.words
        # Place words the hand-written units already use would make two unrelated units look related.
        places = [p for p in w.places if not any(p[0] in name for name in self.names)]
        self.rng.shuffle(places)
        cursor = 0
        outside = 0
        for org_type, count in EXTRA_UNITS.items():
            kinds = w.kinds_of(org_type)
            preference = w.district_preference[org_type]
            for i in range(count):
                kind = kinds[i % len(kinds)]
                while True:
                    place = places[cursor % len(places)]
                    cursor += 1
                    name, name_en = self._kind_name(kind, place)
                    if name not in self.names:
                        self.names.add(name)
                        break
                region = preference[(i + 1) % len(preference)]
                district = w.districts[region]
                if org_type in {OrgType.UNIVERSITY, OrgType.INSTITUTE} and i == count - 1 and outside < OUTSIDE_BEIJING:
                    region, city_zh, city_en = w.outside_regions[outside]
                    name = f"{city_zh}{name.removeprefix('北京')}"
                    name_en = f"{city_en} {name_en.removeprefix('Beijing ')}"
                    district = city_zh
                    outside += 1
                slug = f"{place[1].lower()}_{kind.tag}"
                themes = tuple(self.words.themes[key] for key in kind.themes)
                if org_type == OrgType.TRANSFER_INSTITUTION:
                    themes = themes[:4]
                self.themes[slug] = themes
                topics = "、".join(t.zh for t in themes[:3])
                if org_type == OrgType.ENTERPRISE:
                    topics = "、".join(o[0] for o in themes[0].objects[:2])
                    description = f"位于{district}的{themes[0].zh}企业，关注{topics}等方向的技术合作。"
                elif org_type == OrgType.TRANSFER_INSTITUTION:
                    description = f"位于{district}的技术转移服务机构，提供{topics}等领域的技术对接与评估服务。"
                else:
                    description = f"位于{district}，在{topics}方向开展研究和成果转化。"
                department = {OrgType.UNIVERSITY: "edu", OrgType.HOSPITAL: "health"}.get(org_type, "")
                org = OrganisationSpec(
                    key=slug,
                    name=name,
                    name_en=name_en,
                    type=org_type,
                    region=region,
                    uscc=uscc_make(self.rng, category=USCC_CATEGORY[org_type], region=region),
                    description=description,
                    address=f"{district}{self.rng.choice(w.roads)}{self.rng.randint(1, 199)}号",
                    phone=f"010-{self.rng.choice('68')}{self.rng.randrange(10**7):07d}",
                    department=department if region.startswith("11") else "",
                    fields=tuple(dict.fromkeys(t.field for t in themes)),
                    industry=themes[0].industries[0] if org_type == OrgType.ENTERPRISE else "",
                )
                medical = org_type == OrgType.HOSPITAL
                for _ in range(5 if org_type in RESEARCH_TYPES else 2):
                    org.researchers.append(
                        Researcher(
                            name=person_name(self.rng),
                            title=self.rng.choice(w.medical_titles if medical else w.titles),
                            education=self.rng.choice(w.education),
                            born=self.rng.randint(1962, 1995),
                        )
                    )
                officer = UserSpec(f"tto_{slug}", person_name(self.rng), slug, Role.TTO_OFFICER, "技术转移负责人")
                org.users.append(officer)
                if org_type in RESEARCH_TYPES:
                    lead = org.researchers[0]
                    org.users.append(UserSpec(f"{slug}_1", lead.name, slug, Role.MEMBER, lead.title))
                for user in org.users:
                    assert user.username not in self.usernames, user.username
                    self.usernames.add(user.username)
                self.out.organisations.append(org)
                self.out.users += org.users

    # -- achievements --------------------------------------------------------------------------------------

    def _states(self, total: int) -> list[str]:
        states = [state for state, share in STATE_SHARES for _ in range(round(total * share))]
        states += ["published"] * (total - len(states))
        self.rng.shuffle(states)
        return states[:total]

    def achievements(self) -> None:
        w = self.words
        # Units outside Beijing register with their own registry: here they complete records as partners.
        owners = [o for o in self.out.organisations if o.type in OWNER_WEIGHTS and o.region.startswith("11")]
        weights = [OWNER_WEIGHTS[o.type] for o in owners]
        partners = [o for o in self.out.organisations if o.type in (*RESEARCH_TYPES, OrgType.ENTERPRISE)]
        for state in self._states(EXTRA_ACHIEVEMENTS):
            owner = self.rng.choices(owners, weights)[0]
            theme = self.rng.choice(self.themes[owner.key])
            co = [p for p in partners if p.key != owner.key and theme in self.themes[p.key]]
            co = self.rng.sample(co, 1) if co and self.rng.random() < 0.3 else []
            for _attempt in range(20):
                plan = achievement_plan(
                    self.rng, theme=theme, owner_name=owner.name, medical=owner.type == OrgType.HOSPITAL
                )
                data = plan.data
                if _distinct(self.texts, data["name"], data["summary"]):
                    break
            else:
                continue  # this unit's theme is exhausted; the demo is one record smaller
            persons = [r.name for r in self.rng.sample(owner.researchers, min(len(owner.researchers), 3))]
            persons += [r.name for p in co for r in p.researchers[:1]]
            ip = [item for item in plan.ip_items if item["number"] not in self.ip_numbers]
            self.ip_numbers.update(item["number"] for item in ip)
            spec = AchievementSpec(
                owner=owner.key,
                state=state,
                type=data["achievement_type"],
                texts={k: data[k] for k in ("name", "name_en", "summary", "summary_en")},
                keywords=data["keywords"],
                keywords_en=data["keywords_en"],
                codes={
                    "field": data["high_tech_field"],
                    "discipline": data["discipline"],
                    "industry": data["industry"],
                    "stage": data["stage"],
                    "level": data["level"],
                    "application": data["application_status"],
                    "attribute": data["attribute"],
                    "output": data["output_form"],
                    "evaluation": data["evaluation_method"],
                    "source": data["project_source"],
                },
                research=(data["research_start"], data["research_end"]),
                evaluated=data["evaluation_date"],
                persons=persons,
                partners=[p.key for p in co],
                transfer=plan.transfer_modes,
                ip=[{k: item[k] for k in ("kind", "number", "title", "granted")} for item in ip],
                materials=not (state == "draft" and self.rng.random() < 0.4),
            )
            if state == "returned" or (state == "published" and self.rng.random() < 0.15):
                if state == "returned":
                    spec.returned = {"reason": self.rng.choice(w.return_reasons)}
                else:  # sent back for the user's proof, which the unit then uploads
                    spec.returned = {"reason": w.return_reasons[0], "attach": "user_proof"}
            if state == "withdrawn":
                spec.withdrawn = {
                    "reason": self.rng.choice(w.withdraw_reasons),
                    "after": self.rng.choice(("draft", "submitted", "registered")),
                }
            if (
                state == "published"
                and data["achievement_type"] == AchievementType.APPLIED
                and data["application_status"] != "industrial"
                and self.rng.random() < 0.1
            ):
                spec.revised = {"reason": w.revision_reason, "application": "industrial"}
            self.out.achievements.append(spec)

    # -- demands -------------------------------------------------------------------------------------------

    def demands(self) -> None:
        enterprises = [o for o in self.out.organisations if o.type == OrgType.ENTERPRISE]
        states = ["published"] * 32 + ["under_review"] * 4 + ["draft"] * 4
        self.rng.shuffle(states)
        for number, state in enumerate(states[:EXTRA_DEMANDS], start=1):
            owner = enterprises[number % len(enterprises)]
            theme = self.themes[owner.key][0]
            for _attempt in range(30):
                m, _m_en, p, _p_en = self.rng.choice(theme.pairs)
                o = self.rng.choice(theme.objects)[0]
                problem = self.rng.choice(theme.problems)[0]
                # A target, not a result already reached ("已完成…").
                result = self.rng.choice([r for r, _en in theme.results if not r.startswith("已")])
                title = self.rng.choice(DEMAND_TITLES)(o, m, p)
                description = (
                    f"我公司在{o}业务中面临{problem}的问题，现有方案难以满足{self.rng.choice(DEMAND_NEEDS)}要求。"
                    f"希望{self.rng.choice(DEMAND_WAYS)}基于{m}的{p}，目标指标：{result}。"
                    f"{self.rng.choice(DEMAND_CLOSINGS)}"
                )
                if _distinct(self.texts, title, description):
                    break
            else:
                continue
            low = self.rng.choice((20, 50, 100, 200)) * 10_000
            self.out.demands.append(
                DemandSpec(
                    key=f"{owner.key}-{number}",
                    owner=owner.key,
                    by=owner.users[0].username,
                    state=state,
                    title=title,
                    description=description,
                    field=theme.field,
                    budget=(low, low * self.rng.choice((2, 3, 5))),
                    deadline_days=self.rng.randint(30, 150),
                    modes=self.rng.sample(["transfer", "licence", "commissioned", "joint", "service"], 2),
                    contact_public=number % 3 == 0,
                )
            )


def medium_content(small: Content, *, seed: int = 42) -> Content:
    """What the medium demo adds to `small` (the caller extends it)."""
    medium = _Medium(small, seed)
    medium.units()
    medium.achievements()
    medium.demands()
    return medium.out
