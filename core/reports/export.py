"""A pivot table as an .xlsx sheet: the X members down, the series across, totals last.

Labels come from user data (customer sources, user names), so every text cell is written as a
plain string: Excel/WPS never runs it as a formula.
"""

from __future__ import annotations

import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.lists.export import SPOOL_BYTES

from .pivot import PivotResult


def _text(ws, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # openpyxl would otherwise turn "=…" into a formula
    return cell


def write_xlsx(result: PivotResult, *, title: str, total_label: str):
    """Returns a file positioned at 0."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(title or "Sheet")[:31])
    has_series = result.series is not None
    ws.append([_text(ws, result.x.label)] + [_text(ws, m.label) for m in result.series_members]
              + ([_text(ws, total_label)] if has_series else []))
    for xm in result.x_members:
        row = [_text(ws, xm.label)] + [result.value(xm.key, sm.key) for sm in result.series_members]
        if has_series:
            row.append(result.row_total(xm.key))
        ws.append(row)
    totals = [_text(ws, total_label)] + [result.column_total(sm.key) for sm in result.series_members]
    if has_series:
        totals.append(result.total)
    ws.append(totals)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out

