"""Inserting many new rows at once: `bulk_create`'s result at a fraction of its cost per value.

Django's `bulk_create` passes every value of every row through the field's full preparation chain and
builds each INSERT's SQL value by value; on a 100,000-row import that is most of the time spent. Here each
field gets one converter, chosen once per call: plain values (text, integers, booleans, ids) go to the
driver as they are, as Django would send them; anything else goes through the field's own
`get_db_prep_save`, remembered per distinct value for dates and times (a batch shares a few). One
multi-row INSERT per batch; new primary keys come back by RETURNING, in order, as with `bulk_create`.

Like `bulk_create`, it sends no signals and calls no `save()`. It is for new rows of plain models (no
multi-table inheritance, no database defaults): those are all its callers need.
"""

from __future__ import annotations

import datetime
import decimal
import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Field, ForeignKey, JSONField, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

# Field types whose Python values of these classes Django hands to the driver unchanged.
PLAIN = {
    "CharField": (str,),
    "TextField": (str,),
    "SlugField": (str,),
    "EmailField": (str,),
    "URLField": (str,),
    "IntegerField": (int,),
    "SmallIntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "PositiveBigIntegerField": (int,),
    "AutoField": (int,),
    "BigAutoField": (int,),
    "SmallAutoField": (int,),
    "BooleanField": (bool,),
}
# Values worth remembering once converted: immutable, and few distinct ones in a batch.
MEMO = (datetime.date, datetime.datetime, decimal.Decimal)
# Rows per INSERT at most, whatever the database's parameter limit allows.
MAX_ROWS = 1000

Converter = Callable[[Any], Any]
M = TypeVar("M", bound=Model)


def _plain(field: Field[Any, Any], connection: Any) -> tuple[type, ...]:
    """The classes of values that go to the driver unchanged for this field."""
    if isinstance(field, JSONField) and connection.vendor == "sqlite":
        return ()
    target = field.target_field if isinstance(field, ForeignKey) else field
    return PLAIN.get(target.get_internal_type(), ())


def _converter(field: Field[Any, Any], connection: Any) -> Converter:
    """How any other value of the field becomes what the driver gets (after the `_plain` check)."""
    if isinstance(field, JSONField) and connection.vendor == "sqlite":
        return _sqlite_json(field)
    prepare = field.get_db_prep_save
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return value
        if value.__class__ in MEMO:
            try:
                return memo[value]
            except KeyError:
                memo[value] = converted = prepare(value, connection)
                return converted
        return prepare(value, connection)

    return convert


def _sqlite_json(field: JSONField) -> Converter:
    """JSON text as SQLite stores it, but with Chinese as UTF-8 rather than \\uXXXX escapes: the same JSON,
    a third of the bytes for Chinese text (an audit snapshot holds the summaries), and faster to write."""
    encoder = field.encoder

    def convert(value: Any) -> Any:
        if value is None:  # SQL NULL, as JSONField.get_db_prep_save
            return None
        return json.dumps(field.get_prep_value(value), cls=encoder, ensure_ascii=False)

    return convert


