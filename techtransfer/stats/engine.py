"""The analytics store behind the statistics: one interface, three engines (settings.STATS_ENGINE).

- "duckdb" (default, one machine). The facts (stats.facts) are Parquet files, one per registration month,
  under STATS_DIR/facts/ (default BASE_DIR/var/analytics/facts/YYYY-MM.parquet). Why files and not a DuckDB
  database file: a DuckDB database file admits one writing process and no other process beside it, while the
  statistics are read by several web processes (gunicorn workers) and written by the job runner. Parquet files
  written to a temporary name and moved into place with os.replace are atomic on POSIX: a reader sees the old
  partition or the new one, never half of one, and an already open file stays readable after the replace.
  Writers serialise on an flock (STATS_DIR/.write.lock), so two jobs refreshing the same month cannot write an
  older reading over a newer one. A month is rewritten whole (a month of Beijing's registrations is some ten
  thousand rows: a few tens of milliseconds), which keeps the store exact under any change to a contract.

  Each reading process has its own in-memory DuckDB database. In STATS_DUCKDB_MODE "memory" (default) it
  loads the partitions into a table whose code columns are ENUMs (one byte a value: a query over ten million
  rows reads ~40 bytes a row) and, at most every STATS_CHECK_SECONDS (default 1 s), compares the partition
  files' identities (inode, size, mtime) with what it loaded and reloads just the changed months inside one
  transaction (queries running meanwhile see the previous state). So a registration reaches every web
  process within seconds: the job after commit rewrites the month, each process picks it up on its next
  query after the check interval. The price is memory: about 40–60 bytes a contract per web process
  (~0.8 GB at ten million contracts). Beside the facts the reader keeps two narrow monthly pre-aggregates
  (CUBES: the overview's dimensions; the places of the map), rebuilt with the months they cover: a question
  over whole months whose columns all belong to one is answered from it (a few hundred thousand rows rather
  than millions), any other from the facts, with the same answers (tested both ways). STATS_DUCKDB_CUBES=False
  turns them off. STATS_DUCKDB_MODE "parquet" scans the files instead (no copy in memory, no pre-aggregates,
  an order of magnitude slower; see BENCHMARKS.md).

- "postgres" (beyond one machine). The same fact rows in a PostgreSQL table (STATS_PG_TABLE, default
  stats_fact), written through the database alias STATS_PG_WRITE_ALIAS and read through STATS_PG_READ_ALIAS
  (both default "default"; a deployment points the reader at a reporting replica or a reporting database).
  Every web server and job runner on every machine sees the same table; a month is replaced by DELETE +
  COPY inside one transaction under an advisory lock. Queried with the same SQL as DuckDB (GROUPING SETS).
  At larger scale the same table is the natural input of a columnar PostgreSQL extension or of a ClickHouse
  instance fed by the same refresh; neither is needed at Beijing's volume (about 100,000 contracts a year).

- "orm": the same questions through the Django ORM on TechnologyContract (grouped by the contracts' code
  ids and rolled up in Python with the facts' own derivations): no store to keep, the fallback, and the
  benchmark's comparison.

Keeping in step: a registration (the workflow's `step_taken` signal, sent from a job after commit) enqueues
`refresh_job` for its month; bulk changes (imports, demo data) call `facts_refresh(months)`; `manage.py
stats_rebuild` rebuilds everything.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import os
import shutil
import tempfile
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from techtransfer.stats import facts as F

logger = logging.getLogger(__name__)

ENGINES = ("duckdb", "postgres", "orm")
DUCKDB_MODES = ("memory", "parquet")
ZERO = Decimal("0.00")

# A disjunction of "column IN values"; a filter is a conjunction of these.
Clause = tuple[tuple[str, tuple[Any, ...]], ...]
GroupSet = tuple[str, ...]


@dataclass(frozen=True)
class Where:
    """What the engines filter on: the registration period and the clauses (over fact columns)."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    clauses: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class Agg:
    contracts: int = 0
    turnover: Decimal = ZERO
    technical_value: Decimal = ZERO

    def __add__(self, other: Agg) -> Agg:
        return Agg(
            self.contracts + other.contracts, self.turnover + other.turnover,
            self.technical_value + other.technical_value,
        )


Rows = list[tuple[tuple[Any, ...], Agg]]


