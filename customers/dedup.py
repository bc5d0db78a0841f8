"""Duplicate check (查重) for customers: exact on credit code or phone, fuzzy on the name.

The check looks at every live customer, not only those the user may see: a salesperson must learn
that a customer already exists even when a colleague owns it (撞单). What the answer reveals follows
the gate: a match the user may read comes with its name, code and link; any other match only says
what matched and who owns it, never the record's name or values.

Names are compared by their core (``name_key``): full-width folded, without company-form suffixes
(有限公司, 股份有限公司, 集团…), bracketed parts such as (中国) and a leading province/city
(北京华为技术有限公司 → 华为技术). Two names whose leading regions differ (北京科技 / 上海科技) are
different companies, not duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from core import access

from . import regions, validators

FUZZY_THRESHOLD = 85
MAX_CANDIDATES = 300
MAX_MATCHES = 10

# Longest first, stripped repeatedly from the end: "集团股份有限公司" → "".
COMPANY_SUFFIXES = tuple(sorted({
    "股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "集团", "总公司", "分公司", "公司",
    "股份", "有限", "责任", "合伙企业", "有限合伙", "普通合伙", "个人独资企业", "企业", "工作室", "经营部",
    "co.,ltd.", "co.,ltd", "co.ltd", "coltd", "ltd.", "ltd", "inc.", "inc", "corp.", "corp", "limited", "company", "group",
}, key=len, reverse=True))
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {}
for _suffix in COMPANY_SUFFIXES:  # each list longest first, as in COMPANY_SUFFIXES
    _SUFFIXES_BY_LAST[_suffix[-1]] = (*_SUFFIXES_BY_LAST.get(_suffix[-1], ()), _suffix)
_BRACKETS_RE = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
_PUNCT_RE = re.compile(r"[\s·.,，。、\-—_&＆'\"“”‘’/\\]+")


_by_first: tuple[tuple, dict[str, list[str]]] = ((), {})


def _words_by_first_char() -> dict[str, list[str]]:
    """Region words grouped by their first character (longest first), so a name is checked against a handful."""
    global _by_first
    words = regions.region_words()
    if _by_first[0] is not words:
        groups: dict[str, list[str]] = {}
        for word in words:
            groups.setdefault(word[0], []).append(word)
        _by_first = (words, groups)
    return _by_first[1]


def _split_regions(name: str) -> tuple[str, set[str]]:
    """(name without leading region words, the regions found in short form)."""
    found = set()
    groups = _words_by_first_char()
    for _round in range(3):
        for word in groups.get(name[:1], ()):
            if name.startswith(word) and len(name) - len(word) >= 2:
                found.add(regions.short_name(word))
                name = name[len(word):]
                break
        else:
            break
    return name, found


def analyse(name: str) -> tuple[str, set[str]]:
    """(core of a company name, the regions it names) — the parts duplicate checks compare."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    found = set()
    for bracket in _BRACKETS_RE.findall(text):
        inner = bracket[1:-1]
        if inner in _words_by_first_char().get(inner[:1], ()):
            found.add(regions.short_name(inner))
    text = _PUNCT_RE.sub("", _BRACKETS_RE.sub("", text))
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES_BY_LAST.get(text[-1:], ()):  # only those that can end the text
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                stripped = True
                break
    core, leading = _split_regions(text)
    return core, found | leading


def name_key(name: str) -> str:
    return analyse(name)[0]


@dataclass
class Match:
    kind: str  # "credit_code", "phone" or "name"
    customer_id: int
    score: int = 100
    visible: bool = False
    label: str = ""   # what the user may be shown of the record
    code: str = ""
    owner: str = ""
    pool: str = ""  # the public pool the match sits in: the user claims it instead of creating a copy
    url: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.kind in ("credit_code", "phone")

    def as_dict(self) -> dict:
        data = {"kind": self.kind, "exact": self.exact, "visible": self.visible, "owner": self.owner,
                "message": self.message}
        if self.pool:
            data["pool"] = self.pool
        if self.visible:
            data.update({"id": self.customer_id, "name": self.label, "code": self.code, "url": self.url,
                         "score": self.score})
        return data

    @property
    def message(self) -> str:
        what = {"credit_code": _("the same unified social credit code"), "phone": _("the same phone number"),
                "name": _("a similar name")}[self.kind]
        if self.visible:
            return _("%(name)s has %(what)s.") % {"name": self.label, "what": what}
        if self.owner:
            return _("A customer with %(what)s already exists, owned by %(owner)s.") % {"what": what, "owner": self.owner}
        if self.pool:
            return _("A customer with %(what)s is in the public pool %(pool)s: claim it there.") % {
                "what": what, "pool": self.pool}
        return _("A customer with %(what)s already exists in the public pool.") % {"what": what}


