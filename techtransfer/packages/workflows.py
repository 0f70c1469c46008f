"""The package's workflow table (packages.choices.PACKAGE_STEPS) bound to its model, history and roles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Workflow, register
from techtransfer.packages.choices import PACKAGE_STEPS, PackageStatus
from techtransfer.packages.models import Package, PackageStatusChange
from techtransfer.packages.permissions import EDITOR, SUBSCRIBERS

PACKAGE_FLOW = register(
    Workflow(
        kind="package",
        label=_("achievement package"),
        model=Package,
        history=PackageStatusChange,
        states=PackageStatus,
        steps=PACKAGE_STEPS,
        roles={"editor": EDITOR, "subscribers": SUBSCRIBERS},
        record_name="package",
        get_record="techtransfer.packages.selectors.package_get",
        detail_url=lambda package: reverse("packages:detail", args=[package.pk]),
        services={name: f"techtransfer.packages.services.package_{name}" for name in ("publish", "withdraw")},
        insider="techtransfer.packages.permissions.can_edit",
    )
)