def _insert(model: type[Model], fields: list[Field[Any, Any]], rows: list[list[Any]], *, returning: bool) -> list[Any]:
    """INSERT rows of database-ready values; the new primary keys in order if `returning`."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        return _postgresql_copy(connection, model, fields, rows, returning=returning)
    opts = model._meta
    quote = connection.ops.quote_name
    pks: list[Any] = []
    if returning and connection.vendor == "sqlite" and connection.in_atomic_block:
        # Inside a transaction this connection holds SQLite's write lock (transactions are IMMEDIATE), so
        # the next keys are known beforehand: the rows go in with them, like PostgreSQL's COPY below, in one
        # short statement bound row after row rather than one very long statement per thousand rows.
        pks = _sqlite_next_keys(connection, opts.db_table, opts.pk.column, len(rows))
        fields_sql = ", ".join(quote(c) for c in [opts.pk.column, *(f.column for f in fields)])
        sql = f"INSERT INTO {quote(opts.db_table)} ({fields_sql}) VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[pk, *row] for pk, row in zip(pks, rows, strict=True)])
        return pks
    width = len(fields)
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    one = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        if not returning:
            # The driver binds row after row in C: one short statement beats a long one to parse.
            cursor.executemany(head + one, rows)
            return pks
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            limit = int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
            limit = int(connection.features.max_query_params or 999)
        per_statement = max(1, min(MAX_ROWS, limit // width))
        statements: dict[int, str] = {}
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            sql = statements.get(len(batch))
            if sql is None:
                sql = statements[len(batch)] = (
                    head + ", ".join([one] * len(batch)) + f" RETURNING {quote(opts.pk.column)}"
                )
            cursor.execute(sql, [value for row in batch for value in row])
            pks.extend(row[0] for row in cursor.fetchall())
    if len(pks) != len(rows):  # pragma: no cover - the database returned fewer keys than rows
        raise RuntimeError(f"bulk insert into {opts.db_table} got {len(pks)} keys for {len(rows)} rows")
    return pks


def _sqlite_next_keys(connection: Any, table: str, column: str, count: int) -> list[int]:
    """The keys SQLite would give the next `count` rows: past the highest key in use and, for an
    AUTOINCREMENT key (Django's), past the highest ever given (sqlite_sequence), so no deleted key is reused."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")
        highest = int(cursor.fetchone()[0])
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            highest = max(highest, int(found[0]) if found else 0)
    return list(range(highest + 1, highest + 1 + count))


def _postgresql_copy(
    connection: Any, model: type[Model], fields: list[Field[Any, Any]], rows: list[list[Any]], *, returning: bool
) -> list[Any]:
    """COPY the rows in; new keys are taken from the table's sequence first, in one query.

    COPY is PostgreSQL's bulk path: psycopg streams the rows without building SQL, and the server parses
    no statement per row. Taking the keys first is what lets rows be copied rather than inserted.
    """
    opts = model._meta
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    pks: list[Any] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            pks = [row[0] for row in cursor.fetchall()]
            columns = [opts.pk.column, *columns]
            rows = [[pk, *row] for pk, row in zip(pks, rows, strict=True)]
        sql = f"COPY {quote(opts.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    return pks


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]


class RowValues:
    """How one model's new rows become what the database takes: lists of values in the order of `fields`.

    These are the conversions of `bulk_insert` and `bulk_insert_rows`, kept apart from the INSERT so that
    they can be made elsewhere: an import's helper processes convert rows that the importer then inserts
    (`values_insert`). Each field's converter is chosen once, for the database the model is written to.
    """

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        connection = connections[router.db_for_write(model)]
        self.fields = _fields(model)
        self.attnames = [f.attname for f in self.fields]
        self.converters = [(_plain(f, connection), _converter(f, connection)) for f in self.fields]
        self.auto_now = [f for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        self.relations = [f for f in self.fields if f.is_relation and f.many_to_one]
        self.now = timezone.now()  # one time for the rows made together
        # For `of_dict`: each column's name, its converted default (or None and the callable that makes it),
        # and its conversion.
        self.columns: list[tuple[str, Any, Callable[[], Any] | None, tuple[type, ...], Converter]] = []
        for field, name, (plain, convert) in zip(self.fields, self.attnames, self.converters, strict=True):
            if field in self.auto_now:
                default, make = self.now, None
            elif field.has_default() and callable(field.default):
                default, make = None, field.default
            else:
                default, make = field.get_default(), None
            if make is None and default is not None and default.__class__ not in plain:
                default = convert(default)
            self.columns.append((name, default, make, plain, convert))

    def index(self, attname: str) -> int:
        """Where a field's value is in a row."""
        return self.attnames.index(attname)

    def of_instance(self, obj: Model) -> list[Any]:
        """A new instance's row; its auto_now fields and the keys of related objects are set on it first."""
        if obj.pk is not None:
            raise ValueError(f"bulk_insert() inserts new rows only; {obj!r} has a primary key.")
        for field in self.auto_now:
            if getattr(field, "auto_now", False) or getattr(obj, field.attname) is None:
                setattr(obj, field.attname, self.now)
        values = obj.__dict__
        for field in self.relations:  # a related object assigned before it was saved: take its key now
            if values[field.attname] is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"bulk_insert() refused {obj!r}: its {field.name} is not saved yet.")
                    setattr(obj, field.attname, related.pk)
        row = []
        for (plain, convert), name in zip(self.converters, self.attnames, strict=True):
            value = values[name]
            row.append(value if value is None or value.__class__ in plain else convert(value))
        return row

    def of_dict(self, values: dict[str, Any]) -> list[Any]:
        """The row of values given as {attname: value}; a value not given is the field's default."""
        row: list[Any] = []
        append = row.append
        for name, default, make, plain, convert in self.columns:
            value = values.get(name, _MISSING)
            if value is _MISSING:
                if make is None:
                    append(default)
                    continue
                value = make()
            append(value if value is None or value.__class__ in plain else convert(value))
        return row


