"""Which column holds which field: guessed from the header texts, or taken from a saved template.

Header texts are compared in a normal form (full-width folded, lower case, without spaces, marks
such as "*" for required, and bracketed notes like "(必填)"), against each field's name, its label
in English and Chinese, and the importer's aliases (客户名称/公司名称 → name, 手机/电话 → phone).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.utils import translation

from .registry import ImportField

_NOISE_RE = re.compile(r"[\s*＊:：_\-·.]+|[(（\[【][^)）\]】]*[)）\]】]")


def norm(text) -> str:
    return _norm(str(text or ""))


@functools.lru_cache(maxsize=4096)  # the same few values (levels, sources, places, people) row after row
def _norm(text: str) -> str:
    return _NOISE_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def _names(field: ImportField) -> list[str]:
    names = [field.name, field.name.replace("_", " "), *field.aliases]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.append(str(field.label))
    return [n for n in dict.fromkeys(norm(name) for name in names) if n]


def guess(headers: list[str], fields: list[ImportField]) -> dict[str, str]:
    """{column index as text: field name}; each field is given to one column at most."""
    wanted = {field.name: _names(field) for field in fields}
    heads = [norm(h) for h in headers]
    mapping: dict[str, str] = {}
    used: set[str] = set()
    # Exact matches first, so "手机" goes to mobile before "电话" grabs it by containment.
    for exact in (True, False):
        for index, head in enumerate(heads):
            if not head or str(index) in mapping:
                continue
            for name, candidates in wanted.items():
                if name in used:
                    continue
                hit = head in candidates if exact else any(
                    len(c) >= 2 and len(head) >= 2 and (c in head or head in c) for c in candidates)
                if hit:
                    mapping[str(index)] = name
                    used.add(name)
                    break
    return mapping


def from_template(headers: list[str], template_mapping: dict[str, str], fields: list[ImportField]) -> dict[str, str]:
    """A saved template (header text → field) applied to this file's headers; unknown fields are dropped."""
    allowed = {field.name for field in fields}
    by_head = {norm(head): name for head, name in template_mapping.items() if name in allowed}
    mapping, used = {}, set()
    for index, head in enumerate(headers):
        name = by_head.get(norm(head))
        if name and name not in used:
            mapping[str(index)] = name
            used.add(name)
    return mapping


def to_template(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """The mapping of a run as header text → field, the form templates are stored in."""
    return {headers[int(index)]: name for index, name in mapping.items() if int(index) < len(headers)}
