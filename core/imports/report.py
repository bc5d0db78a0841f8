"""The downloadable findings of a run (.xlsx): row number, column, value and reason per issue, and
the blank template of an importer (its header row)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.models import ImportIssue, ImportRun

from .registry import ImporterDefinition

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """Cell text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _bold_row(sheet, values) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def issues_xlsx(run: ImportRun, phase: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Issues"))
    sheet.append(_bold_row(sheet, [_("Row"), _("Column"), _("Value"), _("Kind"), _("Reason")]))
    kinds = dict(ImportIssue.Kind.choices)
    issues = ImportIssue.objects.filter(run=run, phase=phase).order_by("row", "id").values_list(
        "row", "column", "value", "kind", "reason")
    for row, column, value, kind, reason in issues.iterator(chunk_size=2000):
        sheet.append([row, safe(column), safe(value), str(kinds.get(kind, kind)), safe(reason)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def blank_template(importer: ImporterDefinition, actor) -> bytes:
    """A workbook with the importer's header row (required fields marked with *)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(importer.label)[:31])
    sheet.append(_bold_row(sheet, [f"{'*' if f.required else ''}{f.label}" for f in importer.fields(actor)]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
