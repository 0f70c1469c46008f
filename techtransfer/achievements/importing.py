"""The achievement import format: the 科技成果登记表 as a table, one achievement per row, and its template.

Every good row becomes a draft through the creation service's two halves (`services.achievements_prepare`
checks and converts, `achievements_insert` saves), so permissions, validation and the audit trail apply as on
the form; a large file's rows are prepared by helper processes while the importer saves (`core.import_pool`).
Reading the file, reporting every bad row with its row number, column and reason, the two import modes and
the batch record are `techtransfer.core.imports`' (shared with funded projects and technology contracts);
this module declares the columns and how a row becomes a draft.
A row's import key (its external ID, or a hash of its normalised content) is unique per owner, so importing
the same file again creates nothing twice; a row of the unit's own export is recognised by its record ID.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements import permissions as perms
from techtransfer.achievements import services
from techtransfer.achievements.choices import AchievementType, IPKind, Secrecy
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core import jobs
from techtransfer.core.imports import (
    CodeLookup,
    ImportFormat,
    ParsedRow,
    RowErrors,
    RowInvalid,
    RowSkipped,
    content_key,
    register_import_format,
    table_import,
)
from techtransfer.core.models import CodeItem, ImportBatch, ImportMode
from techtransfer.lib import validators
from techtransfer.lib.tables import (
    LIST_SEPARATORS,
    Column,
    HeaderMap,
    list_split,
    month_parse,
    text_of,
    value_normalise,
)

logger = logging.getLogger(__name__)

# Rows are read, prepared and saved in chunks: one transaction and one `achievements_insert` call per chunk.
CHUNK_SIZE = 1000
# Imported records are indexed by background jobs of at most this many ids each; after this many in all,
# the last job compacts the full-text index (as achievements_reindex does for a long list of ids).
INDEX_JOB_SIZE = 5000
OPTIMIZE_AFTER = 10_000
MAX_KEYWORDS = services.MAX_KEYWORDS

NAME_SEPARATORS = LIST_SEPARATORS
UNIT_SEPARATORS = re.compile(r"[;；、\n]+")  # unit names may contain commas
IP_SEPARATORS = re.compile(r"[;；,，、\s]+")


# ---------------------------------------------------------------------------------------------------------
# Columns


COLUMNS: list[Column] = [
    Column("external_id", "外部编号", gettext_lazy("External ID"), "external_id", aliases=("external id", "外部id"),
           hint="可选。本单位系统中的编号；再次导入时用它识别同一条成果。"),
    Column("name", "成果名称", gettext_lazy("Name"), required=True, aliases=("名称", "achievement name")),
    Column("name_en", "英文名称", gettext_lazy("English name"), aliases=("成果英文名称",)),
    Column("achievement_type", "成果类型", gettext_lazy("Type"), "type", required=True, aliases=("achievement type",),
           hint="应用技术 / 基础理论 / 软科学（或 applied / basic / soft）"),
    Column("summary", "成果简介", gettext_lazy("Summary"), required=True, aliases=("简介",)),
    Column("summary_en", "英文简介", gettext_lazy("English summary"), aliases=("成果英文简介",)),
    Column("keywords", "关键词", gettext_lazy("Keywords"), "keywords", hint="最多3个，用；或、分隔"),
    Column("discipline", "学科", gettext_lazy("Discipline"), "code", "discipline", aliases=("学科分类",),
           hint="见「代码表」，填名称或代码（GB/T 13745）"),
    Column("high_tech_field", "高新技术领域", gettext_lazy("High-tech field"), "code", "high_tech_field",
           aliases=("所属高新技术领域", "高技术领域")),
    Column("industry", "行业", gettext_lazy("Industry"), "code", "industry", aliases=("应用行业", "国民经济行业"),
           hint="GB/T 4754 门类或大类，填名称或代码"),
    Column("stage", "成果所处阶段", gettext_lazy("Stage"), "code", "stage", aliases=("所处阶段", "阶段")),
    Column("level", "成果水平", gettext_lazy("Level"), "code", "level", aliases=("水平",)),
    Column("application_status", "应用状态", gettext_lazy("Application status"), "code", "application_status",
           aliases=("应用情况",)),
    Column("attribute", "成果属性", gettext_lazy("Attribute"), "code", "attribute", aliases=("属性",)),
    Column("project_source", "项目来源", gettext_lazy("Project source"), "code", "project_source",
           aliases=("课题来源", "计划来源")),
    Column("programme_name", "计划名称", gettext_lazy("Programme"), aliases=("项目名称", "计划项目名称")),
    Column("programme_number", "计划编号", gettext_lazy("Programme project number"),
           aliases=("项目编号", "课题编号", "批准号"), hint="例如国家自然科学基金批准号；与已导入的资助项目关联"),
    Column("research_start", "研究起始", gettext_lazy("Research start"), "month", aliases=("起始时间", "研究起始时间"),
           hint="YYYY-MM，如 2021-01"),
    Column("research_end", "研究终止", gettext_lazy("Research end"), "month", aliases=("终止时间", "研究终止时间"),
           hint="YYYY-MM，如 2023-12"),
    Column("persons", "完成人", gettext_lazy("Completing persons"), "persons", aliases=("主要完成人", "完成人员"),
           hint="按贡献排序，用、或；分隔"),
    Column("units", "完成单位", gettext_lazy("Other completing units"), "units", aliases=("其他完成单位", "合作单位"),
           hint="第一完成单位为本单位，无需填写；其他单位用；分隔"),
    Column("patents", "专利号", gettext_lazy("Patent numbers"), "patents", aliases=("专利", "专利申请号"),
           hint="可填多个，用；分隔，如 ZL202110123456.7"),
    Column("software", "软件著作权登记号", gettext_lazy("Software copyright numbers"), "software",
           aliases=("软件著作权", "软著登记号"), hint="可填多个，如 2022SR0123456"),
    Column("transfer_modes", "转化方式", gettext_lazy("Intended transfer modes"), "codes", "transfer_mode",
           aliases=("拟转化方式", "transfer modes"), hint="可填多个，用；分隔，见「代码表」"),
    Column("secrecy", "密级", gettext_lazy("Secrecy level"), "secrecy", aliases=("成果密级",),
           hint="填“无”；涉密成果不在本平台登记"),
    Column("contact_name", "联系人", gettext_lazy("Contact person")),
    Column("contact_phone", "联系电话", gettext_lazy("Contact phone"), aliases=("电话",)),
    Column("contact_email", "联系邮箱", gettext_lazy("Contact e-mail"),
           aliases=("邮箱", "电子邮箱", "email", "e-mail")),
]

# Columns an export adds that carry no form data: an import accepts and ignores them, except the record ID,
# which lets a unit re-import its own export without creating anything.
RECORD_ID = Column("id", "记录ID", gettext_lazy("Record ID"), "record_id", aliases=("record id", "平台编号", "编号id"))
EXPORT_ONLY = [
    Column("registration_number", "登记号", gettext_lazy("Registration number"), aliases=("批准登记号",)),
    Column("status", "状态", gettext_lazy("Status")),
    Column("owner", "登记单位", gettext_lazy("Registering unit")),
    Column("registered_at", "登记日期", gettext_lazy("Registered on")),
    Column("published_at", "发布日期", gettext_lazy("Published on")),
    Column("created", "创建日期", gettext_lazy("Created on")),
    Column("funded_project", "资助项目", gettext_lazy("Funded project")),
]

# The Chinese names on the registration form, and other words people write for the same values.
TYPE_CHINESE = {"applied": "应用技术", "basic": "基础理论", "soft": "软科学"}
TYPE_WORDS = {**{zh: code for code, zh in TYPE_CHINESE.items()}, "应用": "applied", "基础": "basic"}
SECRECY_CHINESE = {"0": "无", "1": "秘密", "2": "机密", "3": "绝密"}
SECRECY_WORDS = {
    **{zh: code for code, zh in SECRECY_CHINESE.items()},
    "非密": "0", "公开": "0", "不涉密": "0", "none": "0", "no": "0", "public": "0",
    "confidential": "2", "top secret": "3", "secret": "1",
}


# ---------------------------------------------------------------------------------------------------------
# Rows


@dataclass
class AchievementRow:
    """One parsed row, ready for `services.achievements_create`."""

    data: dict[str, Any] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    ip_items: list[dict[str, Any]] = field(default_factory=list)
    transfer_modes: list[CodeItem] = field(default_factory=list)
    unit_names: list[str] = field(default_factory=list)
    external_id: str = ""

    def draft(self, key: str) -> services.NewAchievement:
        return services.NewAchievement(
            data=self.data, units=self.units, persons=self.persons, ip_items=self.ip_items,
            transfer_modes=self.transfer_modes, import_key=key,
        )

    def key(self) -> str:
        """The external ID, or sha256 of the normalised content: codes rather than labels, so 应用技术 and
        applied agree. The content's shape must not change (see `core.imports.content_key`)."""
        if self.external_id:
            return self.external_id
        return content_key({
            "data": {k: _plain(v) for k, v in self.data.items()},
            "units": self.unit_names,
            "persons": [p["name"] for p in self.persons],
            "ip": sorted((i["kind"], i["number"]) for i in self.ip_items),
            "modes": sorted(m.code for m in self.transfer_modes),
        })