def _money(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return Decimal(value).quantize(ZERO)


class Engine(ABC):
    name: str = ""

    @abstractmethod
    def aggregate(self, where: Where, sets: Sequence[GroupSet]) -> list[Rows]:
        """For each group set (a tuple of fact columns; () is the total), the rows (key values, Agg)."""

    @abstractmethod
    def recent(self, day: datetime.date, limit: int) -> list[dict[str, Any]]:
        """The last `limit` contracts registered on `day`, newest first (public columns only)."""

    def refresh(self, months: Iterable[str] | None = None) -> int:
        """Rewrite the given months ("YYYY-MM"), or everything; returns the rows written."""
        return 0


RECENT_COLUMNS = (
    "id", "registered_at", "category", "subtype", "tech_field", "seller_district", "buyer_province",
    "buyer_scope", "turnover", "technical_value",
)


# --- SQL (DuckDB and PostgreSQL share it) -----------------------------------------------------------------


def where_sql(where: Where, known: Callable[[str], frozenset[Any] | None] | None = None, *,
              by_month: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause with `?` placeholders. `known(column)` gives the values a column can hold (the DuckDB
    ENUMs), so a value it cannot hold matches nothing instead of failing the cast. `by_month`: the period
    (whole months) on year and month (a monthly pre-aggregate has no dates)."""
    parts: list[str] = []
    params: list[Any] = []
    if by_month:
        if where.date_from is not None:
            parts.append("CAST(year AS INTEGER) * 100 + month >= ?")
            params.append(where.date_from.year * 100 + where.date_from.month)
        if where.date_to is not None:
            parts.append("CAST(year AS INTEGER) * 100 + month <= ?")
            params.append(where.date_to.year * 100 + where.date_to.month)
    else:
        if where.date_from is not None:
            parts.append("registered_on >= ?")
            params.append(where.date_from)
        if where.date_to is not None:
            parts.append("registered_on <= ?")
            params.append(where.date_to)
    for clause in where.clauses:
        alternatives: list[str] = []
        for column, values in clause:
            if column not in F.FACT_NAMES:
                raise ValueError(f"Unknown fact column {column!r}.")
            allowed = known(column) if known is not None else None
            vals = [v for v in values if allowed is None or v in allowed]
            if not vals:
                continue
            alternatives.append(f"{column} IN ({', '.join('?' for _ in vals)})")
            params.extend(vals)
        parts.append("(" + (" OR ".join(alternatives) if alternatives else "FALSE") + ")")
    return (" AND ".join(parts) or "TRUE"), params


FACT_MEASURES = "count(*), sum(turnover), sum(technical_value)"
CUBE_MEASURES = "sum(n), sum(t), sum(v)"


def aggregate_sql(table: str, where: Where, sets: Sequence[GroupSet],
                  known: Callable[[str], frozenset[Any] | None] | None = None, *,
                  cube: bool = False) -> tuple[str, list[Any], list[str]]:
    """One statement for all the group sets (GROUPING SETS, one scan); returns (sql, params, columns).
    `cube`: over a monthly pre-aggregate (columns n, t, v) instead of the facts."""
    columns: list[str] = []
    for group in sets:
        for column in group:
            if column not in F.FACT_NAMES:
                raise ValueError(f"Unknown fact column {column!r}.")
            if column not in columns:
                columns.append(column)
    condition, params = where_sql(where, known, by_month=cube)
    measures = CUBE_MEASURES if cube else FACT_MEASURES
    if not columns:
        return f"SELECT 0, {measures} FROM {table} WHERE {condition}", params, columns
    distinct_sets = list(dict.fromkeys(sets))
    grouping = f"GROUPING({', '.join(columns)})"
    if len(distinct_sets) == 1:
        grouping = "0"
        group_by = ", ".join(distinct_sets[0]) if distinct_sets[0] else ""
        group_clause = f" GROUP BY {group_by}" if group_by else ""
        if not group_by:
            return f"SELECT 0, {', '.join('NULL' for _ in columns)}, {measures} FROM {table} WHERE {condition}", \
                params, columns
    else:
        group_clause = " GROUP BY GROUPING SETS (" + ", ".join(
            "(" + ", ".join(s) + ")" for s in distinct_sets) + ")"
    sql = f"SELECT {grouping}, {', '.join(columns)}, {measures} FROM {table} WHERE {condition}{group_clause}"
    return sql, params, columns


def split_rows(raw: Iterable[Sequence[Any]], sets: Sequence[GroupSet], columns: list[str]) -> list[Rows]:
    """The rows of one GROUPING SETS statement, split back by set (by the GROUPING bitmask)."""
    distinct_sets = list(dict.fromkeys(sets))
    n = len(columns)

    def mask(group: GroupSet) -> int:
        if len(distinct_sets) == 1:
            return 0
        return sum(1 << (n - 1 - i) for i, c in enumerate(columns) if c not in group)

    by_mask: dict[int, Rows] = {mask(s): [] for s in distinct_sets}
    positions = {s: [columns.index(c) for c in s] for s in distinct_sets}
    mask_set = {mask(s): s for s in distinct_sets}
    for row in raw:
        m = int(row[0])
        if m not in by_mask:
            continue
        values = row[1:1 + n]
        count, turnover, tech = row[1 + n:]
        if not count:
            continue
        key = tuple(values[i] for i in positions[mask_set[m]])
        by_mask[m].append((key, Agg(int(count), _money(turnover), _money(tech))))
    return [by_mask[mask(s)] for s in sets]


# --- DuckDB: Parquet partitions, read into each process -----------------------------------------------------


def stats_dir() -> Path:
    configured = getattr(settings, "STATS_DIR", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "analytics"


def _facts_dir(root: Path) -> Path:
    return root / "facts"


def _select_columns() -> str:
    return ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind, _pg in F.FACT_COLUMNS)


def _rows_to_arrays(rows: Sequence[F.FactRow]) -> dict[str, Any]:
    import numpy as np

    arrays: dict[str, Any] = {}
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in F.FACT_COLUMNS]
    for (name, kind, _pg), values in zip(F.FACT_COLUMNS, columns, strict=True):
        if kind == "DATE":
            arrays[name] = np.array(values, dtype="datetime64[s]")
        elif kind == "TIMESTAMP":
            arrays[name] = np.array(values, dtype="datetime64[us]")
        elif kind in ("BIGINT", "SMALLINT"):
            arrays[name] = np.array(values, dtype=np.int64)
        elif kind == "BOOLEAN":
            arrays[name] = np.array(values, dtype=bool)
        elif kind.startswith("DECIMAL"):
            arrays[name] = np.array([str(v) for v in values], dtype=object)
        else:
            arrays[name] = np.array(values, dtype=object)
    return arrays


@contextlib.contextmanager
def _write_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".write.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ParquetStore:
    """The writing side: one Parquet file per registration month, replaced atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = _facts_dir(root)

    def path(self, month: str) -> Path:
        return self.dir / f"{month}.parquet"

    def months(self) -> list[str]:
        if not self.dir.exists():
            return []
        return sorted(p.stem for p in self.dir.glob("*.parquet"))

    def _copy(self, con: Any, select: str, target: Path, params: Sequence[Any] = ()) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".parquet.tmp", dir=self.dir)
        os.close(fd)
        try:
            con.execute(
                f"COPY ({select}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)", params
            )
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def write_month(self, month: str, rows: Sequence[F.FactRow]) -> None:
        """Replace one month's partition with `rows` (no rows: remove it)."""
        import duckdb

        if not rows:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(month))
            return
        con = duckdb.connect()
        try:
            con.register("src", _rows_to_arrays(rows))
            self._copy(con, f"SELECT {_select_columns()} FROM src ORDER BY registered_on, id", self.path(month))
        finally:
            con.close()

    def write_relation(self, con: Any, source: str, months: Iterable[str] | None = None) -> int:
        """Bulk load: write every month found in `source` (a table or view of fact columns on `con`) in one
        partitioned COPY, move each month's file into place, then drop the partitions of the months `source`
        does not have (when rewriting everything, `months` None)."""
        wanted = None if months is None else sorted(set(months))
        condition = "TRUE"
        if wanted is not None:
            condition = " OR ".join(f"(year = {int(m[:4])} AND month = {int(m[5:])})" for m in wanted) or "FALSE"
        self.dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bulk-", dir=self.dir))
        try:
            con.execute(
                f"COPY (SELECT {_select_columns()} FROM {source} WHERE {condition} ORDER BY registered_on, id) "
                f"TO '{staging}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, "
                "PARTITION_BY (year, month), WRITE_PARTITION_COLUMNS true)"
            )
            found: list[str] = []
            for year_dir in staging.glob("year=*"):
                for month_dir in year_dir.glob("month=*"):
                    month = f"{int(year_dir.name[5:]):04d}-{int(month_dir.name[6:]):02d}"
                    files = sorted(month_dir.glob("*.parquet"))
                    if len(files) != 1:  # several files for one month: merge them into one
                        merged = month_dir / "merged.parquet"
                        con.execute(f"COPY (SELECT * FROM read_parquet({[str(f) for f in files]!r}) "
                                    f"ORDER BY registered_on, id) TO '{merged}' (FORMAT parquet, COMPRESSION zstd)")
                        files = [merged]
                    os.replace(files[0], self.path(month))
                    found.append(month)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        total = int(con.execute(f"SELECT count(*) FROM {source} WHERE {condition}").fetchall()[0][0])
        stale = set(self.months()) - set(found) if wanted is None else set(wanted) - set(found)
        for month in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(month))
        return total

    def refresh(self, months: Iterable[str] | None = None) -> int:
        """Rewrite the months from the database (all of them when `months` is None)."""
        import duckdb

        with _write_lock(self.root):
            if months is not None:
                written = 0
                for month in sorted(set(months)):
                    rows = [row for batch in F.fact_batches([month]) for row in batch]
                    self.write_month(month, rows)
                    written += len(rows)
                return written
            con = duckdb.connect()
            try:
                con.execute(
                    "CREATE TABLE staging (" + ", ".join(f"{n} {k}" for n, k, _pg in F.FACT_COLUMNS) + ")"
                )
                for batch in F.fact_batches():
                    con.register("src", _rows_to_arrays(batch))
                    con.execute(f"INSERT INTO staging SELECT {_select_columns()} FROM src")
                    con.unregister("src")
                return self.write_relation(con, "staging")
            finally:
                con.close()


