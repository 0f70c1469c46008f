"""Projects funded by S&T programmes (an NSFC grant list, a Beijing programme list...) and the record each owes.

Government-funded projects must register their achievements (R1.1). The commission imports the programme's
list of funded projects; each project is matched to the platform's organisation by its host institution's
name; units link their achievements to the projects; `funded_projects_owing` shows, per unit, which
finished projects have no achievement record yet.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.achievements import permissions as perms
from techtransfer.achievements import services
from techtransfer.achievements.choices import REGISTERED_STATUSES, Status
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core.imports import (
    CodeLookup,
    ImportFormat,
    ParsedRow,
    RowErrors,
    RowInvalid,
    register_import_format,
    table_import,
)
from techtransfer.core.models import CodeItem, ImportBatch, ImportMode
from techtransfer.lib.tables import Column, rows_export, text_of

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
WAN = Decimal(10_000)  # amounts in programme lists are in 万元 (10,000 yuan)
CENT = Decimal("0.01")

FUNDED_COLUMNS = [
    Column("grant_number", "批准号", gettext_lazy("Grant number"), required=True,
           aliases=("grant_no", "grant number", "项目批准号", "项目编号")),
    Column("grant_type", "项目类别", gettext_lazy("Grant type"), aliases=("grant_type", "资助类别", "项目类型")),
    Column("title", "项目名称", gettext_lazy("Title"), required=True, aliases=("project title",)),
    Column("institution_name", "依托单位", gettext_lazy("Host institution"), required=True,
           aliases=("institution", "承担单位", "单位名称")),
    Column("principal_investigator", "负责人", gettext_lazy("Principal investigator"), aliases=("pi", "项目负责人")),
    Column("amount", "金额(万元)", gettext_lazy("Amount (10,000 yuan)"),
           aliases=("amount_wan_cny", "金额", "资助金额", "批准金额", "资助金额(万元)", "批准金额(万元)")),
    Column("period", "起止年月", gettext_lazy("Period"), aliases=("period", "起止时间", "研究期限")),
    Column("evaluation", "结题评估", gettext_lazy("Evaluation"), aliases=("evaluation", "结题评价", "评估结果")),
]

PERIOD = re.compile(
    r"^(\d{4})\s*[.\-/年]?\s*(\d{1,2})\s*月?\s*(?:-|~|～|—|–|至|到)+\s*(\d{4})\s*[.\-/年]?\s*(\d{1,2})\s*月?$"
)


def _compact(name: str) -> str:
    """An institution's name without any spaces (lists often write 北京 大学 or use full-width spaces)."""
    return re.sub(r"\s+", "", name or "")


def period_parse(text: str) -> tuple[datetime.date, datetime.date]:
    """"2018.01-2020.12" → (2018-01-01, 2020-12-31): the project runs to the end of its last month."""
    match = PERIOD.match(text.strip())
    if not match:
        raise ValueError(
            _("Write the period as YYYY.MM-YYYY.MM (e.g. 2018.01-2020.12); got %(value)s.") % {"value": text}
        )
    y1, m1, y2, m2 = (int(g) for g in match.groups())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
        raise ValueError(_("%(value)s has a month outside 1–12.") % {"value": text})
    start = datetime.date(y1, m1, 1)
    end = datetime.date(y2, m2, calendar.monthrange(y2, m2)[1])
    if end < start:
        raise ValueError(_("The period %(value)s ends before it starts.") % {"value": text})
    return start, end


def amount_parse(value: Any) -> Decimal:
    """万元 → 元: 18 → 180000.00."""
    text = text_of(value).replace(",", "").replace("，", "").removesuffix("万元").removesuffix("万").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("The amount %(value)s is not a number (in 10,000 yuan).") % {"value": text}) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("The amount %(value)s must be zero or more.") % {"value": text})
    return (amount * WAN).quantize(CENT)


class OrganisationMatcher:
    """The platform's organisations by exact name and by name without spaces."""

    def __init__(self) -> None:
        self.by_name: dict[str, int] = {}
        for pk, name in Organisation.objects.values_list("pk", "name"):
            self.by_name.setdefault(name, pk)
            self.by_name.setdefault(_compact(name), pk)

    def find(self, name: str) -> int | None:
        return self.by_name.get(name.strip()) or self.by_name.get(_compact(name))


def _programme(programme_code: str) -> CodeItem:
    item = CodeLookup().find("project_source", programme_code)
    if item is None:
        raise ValidationError(
            {"programme": [
                _("%(code)s is not a programme of the project-source code table.") % {"code": programme_code}
            ]}
        )
    return item


