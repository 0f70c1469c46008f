"""The search index: one row per searchable object, with its segmented text and its facet values.

The full-text structures over these rows are not Django models: an FTS5 table kept in sync by triggers on
SQLite, a generated tsvector column with a GIN index on PostgreSQL (see search/backends/).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

FACET_COLUMNS = ("field", "type", "stage", "district", "transfer_modes")


def _facet_index(facet: str) -> models.Index:
    """An index led by one facet that holds the others too: the facet counts of an empty query (every
    public document, any filters) then read only this index, already in GROUP BY order."""
    others = [column for column in FACET_COLUMNS if column != facet]
    return models.Index(fields=["kind", "is_public", facet, *others], name=f"searchdoc_facet_{facet[:8]}")


class SearchDocument(models.Model):
    """What the search engine knows about one object (an achievement, later a demand): text and facets."""

    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.BigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=600)
    body = models.TextField(_("body"), blank=True)
    # Segmented, space-joined terms (search/segment.py): the columns the full-text index reads.
    title_terms = models.TextField(_("title terms"), blank=True)
    keywords = models.TextField(_("keyword terms"), blank=True)
    body_terms = models.TextField(_("body terms"), blank=True)
    # Facets: single codes, except transfer_modes which holds several as "|licence|transfer|".
    field = models.CharField(_("field"), max_length=64, blank=True)
    type = models.CharField(_("type"), max_length=64, blank=True)
    stage = models.CharField(_("stage"), max_length=64, blank=True)
    district = models.CharField(_("district"), max_length=64, blank=True)
    transfer_modes = models.CharField(_("transfer modes"), max_length=300, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="searchdocument_kind_object_unique")]
        indexes = [
            # The empty query's list: public documents of one kind, newest first.
            models.Index(fields=["kind", "is_public", "published_at"], name="searchdoc_kind_public_date"),
            *(_facet_index(facet) for facet in FACET_COLUMNS),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