# Narrow monthly pre-aggregates the DuckDB reader keeps beside the facts (memory mode): a question whose
# columns (grouped and filtered) all belong to one, over whole months, is answered from it (some hundred
# thousand rows instead of millions); any other from the facts. Same answers either way (tested).
CUBES: dict[str, tuple[str, ...]] = {
    "cube_overview": ("category", "tech_field", "seller_group", "buyer_group"),
    "cube_places": ("category", "seller_province", "seller_district", "buyer_province", "buyer_scope", "buyer_country",
                    "buyer_region", "buyer_econ_region", "buyer_jjj", "buyer_jinji", "buyer_yrd", "buyer_gba",
                    "landed_beijing"),
}


def _whole_months(where: Where) -> bool:
    if where.date_from is not None and where.date_from.day != 1:
        return False
    if where.date_to is not None:
        return (where.date_to + datetime.timedelta(days=1)).day == 1
    return True


def _cube_select(columns: tuple[str, ...], condition: str = "TRUE") -> str:
    dims = ", ".join(("year", "month", *columns))
    return (f"SELECT {dims}, count(*) AS n, sum(turnover) AS t, sum(technical_value) AS v FROM facts "
            f"WHERE {condition} GROUP BY {dims} ORDER BY year, month")


@dataclass
class _Loaded:
    identities: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    enums: dict[str, frozenset[str]] = field(default_factory=dict)
    checked: float = 0.0


