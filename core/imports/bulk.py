"""Multi-row inserts for imports, without the ORM's per-row, per-field statement building.

Values are prepared exactly as bulk_create prepares them (``field.pre_save`` then
``field.get_db_prep_save``), so what is stored is the same; only the statement differs:
PostgreSQL gets one COPY per batch (ids reserved from the table's sequence first, so every
instance learns its id), SQLite one executemany (ids read back by a unique column of the batch).
Other databases fall back to bulk_create.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Field

SQLITE_IN = 900  # SQLite's limit on bound variables is at least 999


def _connection(model):
    return connections[router.db_for_write(model)]


def write_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert ready database values (``columns`` are column names) into the model's table; no ids back."""
    connection = _connection(model)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


# Field types whose database value is the Python value itself for these value types (what
# get_db_prep_save would return anyway); every other value goes through get_db_prep_save.
_SAME = {"CharField": (str,), "TextField": (str,), "EmailField": (str,), "URLField": (str,), "SlugField": (str,),
         "IntegerField": (int,), "BigIntegerField": (int,), "PositiveIntegerField": (int,),
         "PositiveSmallIntegerField": (int,), "SmallIntegerField": (int,), "BooleanField": (bool,),
         "AutoField": (int,), "BigAutoField": (int,), "SmallAutoField": (int,)}


def _plain_types(field) -> tuple:
    target = field.target_field if field.is_relation else field
    if target.is_relation or field.get_internal_type() in ("JSONField",):
        return ()
    return _SAME.get(target.get_internal_type(), ())


def insert(model, objs: list, *, unique: str) -> list:
    """Insert unsaved instances of ``model`` and set their ids. ``unique``: the attname of a column
    unique among the inserted rows and the stored ones (SQLite reads the ids back by it)."""
    if not objs:
        return objs
    connection = _connection(model)
    if connection.vendor not in ("postgresql", "sqlite"):
        return model._default_manager.bulk_create(objs, batch_size=500)
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    plain = [_plain_types(f) for f in fields]
    # Field.pre_save is getattr(obj, attname); only fields that override it (auto_now, files) need the call.
    own_pre_save = [type(f).pre_save is not Field.pre_save for f in fields]
    attnames = [f.attname for f in fields]
    prepared = []
    for obj in objs:
        values, state = [], obj.__dict__
        for f, same, own, attname in zip(fields, plain, own_pre_save, attnames, strict=True):
            value = f.pre_save(obj, True) if own or attname not in state else state[attname]
            values.append(value if value is None and same or type(value) in same else f.get_db_prep_save(value, connection))
        prepared.append(values)
    columns = [f.column for f in fields]
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk.column, len(objs)])
            ids = [row[0] for row in cursor.fetchall()]
        write_rows(model, [pk.column, *columns], ([i, *values] for i, values in zip(ids, prepared, strict=True)))
    else:
        write_rows(model, columns, prepared)
        keys = [getattr(obj, unique) for obj in objs]
        by_key = {}
        for start in range(0, len(keys), SQLITE_IN):
            chunk = keys[start:start + SQLITE_IN]
            by_key.update(model._base_manager.using(connection.alias).filter(**{f"{unique}__in": chunk})
                          .values_list(unique, "pk"))
        ids = [by_key[key] for key in keys]
    for obj, i in zip(objs, ids, strict=True):
        obj.pk = i
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
