"""The demo's content, read from the TOML files in data/ and checked before anything is written.

TOML rather than JSON: the files are written and read by people (comments, multi-line Chinese text, no
quoting of keys, no trailing-comma traps), and Python reads it with the standard library (tomllib), so
the demo adds no dependency. JSON would do for machines only.

Nothing here touches the database: `content_load()` gives plain dataclasses, and `content_problems()` says
what is inconsistent (unknown keys, a person nobody employs, two records with the same text...), so a broken
file fails in a unit test, not halfway through a seed.
"""

from __future__ import annotations

import datetime
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techtransfer.accounts.choices import OrgType, Role

DATA_DIR = Path(__file__).resolve().parent / "data"

ACHIEVEMENT_STATES = ("draft", "submitted", "returned", "registered", "published", "withdrawn")
DEMAND_STATES = ("draft", "returned", "under_review", "published")
CHALLENGE_STATES = ("open", "closed", "awarded")
PROPOSAL_STATES = ("draft", "submitted", "shortlisted", "awarded", "not_selected")
CONTACT_STAGES = ("intent", "negotiation", "signed", "abandoned")
WITHDRAWN_AFTER = ("draft", "submitted", "registered")
# What the data files call the coded fields of an achievement, and the form field each one fills.
ACHIEVEMENT_CODES = {
    "field": "high_tech_field",
    "discipline": "discipline",
    "industry": "industry",
    "stage": "stage",
    "level": "level",
    "application": "application_status",
    "attribute": "attribute",
    "output": "output_form",
    "evaluation": "evaluation_method",
    "source": "project_source",
}
ACHIEVEMENT_TEXTS = ("name", "name_en", "summary", "summary_en", "programme", "programme_number")
# Words that give a demo away; none may reach a searchable text (tests read every indexed document too).
BOILERPLATE = (
    "演示",
    "示例数据",
    "虚构",
    "测试数据",
    "已按审核意见补充相关材料",
    "Demo data",
    "demo data",
    "synthetic",
)


@dataclass(frozen=True)
class Researcher:
    """Someone who completes achievements for a unit."""

    name: str
    title: str
    education: str
    born: int


@dataclass(frozen=True)
class UserSpec:
    """A demo login; `login` (role in Chinese and English) marks the accounts `demo_logins` lists first."""

    username: str
    name: str
    org: str  # organisation key, "" for the superuser
    role: str = Role.MEMBER
    title: str = ""
    staff: bool = False
    superuser: bool = False
    login: tuple[str, str] | None = None


@dataclass
class OrganisationSpec:
    key: str
    name: str
    name_en: str
    type: str
    region: str
    uscc: str
    description: str
    address: str = ""
    phone: str = ""
    department: str = ""
    registry_code: str = ""
    fields: tuple[str, ...] = ()
    industry: str = ""
    users: list[UserSpec] = field(default_factory=list)
    researchers: list[Researcher] = field(default_factory=list)


@dataclass
class FundedSpec:
    programme: str
    grant: str
    type: str
    title: str
    host: str
    pi: str
    amount: int  # 10,000 yuan
    period: str
    evaluation: str


@dataclass
class AchievementSpec:
    owner: str
    state: str
    type: str
    texts: dict[str, str]  # name, name_en, summary, summary_en, programme, programme_number
    keywords: list[str]
    keywords_en: list[str]
    codes: dict[str, str]  # data-file name (ACHIEVEMENT_CODES) → code
    research: tuple[datetime.date, datetime.date]
    evaluated: datetime.date
    persons: list[str]
    key: str = ""
    author: str = ""
    grant: str = ""
    partners: list[str] = field(default_factory=list)
    transfer: list[str] = field(default_factory=list)
    ip: list[dict[str, Any]] = field(default_factory=list)
    materials: bool = True
    returned: dict[str, Any] | None = None  # reason, before (fields), attach (attachment kind)
    withdrawn: dict[str, Any] | None = None  # reason, after
    revised: dict[str, Any] | None = None  # reason, and the changed fields


@dataclass
class DemandSpec:
    key: str
    owner: str
    by: str
    state: str
    title: str
    description: str
    field: str
    budget: tuple[int, int]
    deadline_days: int
    modes: list[str]
    contact_public: bool = False
    returned: str = ""


@dataclass
class QuestionSpec:
    by: str
    text: str
    answer: str = ""


@dataclass
class ProposalSpec:
    by: str
    team: str
    team_name: str
    members: str
    summary: str
    approach: str
    price: int
    state: str


