"""Lexical search backends: how each database finds and ranks documents for a list of terms.

A backend owns the full-text structure it needs (installed by migration search/0002) and produces one
SQL fragment, `matching_sql`, which the query builder in search/api.py wraps with filters, facets and
paging. The backend follows the database vendor; settings.SEARCH_BACKEND may name one explicitly.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "search_searchdocument"


class SearchBackend(abc.ABC):
    """The interface; see sqlite_fts5.py and postgres.py."""

    name: str = ""
    vendor: str = ""

    @abc.abstractmethod
    def install(self, connection: BaseDatabaseWrapper) -> None:
        """Create the full-text structures over the search_searchdocument table (idempotent)."""

    @abc.abstractmethod
    def uninstall(self, connection: BaseDatabaseWrapper) -> None:
        """Drop the full-text structures (migration rollback)."""

    def repair(self, connection: BaseDatabaseWrapper) -> None:
        """Put back structures a schema change may have dropped. Cheap when nothing is missing."""
        return None  # optional: nothing to repair by default

    @abc.abstractmethod
    def document_frequencies(self, connection: BaseDatabaseWrapper, terms: Sequence[str], *, cap: int) -> list[int]:
        """How many documents contain each term, counting no further than `cap` (to bound the cost)."""

    @abc.abstractmethod
    def matching_sql(
        self,
        terms: Sequence[str],
        *,
        match_terms: Sequence[str] | None = None,
        require_all: bool = False,
        columns: Sequence[str],
        where: str,
        params: Sequence[Any],
    ) -> tuple[str, list[Any]]:
        """A SELECT of (id, matched, score, *columns) for every document that contains at least one of
        `match_terms` (all of them with `require_all`; by default `match_terms` are all the `terms`) and
        satisfies `where` (SQL over the table aliased `d`, with `params`). Every term of `terms` counts
        in `matched`; only `match_terms` count in `score`.

        `matched` is how many distinct terms the document contains and `score` its relevance (higher is
        better); hits are ordered by both, so a document with more of the query's words comes first.
        """

    def optimize(self, connection: BaseDatabaseWrapper) -> None:
        """Tidy the index after a bulk load."""
        return None  # optional: nothing to tidy by default


def _backends() -> dict[str, SearchBackend]:
    from techtransfer.search.backends.postgres import PostgresBackend
    from techtransfer.search.backends.sqlite_fts5 import SqliteFts5Backend

    return {backend.name: backend for backend in (SqliteFts5Backend(), PostgresBackend())}


def get_backend(connection: BaseDatabaseWrapper) -> SearchBackend:
    backends = _backends()
    name = getattr(settings, "SEARCH_BACKEND", "") or ""
    if name:
        if name not in backends:
            raise ImproperlyConfigured(f"SEARCH_BACKEND must be one of {', '.join(sorted(backends))}, not {name!r}")
        backend = backends[name]
        if backend.vendor != connection.vendor:
            raise ImproperlyConfigured(
                f"SEARCH_BACKEND={name!r} needs a {backend.vendor} database, but the database is {connection.vendor}"
            )
        return backend
    for backend in backends.values():
        if backend.vendor == connection.vendor:
            return backend
    raise ImproperlyConfigured(f"No search backend for the {connection.vendor} database")
