"""What a pool member is shown of a customer they have not claimed yet.

In a pool with ``mask_contacts`` the phone keeps its first three and last four digits
(138****5678), and contacts, the street address, website, e-mail-like notes and invoice details are
left out; the city stays so members can choose whom to claim. Fields the gate hides from the user
are left out as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import access
from customers.models import Customer

_DIGIT = re.compile(r"\d")


def mask_phone(phone: str) -> str:
    """138****5678 for 13812345678, 021-****5678 for 021-12345678; short numbers keep only the last two digits."""
    phone = (phone or "").strip()
    digits = _DIGIT.findall(phone)
    if not digits:
        return ""
    keep_head, keep_tail = (3, 4) if len(digits) >= 10 else (0, 2)
    out, seen, masked = [], 0, False
    for char in phone:
        if not char.isdigit():
            out.append(char)
            continue
        seen += 1
        if seen <= keep_head or seen > len(digits) - keep_tail:
            out.append(char)
        elif not masked:
            out.append("****")
            masked = True
    return "".join(out)


@dataclass
class PoolRow:
    """A pool customer as the list and the masked card show it."""

    pk: int
    name: str
    code: str
    level: object
    status: str
    industry: object
    province: object
    city: object
    phone: str
    address: str
    website: str
    previous_owner: object
    pool_entered_at: object
    last_followup_at: object
    masked: bool

    def as_dict(self) -> dict:
        return {
            "id": self.pk, "name": self.name, "code": self.code, "status": self.status,
            "level": str(self.level) if self.level else "", "industry": str(self.industry) if self.industry else "",
            "province": str(self.province) if self.province else "", "city": str(self.city) if self.city else "",
            "phone": self.phone, "address": self.address, "website": self.website, "masked": self.masked,
            "previous_owner": str(self.previous_owner) if self.previous_owner else "",
            "pool_entered_at": self.pool_entered_at, "last_followup_at": self.last_followup_at,
        }


def pool_row(customer: Customer, *, masked: bool, hidden: set[str]) -> PoolRow:
    def shown(name: str, value):
        return "" if name in hidden else value

    phone = shown("phone", customer.phone)
    return PoolRow(
        pk=customer.pk, name=shown("name", customer.name) or customer.code or f"#{customer.pk}",
        code=shown("code", customer.code), level=customer.level, status=customer.get_status_display(),
        industry=customer.industry, province=customer.province, city=customer.city,
        phone=mask_phone(phone) if masked else phone,
        address="" if masked else shown("address", customer.address),
        website="" if masked else shown("website", customer.website),
        previous_owner=customer.previous_owner, pool_entered_at=customer.pool_entered_at,
        last_followup_at=customer.last_followup_at, masked=masked,
    )


def pool_rows(user, customers, *, pool) -> list[PoolRow]:
    hidden = access.hidden_fields(user, Customer)
    return [pool_row(c, masked=pool.mask_contacts, hidden=hidden) for c in customers]


POOL_SELECT_RELATED = ("level", "industry", "province", "city", "previous_owner")
