"""Object permissions for technology demands: the one place that says who may see or do what.

Moderators are the commission's administrators and the reviewers of a registration body whose region
covers the owning organisation (the same people who review that unit's achievement registrations).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from techtransfer.accounts.choices import Role
from techtransfer.accounts.permissions import is_commission_admin, org_ids, owner_in_regions_q, review_regions
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand

# Roles in the owning organisation that may write and manage its demands.
EDITOR_ROLES = {Role.MEMBER, Role.TTO_OFFICER}
# What moderators see: everything once it has been sent to them (drafts stay with the owner).
MODERATED_VISIBLE = [s for s in DemandStatus.values if s != DemandStatus.DRAFT]


def demand_visible_q(user: Any) -> Q:
    """A filter for every demand the user may read: published ones for everybody."""
    if is_commission_admin(user):
        return Q()
    q = Q(status=DemandStatus.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return q
    q |= Q(owner_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        q |= owner_in_regions_q(prefixes) & Q(status__in=MODERATED_VISIBLE)
    return q


def can_create_for(user: Any, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


def is_owner_member(user: Any, demand: TechnologyDemand) -> bool:
    return demand.owner_id in org_ids(user, EDITOR_ROLES)


def can_edit(user: Any, demand: TechnologyDemand) -> bool:
    """Members of the owning organisation, while the demand is a draft."""
    return demand.status == DemandStatus.DRAFT and is_owner_member(user, demand)


def can_moderate(user: Any, demand: TechnologyDemand) -> bool:
    if is_commission_admin(user):
        return True
    code = demand.owner.region.code
    return any(code.startswith(prefix) for prefix in review_regions(user))


def demand_contact_visible_q(user: Any) -> Q:
    """A filter for the demands whose contact details the user may read (see `demand_contact_visible`)."""
    if is_commission_admin(user):
        return Q(pk__isnull=False)  # "everything", but not an empty Q: the selectors use it inside When()
    q = Q(contact_public=True, status=DemandStatus.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return q
    q |= Q(owner_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        q |= owner_in_regions_q(prefixes)
    return q


def demand_contact_visible(user: Any, demand: TechnologyDemand) -> bool:
    """The owner and moderators always see the contact; others only on a published demand marked public.

    Once a demand is matched, closed or expired its contact goes private again: nobody should still be
    calling about a need that is no longer open.
    """
    if demand.owner_id in org_ids(user) or can_moderate(user, demand):
        return True
    return demand.contact_public and demand.status == DemandStatus.PUBLISHED