def _fuzzy_candidates(qs, key: str):
    if len(key) < 2:
        return qs.none()
    cond = Q(name_key=key)
    # A few character pairs of the core find names that differ by a typo or an added word.
    pairs = {key[i:i + 2] for i in (0, len(key) // 2 - 1, len(key) - 2) if 0 <= i <= len(key) - 2}
    for pair in pairs:
        cond |= Q(name_key__contains=pair)
    return qs.filter(cond)


def _similar(key: str, places: set[str], other_name: str, other_key: str) -> int:
    other_core, other_places = analyse(other_name)
    if places and other_places and not (places & other_places):
        return 0
    score = int(fuzz.ratio(key, other_key or other_core))
    return score if score >= FUZZY_THRESHOLD else 0


def find_duplicates(*, user, name: str = "", phone: str = "", credit_code: str = "",
                    exclude: list[int] | tuple[int, ...] = ()) -> list[Match]:
    """Customers that look like the one described, best first; exact matches before similar names."""
    from .models import Customer

    base = Customer.objects.exclude(pk__in=list(exclude))
    found: dict[int, Match] = {}
    code = validators.normalize_credit_code(credit_code)
    if len(code) == 18:
        for pk in base.filter(credit_code=code).values_list("pk", flat=True)[:MAX_MATCHES]:
            found.setdefault(pk, Match("credit_code", pk))
    phone_norm = validators.normalize_phone(phone)
    if phone_norm:
        for pk in base.filter(phone_norm=phone_norm).values_list("pk", flat=True)[:MAX_MATCHES]:
            found.setdefault(pk, Match("phone", pk))
    key, places = analyse(name)
    if key:
        scored = []
        for pk, other_name, other_key in _fuzzy_candidates(base, key).values_list("pk", "name", "name_key")[:MAX_CANDIDATES]:
            score = _similar(key, places, other_name, other_key)
            if score and pk not in found:
                scored.append((score, pk))
        for score, pk in sorted(scored, reverse=True)[:MAX_MATCHES]:
            found[pk] = Match("name", pk, score=score)
    matches = list(found.values())[:MAX_MATCHES * 2]
    _describe(user, matches)
    return matches


def _describe(user, matches: list[Match]) -> None:
    """Fill in what the user may see of each match: everything readable, else only the owner."""
    from .models import Customer
    from .ui import CustomerUI

    if not matches:
        return
    ids = [m.customer_id for m in matches]
    readable = set(access.visible_to(user, "read", Customer).filter(pk__in=ids).values_list("pk", flat=True))
    hidden = access.hidden_fields(user, Customer)
    rows = {c.pk: c for c in Customer.objects.filter(pk__in=ids).select_related("owner", "pool")}
    for match in matches:
        row = rows[match.customer_id]
        match.owner = str(row.owner) if row.owner_id else ""
        match.pool = row.pool.name if row.pool_id else ""
        if match.customer_id in readable:
            match.visible = True
            match.label = row.name if "name" not in hidden else (row.code or f"#{row.pk}")
            match.code = row.code if "code" not in hidden else ""
            match.url = CustomerUI.url("detail", row.pk)


def refuse_exact(matches: list[Match]) -> dict[str, list[str]]:
    """Field errors for the exact matches (credit code, phone): such a customer may not be created twice."""
    errors: dict[str, list[str]] = {}
    for match in matches:
        if match.exact:
            errors.setdefault(match.kind, []).append(match.message)
    return errors
