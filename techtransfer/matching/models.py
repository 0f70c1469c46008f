"""What the matching engine stores: sentence vectors of the search documents, and expert profiles.

The lexical side of matching is the search index itself (search.SearchDocument); the semantic side is a
vector per document row and embedder, kept here. A vector remembers which version of its document it was
computed from (`source_updated`), so "what still needs embedding" is one query, and an interrupted run
resumes there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techtransfer.lib.fields import BoundedTextField

RESEARCH_FOCUS_MAX = 2000


class DocumentVector(models.Model):
    """The embedding of one search document (title, keywords and body) by one embedder, as float16 bytes.

    A document has one vector per embedder, so that another embedder's vectors can be prepared beside the
    ones in use (MATCHING_PREPARED_EMBEDDERS) before the switch."""

    # No index of its own: the unique (document, embedder) constraint leads with it.
    document = models.ForeignKey(
        "search.SearchDocument", on_delete=models.CASCADE, related_name="vectors", db_index=False
    )
    # Denormalised from the document, so that loading one kind's vectors reads one index.
    kind = models.CharField(_("kind"), max_length=32)
    embedder = models.CharField(_("embedder"), max_length=16)
    text_hash = models.CharField(_("text hash"), max_length=32)
    vector = models.BinaryField(_("vector"))
    # The document's `updated` when its text was read: a later `updated` means the vector is stale.
    source_updated = models.DateTimeField(_("source version"))
    embedded_at = models.DateTimeField(_("embedded at"), auto_now=True)

    class Meta:
        verbose_name = _("document vector")
        verbose_name_plural = _("document vectors")
        indexes = [models.Index(fields=["kind", "embedder", "embedded_at"], name="docvector_kind_embedder_at")]
        constraints = [models.UniqueConstraint(fields=["document", "embedder"], name="docvector_one_per_embedder")]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id} ({self.embedder})"


class Expert(models.Model):
    """A person who could solve a problem: named on published achievements or as a funded project's PI.

    People are identified by name and unit, so namesakes at different units stay apart; the same person
    at two units is two experts until an administrator merges them (ExpertAlias). A person who claims the
    profile (talent app) gets `account` and writes the profile's own part: title, research focus, expertise.
    """

    key = models.CharField(_("key"), max_length=320, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    achievement_count = models.PositiveIntegerField(_("published achievements"), default=0)
    project_count = models.PositiveIntegerField(_("funded projects"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # What the person says about themselves once they have claimed the profile; the records never overwrite it.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="expert_profiles",
        verbose_name=_("account"), help_text=_("The user who claimed this profile and speaks for the expert."),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    stated_title = models.CharField(_("title as stated by the expert"), max_length=50, blank=True)
    research_focus = BoundedTextField(_("research focus"), max_length=RESEARCH_FOCUS_MAX, blank=True)
    expertise = models.JSONField(_("expertise"), default=list, blank=True)
    accepts_consultations = models.BooleanField(_("takes consultation requests"), default=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_name})" if self.unit_name else self.name

    @property
    def display_title(self) -> str:
        return self.stated_title or self.title

    @property
    def other_units(self) -> list[str]:
        """The units of the profiles merged into this one, other than its own, each once."""
        return list(dict.fromkeys(a.unit_name for a in self.aliases.all() if a.unit_name != self.unit_name))


class ExpertAlias(models.Model):
    """Records under another name and unit that belong to an expert: what merging the same person's profiles
    at two units leaves, so that rebuilding the profiles from the records keeps them together."""

    key = models.CharField(_("key"), max_length=320, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("expert"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    # What the merge moved, so that it can be undone: {"app.model": {"field": [pk, ...]}} of the links that
    # pointed at the profile merged in, and whether its keeper's account came along.
    moved_links = models.JSONField(_("links moved"), default=dict, blank=True)
    took_account = models.BooleanField(_("took the keeper's account"), default=False)

    class Meta:
        verbose_name = _("merged expert profile")
        verbose_name_plural = _("merged expert profiles")
        ordering = ["merged_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_name}) → {self.expert_id}"