@dataclass
class ChallengeSpec:
    key: str
    owner: str
    by: str
    state: str
    title: str
    problem: str
    requirements: str
    eligibility: str
    field: str
    reward: int
    reward_note: str
    max_winners: int = 1
    deadline_days: int = 0
    qa_days: int = 0
    result: str = ""
    questions: list[QuestionSpec] = field(default_factory=list)
    proposals: list[ProposalSpec] = field(default_factory=list)


@dataclass
class ContactRequestSpec:
    demand: str
    achievement: str
    by: str
    stage: str
    message: str
    advance: dict[str, str] | None = None
    notes: list[dict[str, str]] = field(default_factory=list)
    signing: list[dict[str, str]] = field(default_factory=list)
    abandon: dict[str, str] | None = None


@dataclass
class SubscriptionSpec:
    user: str
    name: str
    kinds: list[str]
    fields: list[str]
    keywords: str
    frequency: str
    email: bool


@dataclass
class Content:
    """Everything one seed writes, in the order it is written."""

    organisations: list[OrganisationSpec]
    users: list[UserSpec]  # every login, the superuser first
    funded: list[FundedSpec]
    achievements: list[AchievementSpec]
    demands: list[DemandSpec]
    challenges: list[ChallengeSpec]
    contact_requests: list[ContactRequestSpec]
    subscriptions: list[SubscriptionSpec]

    def organisation(self, key: str) -> OrganisationSpec:
        return next(org for org in self.organisations if org.key == key)

    def user(self, username: str) -> UserSpec:
        return next(user for user in self.users if user.username == username)

    def officer(self, org_key: str) -> UserSpec:
        """The unit's TTO officer: the one who submits its records."""
        return next(u for u in self.organisation(org_key).users if u.role == Role.TTO_OFFICER)

    def extend(self, other: Content) -> None:
        self.organisations += other.organisations
        self.users += other.users
        self.funded += other.funded
        self.achievements += other.achievements
        self.demands += other.demands
        self.challenges += other.challenges
        self.contact_requests += other.contact_requests
        self.subscriptions += other.subscriptions


def _text(value: str) -> str:
    """Multi-line TOML strings are wrapped for reading; the record keeps one paragraph (Chinese lines join
    as they are, English words get their space back)."""
    text = ""
    for line in (line.strip() for line in value.strip().splitlines()):
        if text and line and text[-1].isascii() and line[0].isascii():
            text += " "
        text += line
    return text


def _month(value: str) -> datetime.date:
    year, month = value.split("-")
    return datetime.date(int(year), int(month), 1)


def _read(name: str, directory: Path) -> dict[str, Any]:
    with (directory / f"{name}.toml").open("rb") as stream:
        return tomllib.load(stream)


def _organisations(raw: dict[str, Any]) -> tuple[list[OrganisationSpec], list[UserSpec]]:
    users = [
        UserSpec(
            username=u["username"],
            name=u["name"],
            org="",
            superuser=u.get("superuser", False),
            staff=u.get("superuser", False),
            login=tuple(u["login"]) if "login" in u else None,  # type: ignore[arg-type]
        )
        for u in raw.get("user", [])
    ]
    organisations = []
    for o in raw["organisation"]:
        org = OrganisationSpec(
            key=o["key"],
            name=o["name"],
            name_en=o["name_en"],
            type=o["type"],
            region=o["region"],
            uscc=o["uscc"],
            description=_text(o.get("description", "")),
            address=o.get("address", ""),
            phone=o.get("phone", ""),
            department=o.get("department", ""),
            registry_code=o.get("registry_code", ""),
            fields=tuple(o.get("fields", ())),
            industry=o.get("industry", ""),
            researchers=[Researcher(r["name"], r["title"], r["education"], r["born"]) for r in o.get("researcher", [])],
        )
        org.users = [
            UserSpec(
                username=u["username"],
                name=u["name"],
                org=org.key,
                role=u["role"],
                title=u.get("title", ""),
                staff=u.get("staff", False),
                login=tuple(u["login"]) if "login" in u else None,  # type: ignore[arg-type]
            )
            for u in o.get("user", [])
        ]
        organisations.append(org)
        users += org.users
    return organisations, users