class DuckDBEngine(Engine):
    """The reading side: an in-memory DuckDB per process over the partitions (see the module docstring)."""

    name = "duckdb"

    def __init__(self, root: Path, *, mode: str = "memory", check_seconds: float = 1.0,
                 threads: int | None = None, cubes: bool = True) -> None:
        import duckdb

        if mode not in DUCKDB_MODES:
            raise ValueError(f"Unknown STATS_DUCKDB_MODE {mode!r}; expected one of {', '.join(DUCKDB_MODES)}.")
        self.store = ParquetStore(root)
        self.mode = mode
        self.check_seconds = check_seconds
        self.cubes = cubes and mode == "memory"
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self._lock = threading.Lock()
        self._state = _Loaded()
        self._empty_table()

    # ---- keeping the in-memory copy in step with the files

    def _identities(self) -> dict[str, tuple[int, int, int]]:
        out: dict[str, tuple[int, int, int]] = {}
        if not self.store.dir.exists():
            return out
        with os.scandir(self.store.dir) as entries:
            for entry in entries:
                if entry.name.endswith(".parquet") and not entry.name.startswith("."):
                    with contextlib.suppress(FileNotFoundError):
                        st = entry.stat()
                        out[entry.name[:-8]] = (st.st_ino, st.st_size, st.st_mtime_ns)
        return out

    def _empty_table(self) -> None:
        cols = ", ".join(f"{n} {k}" for n, k, _pg in F.FACT_COLUMNS)
        self._drop_facts()
        self.con.execute(f"CREATE TABLE facts ({cols})")

    def _drop_facts(self) -> None:
        found = self.con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'facts'"
        ).fetchall()
        if found:
            self.con.execute("DROP VIEW facts" if found[0][0] == "VIEW" else "DROP TABLE facts")

    def _files(self, months: Iterable[str]) -> list[str]:
        return [str(self.store.path(m)) for m in sorted(months)]

    def _enum_select(self, enums: dict[str, frozenset[str]]) -> str:
        parts = []
        for name, _kind, _pg in F.FACT_COLUMNS:
            parts.append(f"CAST({name} AS e_{name}) AS {name}" if name in enums else name)
        return ", ".join(parts)

    def _full_load(self, identities: dict[str, tuple[int, int, int]]) -> None:
        files = self._files(identities)
        con = self.con
        if not files:
            self._empty_table()
            self._state = _Loaded(identities={}, enums={}, checked=time.monotonic())
            return
        if self.mode == "parquet":
            self._drop_facts()
            con.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet({files!r})")
            self._state = _Loaded(identities=identities, enums={}, checked=time.monotonic())
            return
        distinct = ", ".join(f"list(DISTINCT {c})" for c in F.CODE_COLUMNS)
        lists = con.execute(f"SELECT {distinct} FROM read_parquet({files!r})").fetchall()[0]
        enums: dict[str, frozenset[str]] = {}
        con.execute("BEGIN")
        try:
            self._drop_facts()
            for column, values in zip(F.CODE_COLUMNS, lists, strict=True):
                members = sorted({v for v in (values or []) if v is not None} | {""})
                con.execute(f"DROP TYPE IF EXISTS e_{column}")
                literals = ", ".join("'" + str(m).replace("'", "''") + "'" for m in members)
                con.execute(f"CREATE TYPE e_{column} AS ENUM ({literals})")
                enums[column] = frozenset(members)
            con.execute(
                f"CREATE TABLE facts AS SELECT {self._enum_select(enums)} FROM read_parquet({files!r}) "
                "ORDER BY registered_on, id"
            )
            for name, columns in CUBES.items():
                con.execute(f"DROP TABLE IF EXISTS {name}")
                if self.cubes:
                    con.execute(f"CREATE TABLE {name} AS {_cube_select(columns)}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        self._state = _Loaded(identities=identities, enums=enums, checked=time.monotonic())

    def _partial_load(self, identities: dict[str, tuple[int, int, int]], changed: set[str]) -> bool:
        """Reload the changed months; False when a new code needs the ENUMs rebuilt (a full load)."""
        con = self.con
        present = [m for m in changed if m in identities]
        if present:
            distinct = ", ".join(f"list(DISTINCT {c})" for c in F.CODE_COLUMNS)
            lists = con.execute(f"SELECT {distinct} FROM read_parquet({self._files(present)!r})").fetchall()[0]
            for column, values in zip(F.CODE_COLUMNS, lists, strict=True):
                if not {v for v in (values or []) if v is not None} <= self._state.enums[column]:
                    return False
        con.execute("BEGIN")
        try:
            for month in sorted(changed):
                con.execute("DELETE FROM facts WHERE year = ? AND month = ?", [int(month[:4]), int(month[5:])])
            if present:
                con.execute(
                    f"INSERT INTO facts SELECT {self._enum_select(self._state.enums)} "
                    f"FROM read_parquet({self._files(present)!r})"
                )
            if self.cubes:
                months = " OR ".join(f"(year = {int(m[:4])} AND month = {int(m[5:])})" for m in sorted(changed))
                for name, columns in CUBES.items():
                    con.execute(f"DELETE FROM {name} WHERE {months}")
                    con.execute(f"INSERT INTO {name} {_cube_select(columns, months)}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        self._state.identities = identities
        return True

    def sync(self, *, force: bool = False) -> None:
        """Bring this process's copy up to date with the files (at most every `check_seconds`)."""
        now = time.monotonic()
        if not force and now - self._state.checked < self.check_seconds:
            return
        with self._lock:
            if not force and time.monotonic() - self._state.checked < self.check_seconds:
                return
            for attempt in range(3):
                identities = self._identities()
                try:
                    old = self._state.identities
                    if identities == old:
                        self._state.checked = time.monotonic()
                        return
                    changed = {m for m in set(identities) | set(old) if identities.get(m) != old.get(m)}
                    if self.mode == "parquet" or not old or not self._state.enums or len(changed) > len(
                            identities) // 2 or not self._partial_load(identities, changed):
                        self._full_load(identities)
                    self._state.checked = time.monotonic()
                    return
                except Exception:  # a partition replaced or removed while it was read: read again
                    if attempt == 2:
                        raise
                    logger.info("stats: partitions changed while loading; loading again", exc_info=True)

    def _known(self, column: str) -> frozenset[Any] | None:
        return self._state.enums.get(column)

    def _cube_for(self, where: Where, sets: Sequence[GroupSet]) -> str | None:
        if not self.cubes or not self._state.enums or not _whole_months(where):
            return None
        needed = {c for group in sets for c in group} | {c for clause in where.clauses for c, _v in clause}
        needed -= {"year", "month"}
        for name, columns in CUBES.items():  # the narrower first
            if needed <= set(columns):
                return name
        return None

    def aggregate(self, where: Where, sets: Sequence[GroupSet]) -> list[Rows]:
        self.sync()
        cube = self._cube_for(where, sets)
        sql, params, columns = aggregate_sql(cube or "facts", where, sets, self._known, cube=cube is not None)
        cursor = self.con.cursor()
        try:
            raw = cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()
        return split_rows(raw, sets, columns)

    def recent(self, day: datetime.date, limit: int) -> list[dict[str, Any]]:
        self.sync()
        cursor = self.con.cursor()
        try:
            rows = cursor.execute(
                f"SELECT {', '.join(RECENT_COLUMNS)} FROM facts WHERE registered_on = ? "
                "ORDER BY registered_at DESC NULLS LAST, id DESC LIMIT ?", [day, limit]
            ).fetchall()
        finally:
            cursor.close()
        return [dict(zip(RECENT_COLUMNS, (str(v) if isinstance(v, str) else v for v in row), strict=True))
                for row in rows]

    def refresh(self, months: Iterable[str] | None = None) -> int:
        written = self.store.refresh(months)
        self.sync(force=True)
        return written


# --- PostgreSQL: a fact table, for more than one machine --------------------------------------------------


class PostgresEngine(Engine):
    name = "postgres"

    def __init__(self, *, table: str = "stats_fact", write_alias: str = "default", read_alias: str = "default"):
        if not table.replace("_", "").replace(".", "").isalnum():
            raise ValueError(f"Bad STATS_PG_TABLE {table!r}.")
        self.table = table
        self.write_alias = write_alias
        self.read_alias = read_alias
        self._ready = False

    def ensure_table(self) -> None:
        from django.db import connections

        if self._ready:
            return
        cols = ", ".join(f"{n} {pg} NOT NULL" if n not in ("registered_at",) else f"{n} {pg}"
                         for n, _k, pg in F.FACT_COLUMNS)
        index = self.table.replace(".", "_")
        with connections[self.write_alias].cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ({cols}, PRIMARY KEY (id))")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index}_on ON {self.table} (registered_on)")
        self._ready = True

    def _lock_key(self) -> int:
        return zlib.crc32(self.table.encode()) & 0x7FFFFFFF

    def refresh(self, months: Iterable[str] | None = None) -> int:
        from django.db import connections, transaction

        self.ensure_table()
        connection = connections[self.write_alias]
        written = 0
        with transaction.atomic(using=self.write_alias), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self._lock_key()])
            if months is None:
                cursor.execute(f"DELETE FROM {self.table}")
            else:
                for month in sorted(set(months)):
                    first, last = F.month_range(month)
                    cursor.execute(
                        f"DELETE FROM {self.table} WHERE registered_on BETWEEN %s AND %s", [first, last]
                    )
            raw = cursor.cursor  # psycopg's own cursor: COPY
            # One COPY per batch: the connection cannot read the next batch while a COPY is open on it.
            for batch in F.fact_batches(None if months is None else sorted(set(months))):
                with raw.copy(f"COPY {self.table} ({', '.join(F.FACT_NAMES)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                written += len(batch)
        return written

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        from django.db import connections

        self.ensure_table()
        with connections[self.read_alias].cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), list(params))
            return list(cursor.fetchall())

    def aggregate(self, where: Where, sets: Sequence[GroupSet]) -> list[Rows]:
        sql, params, columns = aggregate_sql(self.table, where, sets)
        return split_rows(self._execute(sql, params), sets, columns)

    def recent(self, day: datetime.date, limit: int) -> list[dict[str, Any]]:
        rows = self._execute(
            f"SELECT {', '.join(RECENT_COLUMNS)} FROM {self.table} WHERE registered_on = ? "
            "ORDER BY registered_at DESC NULLS LAST, id DESC LIMIT ?", [day, limit]
        )
        return [dict(zip(RECENT_COLUMNS, row, strict=True)) for row in rows]


