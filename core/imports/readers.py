"""Reading uploaded spreadsheets: CSV (UTF-8 with or without BOM, or GB18030/GBK as Excel in China
saves it) and Excel workbooks (.xlsx/.xls) through python-calamine, the fastest well-kept reader.

The kind of file is decided by its content, never by its name: a zip is an .xlsx, an OLE2 compound
file an .xls, text that decodes is CSV; anything else is refused.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_COLUMNS = 200
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig reads plain UTF-8 too; GB18030 is a superset of GBK/GB2312
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def detect_kind(head: bytes) -> str:
    """"xlsx", "xls" or "csv" from the first bytes of a file; ValidationError for anything else."""
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        return "xls"
    text = _decode(head, partial=True) if b"\x00" not in head else None
    # GB18030 decodes almost any bytes, so binary files are told apart by their control characters.
    if text is not None and not _CONTROL_RE.search(text):
        return "csv"
    raise ValidationError(_("This file is not a CSV or Excel file."))


def _decode(data: bytes, *, partial: bool = False) -> str | None:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            # The sample may end in the middle of a multi-byte character.
            if partial and exc.start >= len(data) - 4:
                return data[:exc.start].decode(encoding, errors="strict") if exc.start else ""
    return None


def cell(value: Any) -> Any:
    """A cell as the importers expect it: text stripped, whole floats as ints (Excel stores 13800138000
    as a float), dates as dates; empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime.datetime):
        return value.date() if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0) else value
    return value


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    text = _decode(data)
    if text is None:
        raise ValidationError(_("The file's text encoding is not UTF-8 or GBK."))
    first_line = text[:4096].split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [value.strip() for value in row]


def _excel_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        if not workbook.sheet_names:
            return
        sheet = workbook.get_sheet_by_index(0)
        for row in sheet.iter_rows():
            yield [cell(value) for value in row]
    except (CalamineError, ValueError, OSError) as exc:
        raise ValidationError(_("The workbook cannot be read (%(error)s).") % {"error": type(exc).__name__}) from None


def read_rows(handle: IO[bytes], kind: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """(header texts, iterator of (row number, cells)) of the first sheet; empty rows are left out,
    row numbers count them, as a spreadsheet shows them (the header is row 1)."""
    rows = _csv_rows(handle.read()) if kind == "csv" else _excel_rows(handle)
    header: list[str] = []
    number = 0
    for cells in rows:
        number += 1
        if any(value not in ("", None) for value in cells):
            header = [str(value).strip() for value in cells][:MAX_COLUMNS]
            break
    if not header:
        raise ValidationError(_("The file has no header row."))

    def data() -> Iterator[tuple[int, list[Any]]]:
        nonlocal number
        for cells in rows:
            number += 1
            if any(value not in ("", None) for value in cells):
                yield number, list(cells[:len(header)]) + [""] * (len(header) - len(cells))

    return header, data()


def estimate_rows(handle: IO[bytes], kind: str) -> int:
    """About how many data rows a file has, for the progress bar (cells with line breaks count extra)."""
    if kind == "csv":
        data = handle.read()
        return max(data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1, 0)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        return max(workbook.get_sheet_by_index(0).height - 1, 0) if workbook.sheet_names else 0
    except (CalamineError, ValueError, OSError):
        return 0