def _plain(value: Any) -> Any:
    if isinstance(value, CodeItem):
        return value.code
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _choice_words(choices: type[Any], extra: dict[str, str]) -> dict[str, str]:
    words = {value_normalise(k): v for k, v in extra.items()}
    for value, label in choices.choices:
        words[value_normalise(value)] = value
        words[value_normalise(str(label))] = value
        with translation.override("en"):
            words[value_normalise(str(label))] = value
    return words


def _unknown_code(text: str) -> str:
    return _("%(value)s is not in the code table; use a name or code from the Codes sheet of the template.") % {
        "value": text
    }


PATENT_KIND_OF = {
    "invention": IPKind.INVENTION_PATENT, "utility_model": IPKind.UTILITY_MODEL, "design": IPKind.DESIGN_PATENT,
}


def _ip_items(kind: str, text: str) -> list[dict[str, Any]]:
    items, problems = [], []
    for number in list_split(text, IP_SEPARATORS):
        if kind == "software":
            ip_kind = IPKind.SOFTWARE_COPYRIGHT
        else:
            ip_kind = PATENT_KIND_OF.get(validators.patent_kind(number) or "", IPKind.INVENTION_PATENT)
        try:
            canonical = services.ip_number_validate(ip_kind, number)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        items.append({"kind": str(ip_kind), "number": canonical, "granted": number.upper().startswith("ZL")})
    if problems:
        raise ValueError(" ".join(problems))
    return items


