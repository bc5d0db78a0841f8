"""Stored search and duplicate keys of a lead, built with the customers' helpers so that a lead and a
customer compare the same way: pinyin and initials of names (``bjkj`` finds 北京科技), E.164 phones,
the company-name core of customers.dedup, and the lower-cased email."""

from __future__ import annotations

import unicodedata

from customers import validators
from customers.dedup import name_key
from customers.search import norm, pinyin_keys

SEARCH_TEXT_MAX = 600


def _join(parts) -> str:
    seen, out = set(), []
    for part in parts:
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return "|".join(out)[:SEARCH_TEXT_MAX]


def email_norm(email: str) -> str:
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def fill_keys(lead) -> None:
    """Set the keys computed from the lead's own columns (no query beyond a cached region list)."""
    tokens = []
    for name in (lead.company, lead.contact_name):
        tokens.append(norm(name))
        tokens.extend(pinyin_keys(name))
    tokens.append(email_norm(lead.email))
    tokens.append(norm(lead.wechat))
    lead.search_text = _join(tokens)
    lead.phone_norm = validators.normalize_phone(lead.mobile)
    lead.phone2_norm = validators.normalize_phone(lead.phone)
    lead.email_norm = email_norm(lead.email)
    lead.name_key = name_key(lead.company)[:120] if lead.company else ""


def phones_of(lead) -> list[str]:
    return [p for p in dict.fromkeys((lead.phone_norm, lead.phone2_norm)) if p]
