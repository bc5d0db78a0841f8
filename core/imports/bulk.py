"""Multi-row inserts for imports, without model instances or the ORM's per-row statement building.

:class:`NewRows` takes rows as plain dicts of values and prepares them exactly as bulk_create would
(``field.get_db_prep_save``), so what is stored is the same; only the statement differs: PostgreSQL
gets one COPY per batch (ids reserved from the table's sequence first, so every row learns its id),
SQLite one executemany (ids read back by a unique column of the batch). Other databases fall back to
bulk_create.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence

from django.db import connections, router

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


class NewRows:
    """New rows of a model given as dicts (attname → Python value) instead of model instances.

    Building ~50 field descriptors per row is most of an instance's cost in a bulk import; the
    values a new instance would hold for the columns a row does not give (field defaults, and
    ``now`` for auto_now / auto_now_add) are worked out once here, and each row is turned into its
    database values with the same conversion bulk_create uses (``get_db_prep_save``) and into the
    snapshot core.audit.snapshot would take of the saved instance.
    """

    def __init__(self, model, *, now):
        from core.audit import _plain

        self.model = model
        self.connection = _connection(model)
        pk = model._meta.pk
        self.pk_attname = pk.attname
        self.fields = [f for f in model._meta.concrete_fields if f is not pk]
        self.attnames = [f.attname for f in self.fields]
        self.plain = [_plain_types(f) for f in self.fields]
        defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = now
            else:
                defaults[f.attname] = f.get_default()
        self.defaults = defaults
        # Snapshots keep the instance's field order (pk first), defaults already in JSON-friendly form.
        self.snapshot_base = {pk.attname: None, **{name: _plain(value) for name, value in defaults.items()}}
        self._plain_value = _plain
        self._memo: dict = {}
        self._index = {name: i for i, name in enumerate(self.attnames)}
        self._defaults_list = list(defaults.values())
        self._default_row = [value if value is None and same or type(value) in same else f.get_db_prep_save(value, self.connection)
                             for f, same, value in zip(self.fields, self.plain, defaults.values(), strict=True)]

    def db_row(self, values: dict) -> list:
        """The row's database values in field order: the defaults' (converted once), then the given ones."""
        out = self._default_row.copy()
        memo, index, fields, plain, connection = self._memo, self._index, self.fields, self.plain, self.connection
        for attname, value in values.items():
            i = index.get(attname)
            if i is None:  # the pk, or a key that is not a column
                continue
            if value is None and plain[i] or type(value) in plain[i]:
                out[i] = value
                continue
            # The same timestamp or choice recurs in every row: converted once per batch.
            try:
                key = (i, type(value), value)
                prepared = memo[key]
            except TypeError:  # a dict or list (JSON): converted each time, unless it is the default ({})
                prepared = out[i] if value == self._defaults_list[i] else fields[i].get_db_prep_save(value, connection)
            except KeyError:
                prepared = memo[key] = fields[i].get_db_prep_save(value, connection)
            out[i] = prepared
        return out

    def snapshot(self, values: dict) -> dict:
        """core.audit.snapshot of the saved row (``values`` holding its id)."""
        data, plain = self.snapshot_base.copy(), self._plain_value
        for name, value in values.items():
            data[name] = value if type(value) in _AS_IS else plain(value)
        return data

    def insert(self, rows: list[dict], *, unique: str | None = None, on_row=None) -> list[dict]:
        """Insert ``rows`` and put each one's id in it under the pk's attname (see :meth:`stage`)."""
        return self.stage(rows, unique=unique, on_row=on_row)()

    def stage(self, rows: list[dict], *, unique: str | None = None, on_row=None) -> Callable[[], list[dict]]:
        """What inserts ``rows`` and puts each one's id in it under the pk's attname, with all the work
        that needs no transaction done now.

        On PostgreSQL the ids are taken from the table's sequence now (a sequence never hands out an
        id twice; ids of rows never written are gaps), so ``on_row(values)`` runs and each row is
        converted before the write, which only streams the rows with one COPY. Elsewhere the rows are
        converted when written, and ``on_row`` runs once their ids are read back by ``unique``, a
        column unique among the rows and the stored ones (None: no ids are read back)."""
        if not rows:
            return lambda: rows
        model, connection, pk = self.model, self.connection, self.pk_attname
        if connection.vendor != "postgresql":
            return functools.partial(self._insert_elsewhere, rows, unique, on_row)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, model._meta.pk.column, len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
        ready = []
        for values, i in zip(rows, ids, strict=True):
            values[pk] = i
            if on_row is not None:
                on_row(values)
            ready.append([i, *self.db_row(values)])
        columns = [model._meta.pk.column, *(f.column for f in self.fields)]

        def write() -> list[dict]:
            write_rows(model, columns, ready)
            return rows
        return write

    def _insert_elsewhere(self, rows: list[dict], unique: str | None, on_row) -> list[dict]:
        model, connection, pk = self.model, _connection(self.model), self.pk_attname
        if connection.vendor != "sqlite":
            objs = model._default_manager.bulk_create([model(**values) for values in rows], batch_size=500)
            for values, obj in zip(rows, objs, strict=True):
                values[pk] = obj.pk
        else:
            write_rows(model, [f.column for f in self.fields], [self.db_row(values) for values in rows])
            if unique is not None:
                keys = [values[unique] for values in rows]
                by_key = {}
                for start in range(0, len(keys), SQLITE_IN):
                    by_key.update(model._base_manager.using(connection.alias)
                                  .filter(**{f"{unique}__in": keys[start:start + SQLITE_IN]}).values_list(unique, "pk"))
                for values in rows:
                    values[pk] = by_key[values[unique]]
        if on_row is not None:
            for values in rows:
                on_row(values)
        return rows


_AS_IS = (str, int, bool, type(None), dict, list)
