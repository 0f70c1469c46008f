"""States of an achievement package and its workflow table (draft → published → withdrawn → published)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class PackageStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The commission's editors (packages.permissions.EDITOR) publish; the subscribers of the key field hear of it.
PACKAGE_STEPS = (
    Step(
        "publish",
        (PackageStatus.DRAFT, PackageStatus.WITHDRAWN),
        PackageStatus.PUBLISHED,
        who=("editor",),
        label=_("Publish the package"),
        help=_("Show the package to everybody and tell the subscribers of its key field."),
        done=_("The package is published."),
        audit_label=_("published the achievement package"),
        notify=("subscribers",),
        notice=_("A new achievement package was published: %(title)s"),
    ),
    Step(
        "withdraw",
        PackageStatus.PUBLISHED,
        PackageStatus.WITHDRAWN,
        who=("editor",),
        label=_("Withdraw the package"),
        help=_("Take the package off the public list."),
        reason=Reason.OPTIONAL,
        done=_("The package is withdrawn."),
        audit_label=_("withdrew the achievement package"),
        style="secondary",
    ),
)

# How many achievements a package holds at most, and how many suggestions the edit page shows.
MAX_ITEMS = 30
SUGGESTION_LIMIT = 12
DEMANDS_PER_FIELD = 30
