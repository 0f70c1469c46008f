"""Achievement packages (科技成果包): published achievements curated per key field of the plan, demand-oriented,
and the users who subscribe to a key field's packages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import SUMMARY_MAX_LENGTH
from techtransfer.packages.choices import PackageStatus


class Package(TimeStampedModel):
    """A package of published achievements for one key field, with a text saying which problems it answers."""

    key_field = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("key field"),
        limit_choices_to={"table__key": "key_field"},
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    cover = BoundedTextField(
        _("cover text"), max_length=SUMMARY_MAX_LENGTH, blank=True,
        help_text=_("Which problems of enterprises the package answers."),
    )
    cover_en = BoundedTextField(_("cover text (English)"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PackageStatus.choices, default=PackageStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("achievement package")
        verbose_name_plural = _("achievement packages")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "key_field"])]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the active language (English falls back to Chinese)."""
        english = (get_language() or "").startswith("en")
        return self.title_en if english and self.title_en else self.title

    @property
    def display_cover(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.cover_en if english and self.cover_en else self.cover


class PackageItem(models.Model):
    """One achievement in a package, in its place, with the editor's short note."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items", verbose_name=_("package"))
    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.CASCADE, related_name="+", verbose_name=_("achievement")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("package achievement")
        verbose_name_plural = _("package achievements")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "achievement"], name="package_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id}:{self.achievement_id}"


class PackageStatusChange(StatusHistory):
    record = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("package")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("package status change")
        verbose_name_plural = _("package status changes")


class KeyFieldSubscription(models.Model):
    """A user who wants to hear when a package of a key field is published."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key_field = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("key field"),
        limit_choices_to={"table__key": "key_field"},
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("key field subscription")
        verbose_name_plural = _("key field subscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "key_field"], name="key_field_subscription_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key_field_id}"