# --- the ORM ----------------------------------------------------------------------------------------------

# Fact columns read from one code foreign key: (field, table key, how: "code" | "top" | "group").
_FK_COLUMNS: dict[str, tuple[str, str, str]] = {
    "tech_field": ("tech_field_id", "contract_tech_field", "code"),
    "seller_nature": ("seller_nature_id", "contract_party_nature", "code"),
    "buyer_nature": ("buyer_nature_id", "contract_party_nature", "code"),
    "seller_group": ("seller_nature_id", "contract_party_nature", "group"),
    "buyer_group": ("buyer_nature_id", "contract_party_nature", "group"),
    "ip_type": ("ip_type_id", "contract_ip_type", "code"),
    "plan_source": ("plan_source_id", "contract_plan_source", "top"),
    "objective": ("objective_id", "socio_economic_objective", "code"),
    "industry": ("industry_id", "industry", "top"),
}
_DIRECT = {"category": "category", "subtype": "subtype", "seller_affiliation": "seller_affiliation"}
_SELLER_PLACE = ("seller_region", "seller_district", "seller_province")
_BUYER_PLACE = ("buyer_country", "buyer_region", "buyer_province", "buyer_scope", "buyer_econ_region",
                "buyer_jjj", "buyer_jinji", "buyer_yrd", "buyer_gba", "landed_beijing")


