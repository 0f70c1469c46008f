from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    PUBLISHED = "published", _("Published")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


# The owning organisation may close a demand in any of these states.
CLOSABLE_STATUSES = {DemandStatus.DRAFT, DemandStatus.UNDER_REVIEW, DemandStatus.PUBLISHED}
# A deal may be signed after the deadline passed, from talks begun while the demand was public.
MATCHABLE_STATUSES = {DemandStatus.PUBLISHED, DemandStatus.EXPIRED}
