"""Writing a list to .xlsx or .csv without letting a cell become a spreadsheet formula.

Rows are read with ``iterator(chunk_size=...)`` and written to a spooled temporary file, so a
large export holds neither all records nor the whole file in memory.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .columns import UserNames, raw_value
from .fields import FieldInfo

CHUNK = 2000
SPOOL_BYTES = 8 * 1024 * 1024
# A text cell starting with one of these is run as a formula by Excel/WPS (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _chunks(qs, columns: list[FieldInfo]):
    """Rows in chunks, with the user names of custom user fields loaded once per chunk."""
    chunk = []
    for row in qs.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk, UserNames(columns, chunk)
            chunk = []
    if chunk:
        yield chunk, UserNames(columns, chunk)


def write_xlsx(qs, columns: list[FieldInfo], *, title: str):
    """Returns (file positioned at 0, row count)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(title or "Sheet")[:31])
    ws.append([c.label for c in columns])
    count = 0
    for chunk, users in _chunks(qs, columns):
        for row in chunk:
            cells = []
            for col in columns:
                value = raw_value(col, row, users)
                if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
                    cells.append(value)
                elif isinstance(value, datetime.datetime):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm"
                    cells.append(cell)
                elif isinstance(value, datetime.date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    cells.append(cell)
                elif value is None:
                    cells.append(None)
                else:
                    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                    # openpyxl turns text starting with "=" into a formula; force a plain string cell.
                    cell.data_type = "s"
                    cells.append(cell)
            ws.append(cells)
            count += 1
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out, count


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def write_csv(qs, columns: list[FieldInfo]):
    """Returns (file positioned at 0, row count). UTF-8 with BOM so Excel reads Chinese correctly."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([neutralise(c.label) for c in columns])
    count = 0
    for chunk, users in _chunks(qs, columns):
        for row in chunk:
            writer.writerow([_csv_text(raw_value(col, row, users)) for col in columns])
            count += 1
    text.flush()
    text.detach()  # keep the underlying file open for the response
    out.seek(0)
    return out, count