def _buyer_value(column: str, place: F.BuyerPlace) -> Any:
    if column in ("buyer_country", "buyer_region", "buyer_province", "buyer_scope"):
        return getattr(place, column.removeprefix("buyer_"))
    if column == "landed_beijing":
        return place.province == F.BEIJING
    econ, jjj, jinji, yrd, gba = F.region_flags(place)
    return {"buyer_econ_region": econ, "buyer_jjj": jjj, "buyer_jinji": jinji, "buyer_yrd": yrd,
            "buyer_gba": gba}[column]


def _seller_value(column: str, region: str) -> str:
    district, province = F.seller_place(region)
    return {"seller_region": region, "seller_district": district, "seller_province": province}[column]


class OrmEngine(Engine):
    name = "orm"

    def _fk_value(self, maps: F.CodeMaps, column: str, item_id: int | None) -> str:
        _field, key, how = _FK_COLUMNS[column]
        if how == "top":
            return maps.top(item_id)
        code = maps.code(key, item_id)
        return F.party_group(code) if how == "group" else code

    def _queryset(self) -> Any:
        from django.db.models.functions import Coalesce

        return F.registered_contracts().annotate(_seller_region=Coalesce("seller_region_id", "seller__region_id"))

    def _clause_q(self, maps: F.CodeMaps, clause: Clause) -> Any:
        from django.db.models import Q

        q = Q(pk__in=[])
        for column, values in clause:
            allowed = set(values)
            if column in _DIRECT:
                q |= Q(**{f"{_DIRECT[column]}__in": list(allowed)})
            elif column == "year":
                q |= Q(registered_on__year__in=list(allowed))
            elif column == "month":
                q |= Q(registered_on__month__in=list(allowed))
            elif column == "registered_on":
                q |= Q(registered_on__in=list(allowed))
            elif column in _FK_COLUMNS:
                fk, key, _how = _FK_COLUMNS[column]
                ids = [i for i in maps.ids(key) if self._fk_value(maps, column, i) in allowed]
                part = Q(**{f"{fk}__in": ids})
                if self._fk_value(maps, column, None) in allowed:
                    part |= Q(**{f"{fk}__isnull": True})
                q |= part
            elif column in _SELLER_PLACE:
                regions = maps.ids("region")
                ids = [i for i, code in regions.items() if _seller_value(column, code) in allowed]
                part = Q(_seller_region__in=ids)
                if _seller_value(column, "") in allowed:
                    part |= Q(_seller_region__isnull=True)
                q |= part
            elif column in _BUYER_PLACE:
                q |= self._buyer_q(maps, column, allowed)
            else:
                raise ValueError(f"The ORM engine cannot filter on {column!r}.")
        return q

    def _buyer_q(self, maps: F.CodeMaps, column: str, allowed: set[Any]) -> Any:
        """Exact: the derivation depends on the country only through its class (none, China, each of HMT,
        foreign), so each class is tried against every region item."""
        from django.db.models import Q

        countries = maps.ids("country")
        regions = maps.ids("region")
        classes: dict[str, list[int]] = {}
        for cid, code in countries.items():
            cls = code if code == F.CHINA or code in F.HMT_COUNTRY_PROVINCE else "999"
            classes.setdefault(cls, []).append(cid)
        q = Q(pk__in=[])
        for cls, cids in [("", []), *sorted(classes.items())]:
            country_q = Q(buyer_country_id__isnull=True) if cls == "" else Q(buyer_country_id__in=cids)
            ok = [rid for rid, code in regions.items() if _buyer_value(column, F.buyer_place(code, cls)) in allowed]
            none_ok = _buyer_value(column, F.buyer_place("", cls)) in allowed
            if len(ok) == len(regions) and none_ok:
                q |= country_q
            elif ok or none_ok:
                region_q = Q(buyer_region_id__in=ok) if ok else Q(pk__in=[])
                if none_ok:
                    region_q |= Q(buyer_region_id__isnull=True)
                q |= country_q & region_q
        return q

    def filtered(self, where: Where) -> Any:
        maps = F.code_maps()
        qs = self._queryset()
        if where.date_from is not None:
            qs = qs.filter(registered_on__gte=where.date_from)
        if where.date_to is not None:
            qs = qs.filter(registered_on__lte=where.date_to)
        for clause in where.clauses:
            qs = qs.filter(self._clause_q(maps, clause))
        return qs

    def _bases(self, group: GroupSet) -> dict[str, Any]:
        from django.db.models.functions import ExtractMonth, ExtractYear

        bases: dict[str, Any] = {}
        for column in group:
            if column in _DIRECT:
                bases[column] = _DIRECT[column]
            elif column == "year":
                bases["_year"] = ExtractYear("registered_on")
            elif column == "month":
                bases["_month"] = ExtractMonth("registered_on")
            elif column in _FK_COLUMNS:
                bases[_FK_COLUMNS[column][0]] = _FK_COLUMNS[column][0]
            elif column in _SELLER_PLACE:
                bases["_seller_region"] = "_seller_region"
            elif column in _BUYER_PLACE:
                bases["buyer_region_id"] = "buyer_region_id"
                bases["buyer_country_id"] = "buyer_country_id"
            else:
                raise ValueError(f"The ORM engine cannot group by {column!r}.")
        return bases

    def _derive(self, maps: F.CodeMaps, column: str, row: dict[str, Any]) -> Any:
        if column in _DIRECT:
            return row[column] or ""
        if column == "year":
            return int(row["_year"])
        if column == "month":
            return int(row["_month"])
        if column in _FK_COLUMNS:
            return self._fk_value(maps, column, row[_FK_COLUMNS[column][0]])
        if column in _SELLER_PLACE:
            return _seller_value(column, maps.code("region", row["_seller_region"]))
        place = F.buyer_place(
            maps.code("region", row["buyer_region_id"]), maps.code("country", row["buyer_country_id"])
        )
        return _buyer_value(column, place)

    def aggregate(self, where: Where, sets: Sequence[GroupSet]) -> list[Rows]:
        from django.db.models import Count, DecimalField, Sum
        from django.db.models import F as DF
        from django.db.models.functions import Coalesce

        maps = F.code_maps()
        qs = self.filtered(where)
        money = DecimalField(max_digits=20, decimal_places=2)
        measures = {
            "_n": Count("id"),
            "_t": Sum("turnover", output_field=money),
            "_v": Sum(Coalesce(DF("approved_technical_value"), DF("declared_technical_value")), output_field=money),
        }
        out: list[Rows] = []
        for group in sets:
            bases = self._bases(group)
            expressions = {k: v for k, v in bases.items() if not isinstance(v, str)}
            names = [k for k, v in bases.items() if isinstance(v, str) and not k.startswith("_")] + [
                k for k, v in bases.items() if isinstance(v, str) and k.startswith("_")]
            if bases:
                grouped = qs.values(*names, **expressions).annotate(**measures).order_by()
            else:
                grouped = [qs.aggregate(**measures)]
            folded: dict[tuple[Any, ...], Agg] = {}
            for row in grouped:
                if not row["_n"]:
                    continue
                key = tuple(self._derive(maps, c, row) for c in group)
                folded[key] = folded.get(key, Agg()) + Agg(int(row["_n"]), _money(row["_t"]), _money(row["_v"]))
            out.append(list(folded.items()))
        return out

    def recent(self, day: datetime.date, limit: int) -> list[dict[str, Any]]:
        maps = F.code_maps()
        rows = (
            self._queryset().filter(registered_on=day).order_by("-decided_at", "-id")
            .values_list(*F.SOURCE_FIELDS)[:limit]
        )
        out = []
        for values in rows:
            fact = dict(zip(F.FACT_NAMES, F.fact_row(values, maps), strict=True))
            out.append({c: fact[c] for c in RECENT_COLUMNS})
        return out


