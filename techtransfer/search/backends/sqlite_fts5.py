"""SQLite: an FTS5 external-content table over the segmented columns, kept in sync by triggers.

The text is segmented in Python before it is stored, so FTS5 only has to split on the spaces we put in
(unicode61 keeps a run of Chinese characters as one token). Ranking is bm25 with per-column weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from techtransfer.search.backends import TABLE, SearchBackend

FTS = f"{TABLE}_fts"
COLUMNS = ("title_terms", "keywords", "body_terms")
# bm25 weights in COLUMNS order: a word in the title counts most, then keywords, then the body.
WEIGHTS = (10.0, 5.0, 1.0)
TRIGGERS = (f"{FTS}_ai", f"{FTS}_ad", f"{FTS}_au")
# The columns a search reads for each match, keyed by id: see matching_sql.
COVERING_INDEX = f"{TABLE}_by_id_covering"
COVERED = ("id", "kind", "is_public", "object_id", "field", "type", "stage", "district", "transfer_modes")


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{column}" for column in COLUMNS)


def _phrase(term: str) -> str:
    """An FTS5 string literal for one term, so that no character of it is read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


class SqliteFts5Backend(SearchBackend):
    name = "sqlite_fts5"
    vendor = "sqlite"

    def _trigger_sql(self) -> list[str]:
        columns = ", ".join(COLUMNS)
        insert = f"INSERT INTO {FTS}(rowid, {columns}) VALUES (new.id, {_values('new')});"
        delete = f"INSERT INTO {FTS}({FTS}, rowid, {columns}) VALUES ('delete', old.id, {_values('old')});"
        return [
            f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON {TABLE} BEGIN {insert} END",
            f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER DELETE ON {TABLE} BEGIN {delete} END",
            # Only text changes touch the index; a facet or visibility change leaves it alone.
            f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER UPDATE OF {columns} ON {TABLE} "
            f"BEGIN {delete} {insert} END",
        ]

    def install(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({', '.join(COLUMNS)}, "
                f"content='{TABLE}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
            )
            for sql in self._trigger_sql():
                cursor.execute(sql)
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {COVERING_INDEX} ON {TABLE} ({', '.join(COVERED)})")
            # Index whatever rows already exist (none on a fresh database).
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")

    def uninstall(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")
            cursor.execute(f"DROP INDEX IF EXISTS {COVERING_INDEX}")

    def repair(self, connection: BaseDatabaseWrapper) -> None:
        # Django alters a SQLite table by copying it into a new one, which drops its triggers: put them
        # back and rebuild the index from the table, since writes in between were not mirrored.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE (type = 'trigger' AND tbl_name = %s) OR name IN (%s, %s)",
                [TABLE, FTS, COVERING_INDEX],
            )
            present = {row[0] for row in cursor.fetchall()}
        if present != {FTS, COVERING_INDEX, *TRIGGERS}:
            self.install(connection)

    def document_frequencies(self, connection: BaseDatabaseWrapper, terms: Sequence[str], *, cap: int) -> list[int]:
        one = f"(SELECT COUNT(*) FROM (SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s LIMIT %s))"
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([one] * len(terms)), [v for t in terms for v in (_phrase(t), cap)])
            return list(cursor.fetchone())

    def _fts_sql(self, terms: Sequence[str], match_terms: Sequence[str], require_all: bool) -> tuple[str, list[Any]]:
        """(doc_id, matched, score) straight from the FTS index."""
        weights = ", ".join(str(w) for w in WEIGHTS)
        match = (" AND " if require_all else " OR ").join(_phrase(term) for term in match_terms)
        if require_all or len(terms) == 1:
            # One MATCH. (A lone SELECT must not go under the GROUP BY below: SQLite would flatten it
            # into the aggregate, where bm25() may not run.)
            columns = f"rowid AS doc_id, {len(match_terms)} AS matched, -bm25({FTS}, {weights}) AS score"
            return f"SELECT {columns} FROM {FTS} WHERE {FTS} MATCH %s", [match]
        # One MATCH per term, added up per document: the sum of the single-term bm25 scores is the bm25 of
        # the OR query, and the row count per document is how many of the terms it contains. A term that
        # does not decide the match (a common word) only counts, unscored, in the documents the deciding
        # terms found: FTS5 intersects the two lists cheaply, where bm25 over them would not be.
        branches, params = [], []
        for term in terms:
            if term in match_terms:
                branches.append(f"SELECT rowid AS doc_id, bm25({FTS}, {weights}) AS r FROM {FTS} WHERE {FTS} MATCH %s")
                params.append(_phrase(term))
            else:
                branches.append(f"SELECT rowid AS doc_id, 0.0 AS r FROM {FTS} WHERE {FTS} MATCH %s")
                params.append(f"{_phrase(term)} AND ({match})")
        union = " UNION ALL ".join(branches)
        return f"SELECT doc_id, COUNT(*) AS matched, -SUM(r) AS score FROM ({union}) AS t GROUP BY doc_id", params

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
        fts, fts_params = self._fts_sql(terms, match_terms or terms, require_all)
        selected = ", ".join(f"d.{column}" for column in columns)
        # The covering index holds every column read here, so a match costs no visit to the wide table row.
        sql = (
            f"SELECT d.id, m.matched, m.score, {selected} FROM ({fts}) AS m "
            f"JOIN {TABLE} AS d INDEXED BY {COVERING_INDEX} ON d.id = m.doc_id WHERE {where}"
        )
        return sql, [*fts_params, *params]

    def optimize(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
            cursor.execute(f"ANALYZE {TABLE}")
