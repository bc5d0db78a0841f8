"""A report table as an .xlsx download: header row, data rows, optional totals row.

Text cells are written as plain strings (names come from user data, and Excel/WPS must never run
"=…" as a formula); Decimals and ints stay numbers so the sheet can be summed; None and the "—" of a
division by zero are written as "—".
"""

from __future__ import annotations

import tempfile
from decimal import Decimal

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.lists.export import SPOOL_BYTES

DASH = "—"


def _cell(ws, value) -> WriteOnlyCell | int | float | Decimal:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", DASH if value is None else str(value)))
    cell.data_type = "s"
    return cell


def write_table(*, title: str, headers: list, rows: list[list], totals: list | None = None):
    """An .xlsx file positioned at 0."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(str(title) or "Sheet")[:31])
    ws.append([_cell(ws, str(h)) for h in headers])
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    if totals is not None:
        ws.append([_cell(ws, v) for v in totals])
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out


def xlsx_response(*, filename: str, title: str, headers: list, rows: list[list], totals: list | None = None):
    return FileResponse(write_table(title=title, headers=headers, rows=rows, totals=totals), as_attachment=True,
                        filename=f"{filename}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