def _achievement(a: dict[str, Any]) -> AchievementSpec:
    returned = dict(a["returned"]) if "returned" in a else None
    if returned and "before" in returned:
        returned["before"] = {k: _text(v) if isinstance(v, str) else v for k, v in returned["before"].items()}
    return AchievementSpec(
        key=a.get("key", ""),
        owner=a["owner"],
        state=a["state"],
        author=a.get("author", ""),
        type=a["type"],
        texts={name: _text(a[name]) for name in ACHIEVEMENT_TEXTS if name in a},
        keywords=list(a["keywords"]),
        keywords_en=list(a.get("keywords_en", [])),
        codes={name: a[name] for name in ACHIEVEMENT_CODES if name in a},
        research=(_month(a["research"][0]), _month(a["research"][1])),
        evaluated=a["evaluated"],
        persons=list(a["persons"]),
        grant=a.get("grant", ""),
        partners=list(a.get("partners", [])),
        transfer=list(a.get("transfer", [])),
        ip=[dict(item) for item in a.get("ip", [])],
        materials=a.get("materials", True),
        returned=returned,
        withdrawn=dict(a["withdrawn"]) if "withdrawn" in a else None,
        revised=dict(a["revised"]) if "revised" in a else None,
    )


def _challenge(c: dict[str, Any]) -> ChallengeSpec:
    texts = {name: _text(c.get(name, "")) for name in ("problem", "requirements", "eligibility", "reward_note")}
    return ChallengeSpec(
        key=c["key"],
        owner=c["owner"],
        by=c["by"],
        state=c["state"],
        title=c["title"],
        field=c["field"],
        reward=c["reward"],
        max_winners=c.get("max_winners", 1),
        deadline_days=c.get("deadline_days", 0),
        qa_days=c.get("qa_days", 0),
        result=_text(c.get("result", "")),
        questions=[QuestionSpec(q["by"], _text(q["text"]), _text(q.get("answer", ""))) for q in c.get("question", [])],
        proposals=[
            ProposalSpec(
                by=p["by"],
                team=p["team"],
                team_name=p["team_name"],
                members=p["members"],
                summary=_text(p["summary"]),
                approach=p["approach"].strip(),  # numbered steps keep their lines
                price=p["price"],
                state=p["state"],
            )
            for p in c.get("proposal", [])
        ],
        **texts,
    )


def content_load(directory: Path = DATA_DIR) -> Content:
    """The hand-written demo (what `seed_demo --size small` loads)."""
    organisations, users = _organisations(_read("organisations", directory))
    achievements = _read("achievements", directory)
    market = _read("market", directory)
    return Content(
        organisations=organisations,
        users=users,
        funded=[
            FundedSpec(
                programme=f["programme"],
                grant=f["grant"],
                type=f["type"],
                title=f["title"],
                host=f["host"],
                pi=f["pi"],
                amount=f["amount"],
                period=f["period"],
                evaluation=f["evaluation"],
            )
            for f in achievements.get("funded_project", [])
        ],
        achievements=[_achievement(a) for a in achievements["achievement"]],
        demands=[
            DemandSpec(
                key=d["key"],
                owner=d["owner"],
                by=d["by"],
                state=d["state"],
                title=d["title"],
                description=_text(d["description"]),
                field=d["field"],
                budget=(d["budget"][0], d["budget"][1]),
                deadline_days=d["deadline_days"],
                modes=list(d["modes"]),
                contact_public=d.get("contact_public", False),
                returned=_text(d.get("returned", "")),
            )
            for d in market.get("demand", [])
        ],
        challenges=[_challenge(c) for c in market.get("challenge", [])],
        contact_requests=[
            ContactRequestSpec(
                demand=r["demand"],
                achievement=r["achievement"],
                by=r["by"],
                stage=r["stage"],
                message=_text(r["message"]),
                advance=r.get("advance"),
                notes=list(r.get("notes", [])),
                signing=list(r.get("signing", [])),
                abandon=r.get("abandon"),
            )
            for r in market.get("contact_request", [])
        ],
        subscriptions=[
            SubscriptionSpec(
                user=s["user"],
                name=s["name"],
                kinds=list(s["kinds"]),
                fields=list(s.get("fields", [])),
                keywords=s.get("keywords", ""),
                frequency=s.get("frequency", "daily"),
                email=s.get("email", True),
            )
            for s in market.get("subscription", [])
        ],
    )


def searchable_texts(content: Content) -> list[tuple[str, str]]:
    """(where, text) for every text that ends up in the search index or a match panel."""
    texts: list[tuple[str, str]] = []
    for org in content.organisations:
        texts += [(f"organisation {org.key}", org.name), (f"organisation {org.key}", org.description)]
    for a in content.achievements:
        where = f"achievement {a.texts['name']}"
        texts += [(where, value) for value in a.texts.values()]
        texts += [(where, word) for word in a.keywords + a.keywords_en]
        texts += [(where, item.get("title", "")) for item in a.ip]
    for d in content.demands:
        texts += [(f"demand {d.key}", d.title), (f"demand {d.key}", d.description)]
    for c in content.challenges:
        for value in (c.title, c.problem, c.requirements, c.eligibility, c.reward_note, c.result):
            texts.append((f"challenge {c.key}", value))
    return texts


