"""Just enough PDF reading for the tests (no PDF library in the venv): inflate every stream, map the
glyph codes of text-showing operators back to Unicode through the fonts' ToUnicode CMaps."""

from __future__ import annotations

import re
import zlib


def streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def everything(pdf: bytes) -> bytes:
    return pdf + b"\n".join(streams(pdf))


def _cmap(data: bytes) -> dict[str, str]:
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[src.decode().upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start, width = int(dst, 16), len(lo)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[f"{code:0{width}X}"] = chr(start + i)
    return table


def text(pdf: bytes) -> str:
    """The text of the PDF's content streams, fonts merged (good enough for the few fonts a quote uses)."""
    parts = streams(pdf)
    table = {}
    for data in parts:
        if b"begincmap" in data:
            table.update(_cmap(data))
    width = len(next(iter(table), "0000"))
    out = []
    for data in parts:
        if b"BT" not in data or b"begincmap" in data:
            continue
        for hexes in re.findall(rb"<([0-9A-Fa-f]+)>", data):
            h = hexes.decode().upper()
            out.append("".join(table.get(h[i:i + width], "") for i in range(0, len(h), width)))
    return "".join(out)
