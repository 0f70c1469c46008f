"""Who reads and who manages transformation carriers and their firms.

- Listed carriers and their firms are public (the registry and the incubation count read them).
- The operator's members read all of their carriers; the commission and the region's registration-body
  reviewers read every carrier once it has been submitted to them.
- The internal notes (of a carrier, of a firm) and the review note are read by the operator and by those who
  review it, never by the public.
- The operator's editors (members and TTO officers) manage the carrier and its firms; who takes which
  registration step is the carrier's workflow table (carriers.choices.CARRIER_STEPS).
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
    review_regions,
)
from techtransfer.carriers.choices import CarrierStatus
from techtransfer.carriers.models import Carrier

PUBLIC_STATUSES = {CarrierStatus.LISTED}
REVIEWED_VISIBLE = [s for s in CarrierStatus.values if s != CarrierStatus.DRAFT]


def carrier_visible_q(user: AnyUser, prefix: str = "") -> Q:
    """A filter for every carrier (or, with `prefix` such as "carrier__", every firm) the user may read."""
    if is_commission_admin(user):
        return Q()
    q = Q(**{f"{prefix}status__in": PUBLIC_STATUSES})
    if not is_signed_in(user):
        return q
    q |= Q(**{f"{prefix}owner_id__in": org_ids(user)})
    prefixes = review_regions(user)
    if prefixes:
        regional = Q(pk__in=[])
        for code in prefixes:
            regional |= Q(**{f"{prefix}owner__region__code__startswith": code})
        q |= regional & Q(**{f"{prefix}status__in": REVIEWED_VISIBLE})
    return q


def carrier_private_q(user: AnyUser, prefix: str = "") -> Q:
    """A filter for the carriers (or firms) whose internal notes the user reads: the operator, the reviewers."""
    if is_commission_admin(user):
        return Q(pk__isnull=False)
    if not is_signed_in(user):
        return Q(pk__in=[])
    q = Q(**{f"{prefix}owner_id__in": org_ids(user)})
    prefixes = review_regions(user)
    if prefixes:
        regional = Q(pk__in=[])
        for code in prefixes:
            regional |= Q(**{f"{prefix}owner__region__code__startswith": code})
        q |= regional
    return q


def can_create_for(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


def can_manage(user: AnyUser, carrier: Carrier) -> bool:
    """The operator's editors manage the carrier's details and its firms."""
    return carrier.owner_id in org_ids(user, EDITOR_ROLES)


def is_insider(user: AnyUser, carrier: Carrier) -> bool:
    """Works on the carrier (its operator, its reviewers): reads the notes and the history."""
    if not is_signed_in(user):
        return False
    return carrier.owner_id in org_ids(user) or can_moderate(user, carrier.owner)