def history_texts(content: Content) -> list[tuple[str, str]]:
    """(where, text) for what people write along the way: reasons, messages, notes, answers, proposals."""
    texts: list[tuple[str, str]] = []
    for a in content.achievements:
        for step in (a.returned, a.withdrawn, a.revised):
            if step:
                texts.append((f"achievement {a.texts['name']}", step["reason"]))
    texts += [(f"demand {d.key}", d.returned) for d in content.demands]
    for c in content.challenges:
        texts += [(f"challenge {c.key}", text) for q in c.questions for text in (q.text, q.answer)]
        texts += [(f"challenge {c.key}", text) for p in c.proposals for text in (p.summary, p.approach)]
    for r in content.contact_requests:
        where = f"contact request {r.demand}"
        steps = [r.advance, r.abandon, *r.notes, *r.signing]
        texts += [(where, r.message)] + [(where, text) for s in steps if s for text in s.values()]
    return texts


def content_problems(content: Content) -> list[str]:
    """Everything inconsistent in the content, in words (empty: it may be loaded)."""
    problems: list[str] = []
    orgs = {org.key: org for org in content.organisations}
    users = {user.username: user for user in content.users}

    def duplicates(label: str, values: list[str]) -> None:
        for value, count in Counter(values).items():
            if value and count > 1:
                problems.append(f"{label} {value!r} appears {count} times")

    duplicates("organisation key", [o.key for o in content.organisations])
    duplicates("organisation name", [o.name for o in content.organisations])
    duplicates("credit code", [o.uscc for o in content.organisations])
    duplicates("username", [u.username for u in content.users])
    duplicates("achievement key", [a.key for a in content.achievements])
    duplicates("achievement name", [a.texts["name"] for a in content.achievements])
    duplicates("achievement summary", [a.texts["summary"] for a in content.achievements])
    duplicates("demand key", [d.key for d in content.demands])
    duplicates("demand title", [d.title for d in content.demands])
    duplicates("demand description", [d.description for d in content.demands])
    duplicates("challenge key", [c.key for c in content.challenges])
    duplicates("grant", [f"{f.programme} {f.grant}" for f in content.funded])
    duplicates("IP number", [item["number"] for a in content.achievements for item in a.ip])

    for org in content.organisations:
        if org.department and orgs.get(org.department, None) is None:
            problems.append(f"{org.key}: unknown supervising department {org.department!r}")
        if org.type not in OrgType.values:
            problems.append(f"{org.key}: unknown organisation type {org.type!r}")
        if org.type == OrgType.ENTERPRISE and not (org.fields and org.industry):
            problems.append(f"{org.key}: an enterprise needs its fields and industry")
        if org.type not in {OrgType.REGISTRATION_BODY, OrgType.SUPERVISING_DEPARTMENT} and not any(
            u.role == Role.TTO_OFFICER for u in org.users
        ):
            problems.append(f"{org.key}: no TTO officer to submit its records")
    for user in content.users:
        if user.role not in Role.values:
            problems.append(f"{user.username}: unknown role {user.role!r}")

    def user_of(username: str, where: str, org_key: str | None = None) -> None:
        user = users.get(username)
        if user is None:
            problems.append(f"{where}: unknown user {username!r}")
        elif org_key is not None and user.org != org_key:
            problems.append(f"{where}: {username} does not work for {org_key}")

    grants = {f.grant: f for f in content.funded}
    for f in content.funded:
        if f.host not in orgs:
            problems.append(f"funded project {f.grant}: unknown host {f.host!r}")
    keyed = {a.key: a for a in content.achievements if a.key}
    for a in content.achievements:
        where = f"achievement {a.texts.get('name', '?')}"
        if a.owner not in orgs:
            problems.append(f"{where}: unknown owner {a.owner!r}")
            continue
        if a.state not in ACHIEVEMENT_STATES:
            problems.append(f"{where}: unknown state {a.state!r}")
        if a.author:
            user_of(a.author, where, a.owner)
        if not orgs[a.owner].region.startswith("11") and a.state != "draft":
            problems.append(f"{where}: the Beijing registration body reviews Beijing units only")
        if not 1 <= len(a.keywords) <= 3 or len(a.keywords_en) > 3:
            problems.append(f"{where}: one to three keywords")
        if a.research[0] >= a.research[1] or a.evaluated < a.research[1]:
            problems.append(f"{where}: research period and evaluation date are out of order")
        if a.grant and a.grant not in grants:
            problems.append(f"{where}: unknown grant {a.grant!r}")
        for partner in a.partners:
            if partner not in orgs:
                problems.append(f"{where}: unknown partner {partner!r}")
        staff = {r.name for key in (a.owner, *a.partners) if key in orgs for r in orgs[key].researchers}
        for name in a.persons + list((a.returned or {}).get("before", {}).get("persons", [])):
            if name not in staff:
                problems.append(f"{where}: {name} is not a researcher of its units")
        if a.returned and a.state not in {"returned", "registered", "published"}:
            problems.append(f"{where}: only records that went on to review can have been returned")
        if a.returned and a.state == "returned" and ("before" in a.returned or "attach" in a.returned):
            problems.append(f"{where}: a record still returned has no fix yet")
        if (a.withdrawn is None) != (a.state != "withdrawn"):
            problems.append(f"{where}: withdrawn records (and only they) say why they were withdrawn")
        if a.withdrawn and a.withdrawn.get("after", "draft") not in WITHDRAWN_AFTER:
            problems.append(f"{where}: withdrawn after {a.withdrawn.get('after')!r}?")
        if a.revised and a.state != "published":
            problems.append(f"{where}: only published records are revised here")
    demands = {d.key: d for d in content.demands}
    for d in content.demands:
        where = f"demand {d.key}"
        org = orgs.get(d.owner)
        if org is None:
            problems.append(f"{where}: unknown owner {d.owner!r}")
            continue
        user_of(d.by, where, d.owner)
        if d.state not in DEMAND_STATES:
            problems.append(f"{where}: unknown state {d.state!r}")
        if org.type == OrgType.ENTERPRISE and d.field not in org.fields:
            problems.append(f"{where}: {d.field} is not a field of {org.key} ({', '.join(org.fields)})")
        if (d.state == "returned") != bool(d.returned):
            problems.append(f"{where}: returned demands (and only they) carry the moderator's reason")
        if not 0 < d.budget[0] <= d.budget[1]:
            problems.append(f"{where}: budget range out of order")
    for c in content.challenges:
        where = f"challenge {c.key}"
        org = orgs.get(c.owner)
        if org is None:
            problems.append(f"{where}: unknown owner {c.owner!r}")
            continue
        user_of(c.by, where, c.owner)
        if c.state not in CHALLENGE_STATES:
            problems.append(f"{where}: unknown state {c.state!r}")
        if org.type == OrgType.ENTERPRISE and c.field not in org.fields:
            problems.append(f"{where}: {c.field} is not a field of {org.key}")
        if c.state == "open" and not (c.deadline_days > c.qa_days > 0):
            problems.append(f"{where}: an open challenge needs deadline_days > qa_days > 0")
        if c.state != "open" and c.questions:
            problems.append(f"{where}: questions are asked on the open challenge only")
        if (c.state == "awarded") != bool(c.result):
            problems.append(f"{where}: awarded challenges (and only they) publish a result")
        bidders = [p.by for p in c.proposals]
        duplicates(f"{where}: bidder", bidders)
        for p in c.proposals:
            user_of(p.by, f"{where} proposal", p.team)
            allowed = {"open": ("draft", "submitted"), "closed": ("submitted", "shortlisted")}.get(
                c.state, ("submitted", "awarded", "not_selected")
            )
            if p.state not in allowed:
                problems.append(f"{where}: a proposal of a {c.state} challenge cannot be {p.state}")
        for q in c.questions:
            user_of(q.by, f"{where} question")
    for r in content.contact_requests:
        where = f"contact request {r.demand} × {r.achievement}"
        if r.demand not in demands or demands[r.demand].state != "published":
            problems.append(f"{where}: the demand must be a published one of this file")
        if r.achievement not in keyed or keyed[r.achievement].state != "published":
            problems.append(f"{where}: the achievement must be a published one of this file")
        if r.stage not in CONTACT_STAGES:
            problems.append(f"{where}: unknown stage {r.stage!r}")
        for step in [r.advance, r.abandon, *r.notes, *r.signing]:
            if step:
                user_of(step["by"], where)
        user_of(r.by, where)
        if r.stage != "intent" and not r.advance:
            problems.append(f"{where}: past intent, someone moved it to negotiation")
        if (r.stage == "signed") != bool(r.signing) or (r.stage == "abandoned") != bool(r.abandon):
            problems.append(f"{where}: the stage and its steps do not agree")
    for s in content.subscriptions:
        user_of(s.user, f"subscription {s.name}")
    for where, text in searchable_texts(content) + history_texts(content):
        for word in BOILERPLATE:
            if word in text:
                problems.append(f"{where}: {word!r} in {text[:40]!r}…")
    return problems