@register_import_format
class FundedProjectFormat(ImportFormat):
    """A programme's list of funded projects (NSFC-style English or Chinese headers), keyed by grant number."""

    kind = "funded_projects"
    label = gettext_lazy("Funded projects")
    columns = FUNDED_COLUMNS
    audit_action = "funded_projects.import"
    chunk_size = CHUNK_SIZE
    repeat_message = gettext_lazy("This grant number appears already in row %(row)d.")

    def __init__(self, *, by: User | None, programme: CodeItem) -> None:
        super().__init__(by=by, scope=None)
        self.programme = programme
        self.matcher = OrganisationMatcher()

    def check_permission(self) -> None:
        if self.by is not None and not is_commission_admin(self.by):
            raise PermissionDenied(_("Only commission administrators import funded-project lists."))

    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        fields: dict[str, Any] = {}
        errors: RowErrors = []
        for key, value in cells.items():
            try:
                if key == "amount":
                    fields["amount"] = amount_parse(value)
                elif key == "period":
                    fields["start"], fields["end"] = period_parse(text_of(value))
                else:
                    fields[key] = text_of(value)
            except ValueError as exc:
                errors.append((key, str(exc)))
        for column in FUNDED_COLUMNS:
            if column.required and not fields.get(column.key) and not any(k == column.key for k, _m in errors):
                errors.append((column.key, _("This column is required.")))
        known = {k for k, _m in errors}
        try:
            FundedProject(programme=self.programme, **fields).full_clean(
                exclude=["programme", "organisation"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name not in known:
                    key = "period" if name in {"start", "end"} else name
                    errors.extend((key, m) for m in messages)
        if errors:
            raise RowInvalid(errors)
        return ParsedRow(number, fields["grant_number"], fields, key_column="grant_number")

    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        existing = dict(
            FundedProject.objects.filter(programme=self.programme, grant_number__in=keys)
            .values_list("grant_number", "organisation_id")
        )
        unlinked = [grant for grant, organisation_id in existing.items() if organisation_id is None]
        if unlinked:
            self._link_hosts(unlinked)
        return set(existing)

    def _link_hosts(self, grants: list[str]) -> None:
        """The host institution of a project imported before may have joined the platform since: link it now."""
        for project in FundedProject.objects.filter(programme=self.programme, grant_number__in=grants):
            organisation_id = self.matcher.find(project.institution_name)
            if organisation_id:
                FundedProject.objects.filter(pk=project.pk).update(organisation_id=organisation_id)

    def rows_save(self, rows: Sequence[ParsedRow]) -> list[int]:
        new = [
            FundedProject(
                programme=self.programme, organisation_id=self.matcher.find(r.values["institution_name"]), **r.values
            )
            for r in rows
        ]
        FundedProject.objects.bulk_create(new)
        return [p.pk for p in new]

    def audit_object(self) -> CodeItem:
        return self.programme


def funded_projects_import(
    *,
    file: Any,
    programme_code: str,
    by: User | None,
    file_name: str = "",
    max_bytes: int | None = None,
    mode: str = ImportMode.GOOD_ROWS,
) -> ImportBatch:
    """Import a programme's list of funded projects (TSV, CSV or XLSX; NSFC-style or Chinese headers).

    Idempotent on (programme, grant number): a project already imported is counted unchanged (and linked to
    its host if the host has joined the platform since). Amounts in 万元 are stored in yuan. `by=None` means
    the system (management command); people must be commission administrators.
    """
    fmt = FundedProjectFormat(by=by, programme=_programme(programme_code))
    return table_import(fmt, file=file, file_name=file_name, mode=mode, max_bytes=max_bytes)


# ---------------------------------------------------------------------------------------------------------
# Linking achievements


def funded_project_linkable(project: FundedProject, *, owner: Organisation, unit_names: Iterable[str] = ()) -> bool:
    """A project may be linked by its host unit, or, if the host is not on the platform, by a unit of that name."""
    if project.organisation_id:
        return project.organisation_id == owner.pk
    names = {_compact(owner.name), *(_compact(n) for n in unit_names)}
    return _compact(project.institution_name) in names


@transaction.atomic
def achievement_link_funded_project(
    *, achievement: Achievement, funded_project: FundedProject | None, by: User, reason: str = ""
) -> Achievement:
    """Link (or with None, unlink) the achievement and the funded project whose record it is.

    It goes through `achievement_update` for drafts and returned records and through `achievement_revise`
    for registered ones, so the same permission, state and audit rules apply as for any other edit. The
    programme fields left blank on the record are filled from the project.
    """
    achievement = Achievement.objects.select_related("owner", "project_source").get(pk=achievement.pk)
    registered = achievement.status in REGISTERED_STATUSES
    # The services check again; checking first means a stranger learns nothing about the project's host.
    if not (perms.can_revise(by, achievement) if registered else perms.can_edit(by, achievement)):
        raise PermissionDenied(_("You cannot change this achievement."))
    data: dict[str, Any] = {"funded_project": funded_project}
    if funded_project is not None:
        units = list(achievement.units.values_list("name", flat=True))
        if not funded_project_linkable(funded_project, owner=achievement.owner, unit_names=units):
            host = funded_project.organisation.name if funded_project.organisation else funded_project.institution_name
            raise ValidationError({"funded_project": [
                _("Funded project %(grant)s is hosted by %(host)s, which is not a unit of this achievement.")
                % {"grant": funded_project.grant_number, "host": host}
            ]})
        programme = funded_project.programme
        if achievement.project_source_id is None:
            data["project_source"] = programme
        if not achievement.programme_number:
            data["programme_number"] = funded_project.grant_number
        if not achievement.programme_name:
            data["programme_name"] = f"{programme.label_zh}{funded_project.grant_type}"[:200]
    if registered:
        grant = funded_project.grant_number if funded_project else "—"
        services.achievement_revise(
            achievement=achievement, by=by, data=data,
            reason=reason or _("Linked to funded project %(grant)s.") % {"grant": grant},
        )
    else:
        services.achievement_update(achievement=achievement, by=by, data=data)
    achievement.refresh_from_db()
    return achievement


# ---------------------------------------------------------------------------------------------------------
# Who still owes a record


@dataclass
class OwingUnit:
    """A unit (or, for hosts not on the platform, an institution name) and its projects without a record."""

    organisation: Organisation | None
    institution_name: str
    count: int = 0
    projects: list[FundedProject] = field(default_factory=list)


def funded_projects_owing_queryset(
    *, organisation: Organisation | None = None, ended_only: bool = True, today: datetime.date | None = None
) -> QuerySet[FundedProject]:
    """Funded projects with no achievement record linked (a withdrawn record does not count)."""
    records = Achievement.objects.filter(funded_project=OuterRef("pk")).exclude(status=Status.WITHDRAWN)
    qs = FundedProject.objects.filter(~Exists(records)).select_related("organisation", "programme")
    if ended_only:
        qs = qs.filter(end__lt=today or timezone.localdate())
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def funded_projects_owing(
    *,
    organisation: Organisation | None = None,
    ended_only: bool = True,
    today: datetime.date | None = None,
    include_unlinked: bool = False,
) -> list[OwingUnit]:
    """Per unit: the funded projects whose end date has passed (or all, `ended_only=False`) that still have
    no achievement record, most owing first. Projects whose host is not on the platform are grouped by
    institution name only with `include_unlinked`. Given an organisation, the answer is that one unit,
    even when it owes nothing."""
    qs = funded_projects_owing_queryset(organisation=organisation, ended_only=ended_only, today=today)
    if organisation is None and not include_unlinked:
        qs = qs.filter(organisation__isnull=False)
    groups: dict[Any, OwingUnit] = {}
    if organisation is not None:
        groups[organisation.pk] = OwingUnit(organisation, organisation.name)
    for project in qs.order_by("end", "grant_number"):
        group_key = project.organisation_id or f"name:{_compact(project.institution_name)}"
        unit = groups.get(group_key)
        if unit is None:
            name = project.organisation.name if project.organisation else project.institution_name
            unit = groups[group_key] = OwingUnit(project.organisation, name)
        unit.projects.append(project)
        unit.count += 1
    return sorted(groups.values(), key=lambda u: (-u.count, u.institution_name))


def funded_projects_export(*, queryset: QuerySet[FundedProject], fmt: str) -> bytes:
    """A list of funded projects as XLSX or CSV; amounts in yuan as numbers, dates in ISO form."""
    headers = [
        _("Grant number"), _("Grant type"), _("Title"), _("Host institution"), _("Organisation"),
        _("Principal investigator"), _("Amount (yuan)"), _("Start"), _("End"), _("Evaluation"),
    ]
    rows = (
        [p.grant_number, p.grant_type, p.title, p.institution_name, p.organisation.name if p.organisation else "",
         p.principal_investigator, p.amount, p.start, p.end, p.evaluation]
        for p in queryset.select_related("organisation").iterator(chunk_size=2000)
    )
    return rows_export(headers=headers, rows=rows, fmt=fmt, sheet_title=_("Funded projects"))
