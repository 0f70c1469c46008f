"""Profiles of experts and organisations, built from the records, so that a demand can be matched to people.

An expert's profile gathers what their published achievements and funded projects say (titles,
keywords, field), under their own name and unit and under those merged into them (ExpertAlias), plus what a
person who claimed the profile wrote (research focus, expertise); an organisation's gathers its published
achievements and demands. Both are written to the search index (kinds "expert" and "organisation"), and so
get vectors like any other document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, Q

from techtransfer.accounts.choices import REVIEWING_ORG_TYPES
from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import Achievement, CompletingPerson, FundedProject
from techtransfer.matching.models import Expert, ExpertAlias
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


# An expert is listed (indexed and found) while records name them or while the person speaks for the profile.
LISTED = Q(achievement_count__gt=0) | Q(project_count__gt=0) | Q(account__isnull=False)


def _merged_into() -> dict[str, _Profile]:
    """For each merged name|unit key, an empty profile under the name and unit of the expert it was merged into:
    records found under the old key are counted there (the table holds one row per merge, so it is small)."""
    return {
        alias.key: _Profile(name=alias.expert.name, unit=alias.expert.unit_name)
        for alias in ExpertAlias.objects.select_related("expert")
    }


def _profile_for(profiles: dict[str, _Profile], merged: dict[str, _Profile], name: str, unit: str) -> _Profile:
    key = expert_key(name, unit)
    if key in merged:
        seed = merged[key]
        return profiles.setdefault(expert_key(seed.name, seed.unit), _Profile(name=seed.name, unit=seed.unit))
    return profiles.setdefault(key, _Profile(name=name, unit=unit))


def _collect(person_q: Q, project_q: Q) -> dict[str, _Profile]:
    """Profiles of the people named on published achievements (person_q) and funded projects (project_q)."""
    profiles: dict[str, _Profile] = {}
    merged = _merged_into()
    persons = (
        CompletingPerson.objects.filter(person_q, achievement__status="published")
        .select_related("achievement__owner__region", "achievement__high_tech_field")
        .order_by("-achievement__published_at")
    )
    for person in persons.iterator(chunk_size=2000):
        a = person.achievement
        unit = person.unit_name or a.owner.name
        profile = _profile_for(profiles, merged, person.name, unit)
        if unit == a.owner.name == profile.unit:
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
        profile = _profile_for(profiles, merged, project.principal_investigator, project.institution_name)
        if project.organisation_id and project.institution_name == profile.unit:
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
    return list(Expert.objects.filter(key__in=list(profiles)).prefetch_related("aliases"))


def _claimed_without_records(profiles: dict[str, _Profile], experts: Q | None = None) -> None:
    """A claimed profile stays listed when no record names the person any more: they speak for it."""
    claimed = Expert.objects.filter(experts or Q(), account__isnull=False).exclude(key__in=list(profiles))
    for expert in claimed.select_related("organisation__region"):
        org = expert.organisation
        profiles[expert.key] = _Profile(
            name=expert.name, unit=expert.unit_name, organisation_id=expert.organisation_id, title=expert.title,
            district=org.region.code if org else "",
        )


def _expert_documents(experts: Iterable[Expert], profiles: dict[str, _Profile]) -> Iterable[search_api.Document]:
    for expert in experts:
        p = profiles[expert.key]
        units = [p.unit, *expert.other_units]
        yield search_api.Document(
            kind=EXPERT,
            object_id=expert.pk,
            title=" · ".join([p.name, " / ".join(u for u in units if u)]) if any(units) else p.name,
            body="\n".join([expert.research_focus, *p.titles]).strip(),
            keywords=list(dict.fromkeys([*expert.expertise, *p.keywords])),
            field=p.fields.most_common(1)[0][0] if p.fields else "",
            district=p.district,
            is_public=True,
        )


def experts_reindex_all(*, progress: Progress | None = None) -> int:
    """Rebuild every expert profile and its index entry; experts no longer named anywhere are removed."""
    profiles = _collect(Q(), Q())
    _claimed_without_records(profiles)
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
    known = set(keys)
    _drop([pk for pk, key in Expert.objects.values_list("pk", "key").iterator() if key not in known])
    search_api.remove_documents_except(EXPERT, Expert.objects.filter(LISTED).values("pk"))
    return done


def _drop(pks: list[int]) -> None:
    """Experts no record names any more leave the index and the table; one something else still points at (a
    consultation asked of them) is kept, unlisted and with no records, so that the link stays whole."""
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        for pk in batch:
            search_api.remove_document(EXPERT, pk)
        try:
            with transaction.atomic():
                Expert.objects.filter(pk__in=batch).delete()
        except ProtectedError:
            for pk in batch:
                try:
                    with transaction.atomic():
                        Expert.objects.filter(pk=pk).delete()
                except ProtectedError:
                    Expert.objects.filter(pk=pk).update(achievement_count=0, project_count=0)


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
        _refresh_named(names)
    organisations_reindex([achievement.owner_id])


def expert_refresh(expert: Expert) -> None:
    """Re-profile one expert (after its own part was edited, or others were merged into it)."""
    _refresh_named([expert.name])


def _with_merged_names(names: list[str]) -> list[str]:
    """The names, with every name of the experts they belong to through a merge: a merged profile is counted
    whole, whichever of its names a changed record gives."""
    experts = Expert.objects.filter(Q(name__in=names) | Q(aliases__name__in=names)).distinct()
    merged = ExpertAlias.objects.filter(expert__in=experts)
    more = {*experts.values_list("name", flat=True), *merged.values_list("name", flat=True)}
    return list(dict.fromkeys([*names, *sorted(more)]))


def _refresh_named(names: list[str]) -> None:
    """Re-profile everyone of these names: the records name people by name, so namesakes come along."""
    names = _with_merged_names(list(dict.fromkeys(names)))
    profiles = _collect(Q(name__in=names), Q(principal_investigator__in=names))
    _claimed_without_records(profiles, Q(name__in=names))
    with transaction.atomic():
        experts = _save_experts(profiles)
        search_api.index_documents(_expert_documents(experts, profiles))
        # Someone no longer named on any published record (the achievement was withdrawn) is dropped.
        _drop(list(Expert.objects.filter(name__in=names).exclude(key__in=list(profiles)).values_list("pk", flat=True)))


def experts_merge(*, into: Expert, other: Expert, by: Any) -> Expert:
    """Merge `other` (the same person at another unit) into `into`: every link to `other` (a consultation, a
    claim, earlier merges) now points at `into`, its records are counted there from now on, including after
    rebuilds, and what the person wrote is kept. The caller checks permission and locks both rows."""
    moved: dict[str, dict[str, list[int]]] = {}
    for relation in Expert._meta.get_fields(include_hidden=True):
        # Apps above link to experts without this app naming them: every foreign key to Expert is followed.
        if relation.auto_created and not relation.concrete and relation.one_to_many:
            field = relation.field.name
            links = relation.related_model._base_manager.filter(**{field: other})
            pks = list(links.values_list("pk", flat=True))
            if pks:
                moved.setdefault(relation.related_model._meta.label_lower, {})[field] = pks
                links.update(**{field: into})
    took_account = into.account_id is None and other.account_id is not None
    ExpertAlias.objects.create(key=other.key, name=other.name, unit_name=other.unit_name, expert=into, merged_by=by,
                               moved_links=moved, took_account=took_account)
    if took_account:
        into.account_id, into.claimed_at = other.account_id, other.claimed_at
    into.stated_title = into.stated_title or other.stated_title
    into.research_focus = into.research_focus or other.research_focus
    into.expertise = list(dict.fromkeys([*into.expertise, *other.expertise]))
    into.accepts_consultations = into.accepts_consultations and other.accepts_consultations
    into.save()
    search_api.remove_document(EXPERT, other.pk)
    other.delete()
    expert_refresh(into)
    into.refresh_from_db()
    return into


# The keeper of a profile and what the person wrote; a profile nobody keeps has the fields' defaults.
PERSON_FIELDS = ("account", "claimed_at", "stated_title", "research_focus", "expertise", "accepts_consultations")


def experts_split(*, merge: ExpertAlias) -> Expert | None:
    """Undo a merge: the profile merged in comes back under its name and unit with its records, and the links the
    merge moved (those still on the kept profile) go back to it; so does the keeper's account, with what the person
    wrote, when it came with the merge. Returns the profile restored, or None when nothing names it any more.
    The caller checks permission and locks the kept row."""
    kept = merge.expert
    restored, _ = Expert.objects.get_or_create(key=merge.key,
                                               defaults={"name": merge.name, "unit_name": merge.unit_name})
    if merge.took_account and kept.account_id:
        for name in PERSON_FIELDS:
            setattr(restored, name, getattr(kept, name))
            setattr(kept, name, Expert._meta.get_field(name).get_default())
        restored.save()
        kept.save()
    for label, links in merge.moved_links.items():
        model = apps.get_model(label)
        for name, pks in links.items():
            model._base_manager.filter(pk__in=pks, **{name: kept}).update(**{name: restored})
    merge.delete()
    _refresh_named([kept.name, merge.name])
    return Expert.objects.filter(pk=restored.pk).first()
