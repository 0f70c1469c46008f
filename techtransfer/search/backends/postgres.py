"""PostgreSQL: a weighted tsvector over the segmented columns, with a GIN index, ranked by ts_rank_cd.

The vector is a stored generated column rather than an expression index: both use the same expression
and the same GIN index for matching, but ranking needs the vector of every matching row, and a stored
one is read instead of being rebuilt with to_tsvector for each row at query time. The 'simple'
configuration only lowercases, which is right for text that segment.py has already cut and stemmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from techtransfer.search.backends import TABLE, SearchBackend

VECTOR = "search_vector"
INDEX = f"{TABLE}_vector_gin"
# Weight classes: title A, keywords B, body C (ts_rank_cd's defaults give them 1.0, 0.4 and 0.2).
VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title_terms, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(keywords, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body_terms, '')), 'C')"
)
TERM_QUERY = "plainto_tsquery('simple'::regconfig, %s)"


class PostgresBackend(SearchBackend):
    name = "postgres"
    vendor = "postgresql"

    def install(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {VECTOR} tsvector "
                f"GENERATED ALWAYS AS ({VECTOR_SQL}) STORED"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ({VECTOR})")

    def uninstall(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {VECTOR}")

    def repair(self, connection: BaseDatabaseWrapper) -> None:
        self.install(connection)

    def document_frequencies(self, connection: BaseDatabaseWrapper, terms: Sequence[str], *, cap: int) -> list[int]:
        one = f"(SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} WHERE {VECTOR} @@ {TERM_QUERY} LIMIT %s) AS t)"
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([one] * len(terms)), [v for t in terms for v in (t, cap)])
            return list(cursor.fetchone())

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
        match_terms = match_terms or terms
        matched = " + ".join([f"(d.{VECTOR} @@ {TERM_QUERY})::int"] * len(terms))
        # Common words (outside match_terms) count in `matched` but not in the rank, as on SQLite.
        any_term = " || ".join([TERM_QUERY] * len(match_terms))
        match = (" && " if require_all else " || ").join([TERM_QUERY] * len(match_terms))
        selected = ", ".join(f"d.{column}" for column in columns)
        sql = (
            f"SELECT d.id, {matched} AS matched, ts_rank_cd(d.{VECTOR}, q.scored)::float8 AS score, {selected} "
            f"FROM {TABLE} AS d, (SELECT {any_term} AS scored, {match} AS match) AS q "
            f"WHERE d.{VECTOR} @@ q.match AND {where}"
        )
        return sql, [*terms, *match_terms, *match_terms, *params]

    def optimize(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {TABLE}")
            else:
                # VACUUM (not allowed in a transaction) marks the pages all-visible, which lets the facet
                # counts of an empty query read the facet indexes alone (index-only scans).
                cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