# --- choosing and keeping in step -------------------------------------------------------------------------

_engines: dict[tuple[Any, ...], Engine] = {}
_engines_lock = threading.Lock()


def engine_name() -> str:
    name = getattr(settings, "STATS_ENGINE", "duckdb")
    if name not in ENGINES:
        raise ValueError(f"Unknown STATS_ENGINE {name!r}; expected one of {', '.join(ENGINES)}.")
    return name


def get_engine(name: str | None = None) -> Engine:
    """The configured engine (one per process and configuration)."""
    name = name or engine_name()
    if name == "duckdb":
        key: tuple[Any, ...] = (
            name, str(stats_dir()), getattr(settings, "STATS_DUCKDB_MODE", "memory"),
            float(getattr(settings, "STATS_CHECK_SECONDS", 1.0)), getattr(settings, "STATS_DUCKDB_THREADS", None),
            bool(getattr(settings, "STATS_DUCKDB_CUBES", True)),
        )
    elif name == "postgres":
        write = getattr(settings, "STATS_PG_WRITE_ALIAS", "default")
        key = (name, getattr(settings, "STATS_PG_TABLE", "stats_fact"), write,
               getattr(settings, "STATS_PG_READ_ALIAS", write))
    elif name == "orm":
        key = (name,)
    else:
        raise ValueError(f"Unknown STATS_ENGINE {name!r}; expected one of {', '.join(ENGINES)}.")
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            if name == "duckdb":
                engine = DuckDBEngine(Path(key[1]), mode=key[2], check_seconds=key[3], threads=key[4], cubes=key[5])
            elif name == "postgres":
                engine = PostgresEngine(table=key[1], write_alias=key[2], read_alias=key[3])
            else:
                engine = OrmEngine()
            _engines[key] = engine
    return engine