_MISSING = object()


def values_insert(model: type[Model], rows: list[list[Any]], *, returning: bool = False) -> list[Any]:
    """INSERT rows that `RowValues(model)` made; the new primary keys in order if `returning`."""
    if not rows:
        return []
    return _insert(model, _fields(model), rows, returning=returning)


def saved_mark(objs: Sequence[Model], pks: Sequence[Any]) -> None:
    """Give inserted instances their keys and mark them saved, as `bulk_create` does."""
    if not objs:
        return
    using = router.db_for_write(type(objs[0]))
    pk = objs[0]._meta.pk.attname
    for obj, key in zip(objs, pks, strict=True):
        setattr(obj, pk, key)
        obj._state.adding = False
        obj._state.db = using


def bulk_insert(objs: Sequence[Model]) -> None:
    """INSERT new instances of one model and set their primary keys (as `bulk_create(objs)` would)."""
    if not objs:
        return
    model = type(objs[0])
    if not model._meta.pk.get_internal_type().endswith("AutoField"):
        raise ValueError(f"bulk_insert() needs a model whose key the database numbers; {model.__name__} has none.")
    values = RowValues(model)
    saved_mark(objs, values_insert(model, [values.of_instance(obj) for obj in objs], returning=True))


def bulk_insert_rows(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows given as {attname: value} (no instances: for rows nobody reads back, such as the
    completing persons of imported records). Missing values take the field's default."""
    if rows:
        values = RowValues(model)
        values_insert(model, [values.of_dict(row) for row in rows])


class InstanceMaker(Generic[M]):
    """Unsaved instances of one model built from attribute values (foreign keys as ids), the fields' defaults
    filling the rest.

    What `Model.__init__` does for positional values (the way Django builds rows it reads) is to set each
    attribute, with a descriptor call for every foreign key, and send pre_init and post_init. When nobody
    listens to those signals for the model, the maker sets the attributes in one step instead: the same
    instance at a fraction of the cost (an achievement has 16 foreign keys).
    """

    def __init__(self, model: type[M]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.position = {name: i for i, name in enumerate(self.attnames)}
        self.defaults: list[Any] = []
        self.callables: list[tuple[int, Callable[[], Any]]] = []
        for index, field in enumerate(fields):
            if field.has_default() and callable(field.default):
                self.callables.append((index, field.default))
                self.defaults.append(None)
            else:
                self.defaults.append(field.get_default())
        self.direct = not (pre_init.has_listeners(model) or post_init.has_listeners(model))

    def __call__(self, **values: Any) -> M:
        row = self.defaults.copy()
        for index, make in self.callables:
            row[index] = make()
        position = self.position
        for name, value in values.items():
            row[position[name]] = value
        if not self.direct:
            return self.model(*row)
        instance = self.model.__new__(self.model)
        instance._state = ModelState()
        instance.__dict__.update(zip(self.attnames, row, strict=True))
        return instance
