"""What an importer declares: the target fields and how rows are checked, matched and written in bulk.

The engine (core.imports.engine) reads the file, maps columns to fields, and hands an importer
batches of rows; the importer owns the domain rules. An importer never queries per row: it loads
lookup tables once (:meth:`ImporterDefinition.begin`) and matches a whole batch with IN queries on
indexed keys (:meth:`ImporterDefinition.find_existing`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_registry: dict[str, ImporterDefinition] = {}


class RowError(Exception):
    """A value of a row is wrong: the row is reported with this field and reason, and not written."""

    def __init__(self, field: str, reason: str, value: Any = ""):
        self.field, self.reason, self.value = field, str(reason), value
        super().__init__(self.reason)


@dataclass
class ImportField:
    name: str           # the model field, or "custom.<code>" for a custom field
    label: Any          # what the mapping page and the blank template show
    required: bool = False
    aliases: tuple[str, ...] = ()  # other header texts that mean this field (Chinese and English)
    help: Any = ""


@dataclass
class Row:
    """One data row on its way through the engine."""

    number: int                 # the row number in the file as a spreadsheet shows it (header = 1)
    raw: dict[str, Any]         # field name → cell value as read
    data: dict[str, Any] = field(default_factory=dict)   # cleaned values
    errors: list[RowError] = field(default_factory=list)
    match: Match | None = None  # an existing record this row duplicates
    same_as: int = 0            # an earlier row of the file this row duplicates


@dataclass
class Match:
    """An existing record a row duplicates, and what the importing user may know and do about it."""

    pk: int
    kind: str                  # which key matched, e.g. "credit_code", "phone", "name"
    exact: bool                # an exact key: creating another record anyway is refused
    readable: bool = False
    updatable: bool = False
    label: str = ""            # shown only when readable

    def as_dict(self) -> dict:
        data = {"kind": self.kind, "exact": self.exact, "readable": self.readable, "updatable": self.updatable}
        if self.readable:
            data.update({"pk": self.pk, "label": self.label})
        return data


class ImporterDefinition:
    """Subclass, fill in the attributes and methods, and pass an instance to :func:`register_importer`."""

    entity: str = ""            # "customers.customer": the access gate's entity key
    label: Any = ""
    model = None                # the model written; the gate's "create" on it is needed to import
    list_url_name: str = ""     # where the import page links back to
    batch_size: int = 1000
    # Whether writing a batch's new rows touches only those rows (no stored record updated, no shared
    # row a trigger keeps): then it runs while the batch before is still committing. Otherwise it waits
    # for that commit, as a batch that reads or updates stored records must (contacts refresh their
    # customers' search keys, which another batch's uncommitted contacts would be missing from).
    new_rows_apart: bool = False

    def fields(self, actor) -> list[ImportField]:
        """Target fields the actor may import (hidden and read-only fields left out)."""
        raise NotImplementedError

    def begin(self, actor) -> dict:
        """Load what checking rows needs once per job (lookup lists, regions, users): a context dict."""
        return {}

    def clean(self, row: Row, ctx: dict) -> None:
        """Fill ``row.data`` from ``row.raw``, appending a RowError to ``row.errors`` per bad value. No queries."""
        raise NotImplementedError

    def keys(self, row: Row) -> list[str]:
        """Keys that make two rows of one file the same record (e.g. "phone:+86…")."""
        return []

    def find_existing(self, rows: list[Row], ctx: dict) -> None:
        """Set ``row.match`` for rows that duplicate a stored record, with a few queries per batch."""

    def create(self, rows: list[Row], ctx: dict) -> list:
        """Insert the rows in bulk (audit included); return the created records (instances, or the
        value dicts core.imports.bulk.NewRows wrote)."""
        raise NotImplementedError

    def prepare(self, rows: list[Row], ctx: dict) -> Callable[[], list]:
        """The work on new rows that needs no transaction of the batch (codes reserved, search keys
        worked out), done while the previous batch is written; returns what writes them, called in
        the batch's transaction, which returns what :meth:`create` returns. By default all of
        :meth:`create` waits for the transaction."""
        return functools.partial(self.create, rows, ctx)

    def update(self, rows: list[Row], ctx: dict) -> list:
        """Apply the rows to their matched records in bulk (audit included); return the changed instances.
        A row that cannot be applied gets a RowError appended and is left out."""
        raise NotImplementedError

    def describe(self, match: Match) -> str:
        """What matched, for the user (the record's own label only when ``match.readable``)."""
        return match.label if match.readable else ""


def register_importer(definition: ImporterDefinition) -> ImporterDefinition:
    _registry[definition.entity] = definition
    return definition


def get_importer(entity: str) -> ImporterDefinition:
    return _registry[entity]


def importers() -> list[ImporterDefinition]:
    return list(_registry.values())