def engines_reset() -> None:
    """Forget the engines of this process (tests)."""
    with _engines_lock:
        _engines.clear()


def facts_refresh(months: Iterable[str] | None = None) -> int:
    """Bring the configured store in step after a change: the given "YYYY-MM" months, or everything (after
    imports, demo seeding). Returns the rows written."""
    return get_engine().refresh(None if months is None else list(months))


def refresh_job(months: list[str] | None = None) -> None:
    """The job a registration enqueues (JSON arguments: month keys)."""
    started = time.monotonic()
    rows = facts_refresh(months)
    logger.info("stats: refreshed %s (%d rows) in %.3f s", months or "all", rows, time.monotonic() - started)


def on_step_taken(sender: Any, record: Any = None, step: Any = None, **kwargs: Any) -> None:
    """`step_taken` receiver: a registered contract refreshes its month."""
    from techtransfer.core.jobs import enqueue

    if getattr(sender, "kind", None) != "contract" or getattr(step, "name", None) != "register":
        return
    registered_on = getattr(record, "registered_on", None)
    if registered_on is None:
        return
    if engine_name() == "orm":
        return
    enqueue("techtransfer.stats.engine.refresh_job", months=[F.month_key(registered_on)])


def on_contracts_changed(sender: Any, months: Sequence[datetime.date] = (), **kwargs: Any) -> None:
    """`contracts.signals.contracts_changed` receiver (imports, the demo): refresh those months in a job."""
    from techtransfer.core.jobs import enqueue

    if engine_name() == "orm" or not months:
        return
    enqueue("techtransfer.stats.engine.refresh_job", months=sorted({F.month_key(day) for day in months}))


def warm_up() -> None:
    """Load the store into this process before its first request (a web worker starting: a few seconds at ten
    million contracts), so that no visitor waits for it. A failure is logged: the first query loads it again."""
    engine = get_engine()
    sync = getattr(engine, "sync", None)
    if sync is None:
        return
    try:
        sync(force=True)
    except Exception:  # the store is read again by the first query; a worker must start anyway
        logger.exception("stats: could not load the statistics store at start-up")
