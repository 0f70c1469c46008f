"""Object permissions for technology demands: who may see a demand and its contact details.

Who may take which workflow step is the demand's workflow table (market.choices.DEMAND_STEPS, bound in
market.workflows); moderators are those of accounts.permissions.can_moderate.
"""

from __future__ import annotations

from django.db.models import Q

from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    AnyUser,
    can_moderate,
    is_commission_admin,
    is_signed_in,
    org_ids,
    owner_in_regions_q,
    review_regions,
)
from techtransfer.market.choices import PUBLIC_STATUSES, DemandStatus
from techtransfer.market.models import TechnologyDemand

# What moderators see: everything once it has been sent to them (drafts stay with the owner).
MODERATED_VISIBLE = [s for s in DemandStatus.values if s != DemandStatus.DRAFT]


def demand_visible_q(user: AnyUser) -> Q:
    """A filter for every demand the user may read: published (and formerly published) ones for everybody."""
    if is_commission_admin(user):
        return Q()
    q = Q(status__in=PUBLIC_STATUSES)
    if not is_signed_in(user):
        return q
    q |= Q(owner_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        q |= owner_in_regions_q(prefixes) & Q(status__in=MODERATED_VISIBLE)
    return q


def can_create_for(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


def can_edit(user: AnyUser, demand: TechnologyDemand) -> bool:
    """Members of the owning organisation, while the demand is a draft."""
    return demand.status == DemandStatus.DRAFT and demand.owner_id in org_ids(user, EDITOR_ROLES)


def is_insider(user: AnyUser, demand: TechnologyDemand) -> bool:
    """Someone who works on the demand (its organisation, its moderators), as opposed to the public."""
    if not is_signed_in(user):
        return False
    return demand.owner_id in org_ids(user) or can_moderate(user, demand.owner)


def reads_review_note(user: AnyUser, demand: TechnologyDemand) -> bool:
    """Why a moderator returned the demand is for its organisation and its moderators (page and API)."""
    return is_insider(user, demand)


def demand_contact_visible_q(user: AnyUser) -> Q:
    """A filter for the demands whose contact details the user may read (see `demand_contact_visible`)."""
    if is_commission_admin(user):
        return Q(pk__isnull=False)  # "everything", but not an empty Q: the selectors use it inside When()
    q = Q(contact_public=True, status=DemandStatus.PUBLISHED)
    if not is_signed_in(user):
        return q
    q |= Q(owner_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        q |= owner_in_regions_q(prefixes)
    return q


def demand_contact_visible(user: AnyUser, demand: TechnologyDemand) -> bool:
    """The owner and moderators always see the contact; others only on a published demand marked public.

    Once a demand is matched, closed or expired its contact goes private again: nobody should still be
    calling about a need that is no longer open.
    """
    if is_insider(user, demand):
        return True
    return demand.contact_public and demand.status == DemandStatus.PUBLISHED