Reader = Callable[[AchievementRow, Any], None]


class RowReader:
    """Turns the cells of one row into form data, collecting every problem with its column.

    One reader function per column, chosen once per import rather than per cell.
    """

    def __init__(self, *, owner: Organisation, codes: CodeLookup) -> None:
        self.owner = owner
        self.codes = codes
        self.types = _choice_words(AchievementType, TYPE_WORDS)
        self.secrecy = _choice_words(Secrecy, SECRECY_WORDS)
        self.required = [c.key for c in COLUMNS if c.required]
        self.readers: dict[str, Reader] = {}
        for column in COLUMNS:
            make = getattr(self, f"_{column.kind}")
            self.readers[column.key] = make(column)

    def parse(self, cells: dict[str, Any]) -> AchievementRow:
        """The row's values, or RowInvalid with every problem; `cells` holds the non-empty cells by key."""
        row = AchievementRow()
        errors: RowErrors = []
        readers = self.readers
        for key, value in cells.items():
            reader = readers.get(key)
            if reader is None:
                continue
            try:
                reader(row, value)
            except ValueError as exc:
                errors.append((key, str(exc)))
        data = row.data
        for key in self.required:
            if key not in data and not any(k == key for k, _m in errors):
                errors.append((key, _("This column is required.")))
        if errors:
            raise RowInvalid(errors)
        data.setdefault("secrecy", Secrecy.NONE)
        row.units = [{"name": self.owner.name, "organisation": self.owner}, *({"name": n} for n in row.unit_names)]
        return row

    # One factory per column kind: each returns the function that reads a cell of that column.

    def _text(self, column: Column) -> Reader:
        key = column.key

        def read(row: AchievementRow, value: Any) -> None:
            row.data[key] = text_of(value)

        return read

    def _external_id(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            text = text_of(value)
            if len(text) > 64:
                raise ValueError(_("An external ID has at most 64 characters."))
            row.external_id = text

        return read

    def _type(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            text = text_of(value)
            code = self.types.get(value_normalise(text))
            if code is None:
                raise ValueError(
                    _("%(value)s is not an achievement type; use 应用技术, 基础理论 or 软科学.") % {"value": text}
                )
            row.data["achievement_type"] = code

        return read

    def _secrecy(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            text = text_of(value)
            secrecy = self.secrecy.get(value_normalise(text))
            if secrecy is None:
                raise ValueError(_("%(value)s is not a secrecy level; write 无 for unclassified.") % {"value": text})
            if secrecy != Secrecy.NONE:
                raise ValueError(
                    _("Classified achievements (%(value)s) are not registered on this platform; they follow the "
                      "secrecy rules (R1.1).") % {"value": text}
                )
            row.data["secrecy"] = secrecy

        return read

    def _code(self, column: Column) -> Reader:
        key, table, find = column.key, column.table, self.codes.find

        def read(row: AchievementRow, value: Any) -> None:
            item = find(table, value)
            if item is None:
                raise ValueError(_unknown_code(text_of(value)))
            row.data[key] = item

        return read

    def _codes(self, column: Column) -> Reader:
        table, find = column.table, self.codes.find

        def read(row: AchievementRow, value: Any) -> None:
            items: list[CodeItem] = []
            unknown = []
            for part in list_split(text_of(value)):
                item = find(table, part)
                if item is None:
                    unknown.append(part)
                elif item not in items:
                    items.append(item)
            if unknown:
                raise ValueError(_unknown_code("；".join(unknown)))
            row.transfer_modes = items

        return read

    def _keywords(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            keywords = list_split(text_of(value))
            if len(keywords) > MAX_KEYWORDS:
                raise ValueError(
                    _("At most %(max)d keywords are allowed; this row has %(n)d.")
                    % {"max": MAX_KEYWORDS, "n": len(keywords)}
                )
            row.data["keywords"] = keywords

        return read

    def _month(self, column: Column) -> Reader:
        key = column.key

        def read(row: AchievementRow, value: Any) -> None:
            row.data[key] = month_parse(value)

        return read

    def _persons(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            names = list_split(text_of(value), NAME_SEPARATORS)
            too_long = [n for n in names if len(n) > 100]
            if too_long:
                raise ValueError(_("A person's name has at most 100 characters: %(name)s") % {"name": too_long[0][:30]})
            row.persons = [{"name": n} for n in names]

        return read

    def _units(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            names = [n for n in list_split(text_of(value), UNIT_SEPARATORS) if n != self.owner.name]
            too_long = [n for n in names if len(n) > 200]
            if too_long:
                raise ValueError(_("A unit name has at most 200 characters: %(name)s") % {"name": too_long[0][:30]})
            row.unit_names = names

        return read

    def _patents(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            row.ip_items.extend(_ip_items("patents", text_of(value)))

        return read

    def _software(self, column: Column) -> Reader:
        def read(row: AchievementRow, value: Any) -> None:
            row.ip_items.extend(_ip_items("software", text_of(value)))

        return read


# ---------------------------------------------------------------------------------------------------------
# The format


@register_import_format
class AchievementFormat(ImportFormat):
    """Achievements into the drafts of one unit (`scope`), through `services.achievements_create`."""

    kind = "achievements"
    label = gettext_lazy("Achievements")
    columns = [*COLUMNS, RECORD_ID]
    ignored_columns = EXPORT_ONLY
    audit_action = "achievement.import"
    chunk_size = CHUNK_SIZE
    parallel = True

    def __init__(self, *, by: User, scope: Organisation) -> None:
        super().__init__(by=by, scope=scope)
        self.owner = scope
        self.reader = RowReader(owner=scope, codes=self.codes)
        self.note = ""
        self.example_key = ""

    # A copy goes to each helper process that reads rows; the reader's column functions are made again there.
    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "reader"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.reader = RowReader(owner=self.owner, codes=self.codes)

    def check_permission(self) -> None:
        if not perms.can_create_for(self.by, self.owner.pk):
            raise PermissionDenied(_("You can only import achievements into your own organisation."))

    def check_header(self, header: HeaderMap) -> None:
        if not (header.has("name") or header.has("id")):
            raise ValidationError(
                {"file": [_("The header row has no 成果名称 (Name) column; start from the import template.")]}
            )

    def start(self, batch: ImportBatch) -> None:
        self.note = _("Imported from %(file)s") % {"file": batch.file_name}
        self.example_key = template_example_key(owner=self.owner, codes=self.codes)

    def rows_known(self, rows: Sequence[tuple[int, dict[str, Any]]]) -> set[int]:
        # A row of this unit's own export names its record: it is there already, whatever the other cells say.
        record_ids: dict[int, int] = {}
        for number, cells in rows:
            text = text_of(cells.get("id"))
            if text.isdigit():
                record_ids[number] = int(text)
        if not record_ids:
            return set()
        owned = set(
            Achievement.objects.filter(owner=self.owner, pk__in=set(record_ids.values())).values_list("pk", flat=True)
        )
        return {number for number, pk in record_ids.items() if pk in owned}

    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        row = self.reader.parse(cells)
        key = row.key()
        if key == self.example_key:
            raise RowSkipped(_("The template's example row was skipped; replace it with your data."))
        return ParsedRow(number, key, row, key_column="external_id" if row.external_id else "")

    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        return set(
            Achievement.objects.filter(owner=self.owner, import_key__in=keys).values_list("import_key", flat=True)
        )

    def rows_prepare(self, rows: Sequence[ParsedRow]) -> list[ParsedRow]:
        self._link_funded_projects([r.values for r in rows])
        prepared = services.achievements_prepare(
            by=self.by, owner=self.owner, drafts=[r.values.draft(r.key) for r in rows], note=self.note
        )
        return [dataclasses.replace(r, values=p) for r, p in zip(rows, prepared, strict=True)]

    def rows_save(self, rows: Sequence[ParsedRow]) -> list[int]:
        return services.achievements_insert(by=self.by, owner=self.owner, prepared=[r.values for r in rows])

    def _link_funded_projects(self, rows: list[AchievementRow]) -> None:
        """A row naming a programme and grant number that was imported as a funded project is linked to it."""
        from techtransfer.achievements.funded import funded_project_linkable

        wanted = [r for r in rows if r.data.get("project_source") and r.data.get("programme_number")]
        if not wanted:
            return
        projects = {
            (p.programme_id, p.grant_number): p
            for p in FundedProject.objects.filter(grant_number__in={r.data["programme_number"] for r in wanted})
        }
        for row in wanted:
            project = projects.get((row.data["project_source"].pk, row.data["programme_number"]))
            if project and funded_project_linkable(project, owner=self.owner, unit_names=row.unit_names):
                row.data["funded_project"] = project

    def imported(self, ids: list[int]) -> None:
        # The drafts reach the search index through background jobs (ids only), not inside the import.
        starts = range(0, len(ids), INDEX_JOB_SIZE)
        for start in starts:
            chunk = ids[start : start + INDEX_JOB_SIZE]
            # The last job of a large import compacts the index (the jobs run in order on one worker; on
            # several, it may run before another chunk: the index is then merely less compact).
            optimize = start == starts[-1] and len(ids) >= OPTIMIZE_AFTER
            kwargs: dict[str, Any] = {"achievement_ids": chunk}
            if optimize:
                kwargs["optimize"] = True
            jobs.enqueue("techtransfer.achievements.tasks.reindex_imported", **kwargs)


def achievement_import(
    *,
    by: User,
    owner: Organisation,
    file: bytes | str | Path | IO[bytes] | Any,
    file_name: str = "",
    max_bytes: int | None = None,
    mode: str = ImportMode.GOOD_ROWS,
) -> ImportBatch:
    """Import achievements from an XLSX or CSV file into drafts of `owner`, and report on every row.

    Rows are checked by `services.achievements_prepare` (the same checks as the form) and saved in chunks; a
    chunk with a row the service refuses is checked row by row so that every bad row is reported. With
    `mode=ImportMode.ALL_OR_NOTHING` nothing is saved if any row is bad. The new drafts are indexed by
    background jobs queued at the end. An oversize or unreadable file raises ValidationError and saves nothing.
    """
    return table_import(AchievementFormat(by=by, scope=owner), file=file, file_name=file_name, mode=mode,
                        max_bytes=max_bytes)


def search_reindex(ids: Sequence[int]) -> None:
    """Index newly imported achievements in batches (the job that `AchievementFormat.imported` queues)."""
    if not ids:
        return
    try:
        search = importlib.import_module("techtransfer.achievements.search")
    except ImportError:
        logger.warning(
            "techtransfer.achievements.search is not available: %d imported achievements were not indexed; "
            "rebuild the search index once it is.", len(ids),
        )
        return
    search.achievements_reindex(ids=list(ids))


# ---------------------------------------------------------------------------------------------------------
# Template


def _example_values() -> dict[str, str]:
    def label(table: str, code: str) -> str:
        item = CodeItem.objects.current(table).filter(code=code).first()
        return item.label_zh if item else code

    patent = "202110123456"
    return {
        "external_id": "",
        "name": "基于深度学习的道路裂缝自动检测方法（示例）",
        "name_en": "Deep-learning detection of road cracks (example)",
        "achievement_type": "应用技术",
        "summary": "本成果提出一种基于深度学习的道路裂缝自动检测方法，识别准确率达到95%，已在市政道路巡检中试用。",
        "summary_en": "A deep-learning method that detects road cracks with 95% accuracy; in trial use.",
        "keywords": "道路裂缝；深度学习；图像识别",
        "discipline": label("discipline", "520"),
        "high_tech_field": label("high_tech_field", "electronics"),
        "industry": label("industry", "I"),
        "stage": label("stage", "middle"),
        "level": label("level", "dom_leading"),
        "application_status": label("application_status", "trial"),
        "attribute": label("attribute", "original"),
        "project_source": label("project_source", "nsfc"),
        "programme_name": "国家自然科学基金面上项目",
        "programme_number": "62171001",
        "research_start": "2021-01",
        "research_end": "2023-12",
        "persons": "李研究、王成果",
        "units": "北京合作研究院",
        "patents": f"ZL{patent}.{validators.patent_check_character(patent)}",
        "software": "2022SR0123456",
        "transfer_modes": f"{label('transfer_mode', 'licence')}；{label('transfer_mode', 'transfer')}",
        "secrecy": "无",
        "contact_name": "王成果",
        "contact_phone": "010-62780000",
        "contact_email": "tto@example.cn",
    }


def template_example_key(*, owner: Organisation, codes: CodeLookup | None = None) -> str:
    """The import key of the untouched example row, which an import skips rather than stores."""
    example = {key: value for key, value in _example_values().items() if value}
    try:
        return RowReader(owner=owner, codes=codes or CodeLookup()).parse(example).key()
    except RowInvalid:
        return ""


def _choice_codes(choices: type[Any], chinese: dict[str, str]) -> list[tuple[str, str, str]]:
    rows = []
    for value, label in choices.choices:
        with translation.override("en"):
            rows.append((value, chinese[value], str(label)))
    return rows


def _code_sheet_rows() -> list[tuple[Column, list[tuple[str, str, str]]]]:
    blocks = []
    for column in COLUMNS:
        if column.kind in {"code", "codes"}:
            items = CodeItem.objects.current(column.table).order_by("sort_order", "code")
            blocks.append((column, [(i.code, i.label_zh, i.label_en) for i in items]))
        elif column.kind == "type":
            blocks.append((column, _choice_codes(AchievementType, TYPE_CHINESE)))
        elif column.kind == "secrecy":
            blocks.append((column, _choice_codes(Secrecy, SECRECY_CHINESE)))
    return blocks


def achievement_import_template(fmt: str) -> bytes:
    """The file users fill in: bilingual headers, one example row, and (XLSX) a sheet of allowed codes."""
    headers = [c.header() for c in COLUMNS]
    example = _example_values()
    values = [example[c.key] for c in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerow(values)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"Unknown template format {fmt!r}")
    return _template_xlsx(headers, values)


def _template_xlsx(headers: list[str], values: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "成果 Achievements"
    sheet.append(headers)
    sheet.append(values)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 36
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if column.required:
            cell.fill = required_fill
        if column.hint:
            cell.comment = Comment(column.hint, "techtransfer", width=260, height=80)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 40 if column.key in {"name", "summary", "summary_en"} else 16
        if column.kind == "month" or column.key in {"contact_phone", "programme_number", "external_id"}:
            for row in range(2, 1002):  # text cells, so Excel keeps 2021.10 and leading zeros as typed
                sheet.cell(row=row, column=index).number_format = "@"

    codes = workbook.create_sheet("代码表 Codes")
    codes.append(["字段 Column", "代码 Code", "中文名称 Chinese", "English"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for width, letter in zip((22, 16, 36, 48), "ABCD", strict=True):
        codes.column_dimensions[letter].width = width
    for column, items in _code_sheet_rows():
        first = codes.max_row + 1
        for code, chinese, english in items:
            codes.append([column.zh, code, chinese, english])
        if column.kind != "codes" and items:  # a drop-down of Chinese labels; other values still allowed
            index = COLUMNS.index(column) + 1
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list", formula1=f"'代码表 Codes'!$C${first}:$C${codes.max_row}", allow_blank=True,
                showErrorMessage=True, errorStyle="warning",
            )
            validation.error = "请从下拉列表选择，或填写代码表中的代码。"
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}1001")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
