"""Profiles of experts and organisations, built from the records, so that a demand can be matched to people.

An expert's profile gathers what their published achievements and funded projects say (titles,
keywords, field); an organisation's gathers its published achievements and demands. Both are written to
the search index (kinds "expert" and "organisation"), and so get vectors like any other document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from techtransfer.accounts.choices import REVIEWING_ORG_TYPES
from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import Achievement, CompletingPerson, FundedProject
from techtransfer.matching.models import Expert
from techtransfer.search import api as search_api
from techtransfer.search.batches import KindIndexer
from techtransfer.search.registry import Progress

EXPERT = "expert"
ORGANISATION = "organisation"
# A profile lists at most this many titles: enough to say what someone works on, bounded for the index.
MAX_TITLES = 40
BATCH = 500


def expert_key(name: str, unit: str) -> str:
    return f"{''.join(name.split())}|{''.join(unit.split())}"[:320]


@dataclass
class _Profile:
    name: str
    unit: str
    organisation_id: int | None = None
    title: str = ""
    titles: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    fields: Counter[str] = field(default_factory=Counter)
    district: str = ""
    achievements: int = 0
    projects: int = 0


def _collect(person_q: Q, project_q: Q) -> dict[str, _Profile]:
    """Profiles of the people named on published achievements (person_q) and funded projects (project_q)."""
    profiles: dict[str, _Profile] = {}
    persons = (
        CompletingPerson.objects.filter(person_q, achievement__status="published")
        .select_related("achievement__owner__region", "achievement__high_tech_field")
        .order_by("-achievement__published_at")
    )
    for person in persons.iterator(chunk_size=2000):
        a = person.achievement
        unit = person.unit_name or a.owner.name
        key = expert_key(person.name, unit)
        profile = profiles.setdefault(key, _Profile(name=person.name, unit=unit))
        if unit == a.owner.name:
            profile.organisation_id = a.owner_id
            profile.district = a.owner.region.code
        profile.title = profile.title or person.title
        profile.achievements += 1
        if len(profile.titles) < MAX_TITLES:
            profile.titles.append(a.name)
            profile.keywords.extend(a.keywords)
        if a.high_tech_field:
            profile.fields[a.high_tech_field.code] += 1
    projects = (
        FundedProject.objects.filter(project_q)
        .exclude(principal_investigator="")
        .select_related("organisation__region")
        .order_by("-start")
    )
    for project in projects.iterator(chunk_size=2000):
        key = expert_key(project.principal_investigator, project.institution_name)
        profile = profiles.setdefault(key, _Profile(name=project.principal_investigator, unit=project.institution_name))
        if project.organisation_id:
            profile.organisation_id = project.organisation_id
            profile.district = project.organisation.region.code
        profile.projects += 1
        if len(profile.titles) < MAX_TITLES:
            profile.titles.append(project.title)
    return profiles


def _save_experts(profiles: dict[str, _Profile]) -> list[Expert]:
    rows = [
        Expert(
            key=key,
            name=p.name[:100],
            unit_name=p.unit[:200],
            organisation_id=p.organisation_id,
            title=p.title[:50],
            achievement_count=p.achievements,
            project_count=p.projects,
        )
        for key, p in profiles.items()
    ]
    Expert.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["name", "unit_name", "organisation", "title", "achievement_count", "project_count", "updated"],
    )
    return list(Expert.objects.filter(key__in=list(profiles)))


def _expert_documents(experts: Iterable[Expert], profiles: dict[str, _Profile]) -> Iterable[search_api.Document]:
    for expert in experts:
        p = profiles[expert.key]
        yield search_api.Document(
            kind=EXPERT,
            object_id=expert.pk,
            title=f"{p.name} · {p.unit}" if p.unit else p.name,
            body="\n".join(p.titles),
            keywords=list(dict.fromkeys(p.keywords)),
            field=p.fields.most_common(1)[0][0] if p.fields else "",
            district=p.district,
            is_public=True,
        )


def experts_reindex_all(*, progress: Progress | None = None) -> int:
    """Rebuild every expert profile and its index entry; experts no longer named anywhere are removed."""
    profiles = _collect(Q(), Q())
    keys = list(profiles)
    done = 0
    for start in range(0, len(keys), BATCH):
        chunk = {key: profiles[key] for key in keys[start : start + BATCH]}
        with transaction.atomic():
            experts = _save_experts(chunk)
            search_api.index_documents(_expert_documents(experts, chunk))
        done += len(chunk)
        if progress:
            progress(done, len(keys))
    _delete_vanished(set(keys))
    search_api.remove_documents_except(EXPERT, Expert.objects.values("pk"))
    return done


def _delete_vanished(keys: set[str]) -> None:
    gone = [pk for pk, key in Expert.objects.values_list("pk", "key").iterator() if key not in keys]
    for start in range(0, len(gone), BATCH):
        Expert.objects.filter(pk__in=gone[start : start + BATCH]).delete()


def _organisation_document(org: Organisation) -> search_api.Document:
    achievements = list(
        Achievement.objects.public()
        .filter(owner=org)
        .select_related("high_tech_field")
        .order_by("-published_at")[:MAX_TITLES]
    )
    demands = list(
        org.technology_demands.filter(status="published")
        .order_by("-published_at")
        .values_list("title", flat=True)[:MAX_TITLES]
    )
    fields = Counter(a.high_tech_field.code for a in achievements if a.high_tech_field)
    return search_api.Document(
        kind=ORGANISATION,
        object_id=org.pk,
        title=" ".join(part for part in (org.name, org.name_en) if part),
        body="\n".join([org.description, *(a.name for a in achievements), *demands]),
        keywords=[k for a in achievements for k in a.keywords],
        field=fields.most_common(1)[0][0] if fields else "",
        type=org.org_type,
        district=org.region.code,
        # Registration bodies and supervising departments review, they do not solve problems.
        is_public=org.org_type not in REVIEWING_ORG_TYPES and (bool(achievements) or bool(demands)),
    )


ORGANISATIONS = KindIndexer(
    ORGANISATION, records=lambda: Organisation.objects.select_related("region"), document=_organisation_document
)
organisations_reindex_all = ORGANISATIONS.reindex_all


def organisations_reindex(ids: Iterable[int]) -> int:
    orgs = Organisation.objects.filter(pk__in=list(ids)).select_related("region")
    return search_api.index_documents(_organisation_document(org) for org in orgs)


def profiles_refresh_for_achievement(achievement_id: int) -> None:
    """Re-profile the people named on one achievement and its owner (after it was published or changed)."""
    achievement = Achievement.objects.filter(pk=achievement_id).select_related("owner").first()
    if achievement is None:
        return
    names = list(achievement.persons.values_list("name", flat=True))
    if names:
        profiles = _collect(Q(name__in=names), Q(principal_investigator__in=names))
        with transaction.atomic():
            experts = _save_experts(profiles)
            search_api.index_documents(_expert_documents(experts, profiles))
            # Someone no longer named on any published record (the achievement was withdrawn) is dropped.
            stale = Expert.objects.filter(name__in=names).exclude(key__in=list(profiles))
            for expert in stale:
                search_api.remove_document(EXPERT, expert.pk)
            stale.delete()
    organisations_reindex([achievement.owner_id])
