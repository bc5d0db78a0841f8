"""vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) text for contacts, as address books import it.

UTF-8, CRLF line ends, values escaped (backslash, comma, semicolon, newline) and lines folded at 75
octets without splitting a multi-byte character. The UID is stable per contact and installation,
so importing a newer export updates the card instead of adding a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import UTC

from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

VERSIONS = ("3.0", "4.0")
MAX_OCTETS = 75
# Two-character family names (复姓); every other Chinese name starts with a one-character family name.
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "钟离", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "太史", "申屠", "濮阳", "闻人",
    "万俟", "赫连", "拓跋", "第五", "司空", "左丘", "仲孙", "单于", "东郭", "梁丘", "羊舌", "微生", "漆雕", "乐正",
}


def escape(value) -> str:
    """A TEXT value: backslash, comma and semicolon escaped, line breaks as \\n."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into physical lines of at most 75 octets (continuations start with a space)."""
    if len(line.encode("utf-8")) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            # The space that starts a continuation line counts towards its 75 octets.
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def split_name(name: str) -> tuple[str, str]:
    """(family name, given name): 张伟 → (张, 伟), 欧阳娜娜 → (欧阳, 娜娜), Anna Li → (Li, Anna)."""
    name = " ".join(str(name or "").split())
    if " " in name:
        given, family = name.rsplit(" ", 1)
        return family, given
    if _has_cjk(name):
        size = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
        return name[:size], name[size:]
    return "", name


def uid_for(contact) -> str:
    digest = salted_hmac("zhanggui.vcard.uid", str(contact.pk)).hexdigest()
    return f"urn:uuid:{uuid.UUID(hex=digest[:32], version=5)}"


def _note(contact, dates, shown) -> str:
    lines = [contact.notes.strip()] if shown("notes") and contact.notes and contact.notes.strip() else []
    if shown("wechat") and contact.wechat:
        lines.append(_("WeChat: %(id)s") % {"id": contact.wechat})
    if shown("decision_role") and contact.decision_role:
        lines.append(_("Decision role: %(role)s") % {"role": contact.get_decision_role_display()})
    for item in dates:
        lines.append(f"{item.label}: {item.date:%Y-%m-%d}")
    return "\n".join(lines)


def contact_vcard(contact, *, version: str = "3.0", dates: Iterable | None = None, hidden: Collection[str] = ()) -> str:
    """One VCARD for ``contact`` (its customer must be loaded); ``dates`` are its important dates.
    Fields in ``hidden`` (the user's hidden fields) are left out."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported vCard version {version!r}")
    v4 = version == "4.0"

    def shown(field: str) -> bool:
        return field not in hidden and bool(getattr(contact, field))

    dates = list(contact.important_dates.all() if dates is None else dates)
    name = contact.name if shown("name") else f"#{contact.pk}"
    family, given = split_name(name) if shown("name") else ("", name)
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if v4:
        lines.append("KIND:individual")
    lines.append("PRODID:-//Zhanggui CRM//Contacts//ZH")
    lines.append(f"N:{escape(family)};{escape(given)};;;")
    lines.append(f"FN:{escape(name)}")
    if "customer" not in hidden:
        org = [escape(contact.customer.name)] + ([escape(contact.department_name)] if shown("department_name") else [])
        lines.append("ORG:" + ";".join(org))
    if shown("title"):
        lines.append(f"TITLE:{escape(contact.title)}")
    if shown("mobile"):
        lines.append(f"TEL;TYPE={'cell' if v4 else 'CELL'}:{escape(contact.mobile)}")
    if shown("phone"):
        lines.append(f"TEL;TYPE={'work,voice' if v4 else 'WORK,VOICE'}:{escape(contact.phone)}")
    if shown("email"):
        lines.append(f"EMAIL;TYPE={'work' if v4 else 'INTERNET'}:{escape(contact.email)}")
    if shown("birthday"):
        lines.append(f"BDAY:{contact.birthday:%Y%m%d}" if v4 else f"BDAY:{contact.birthday:%Y-%m-%d}")
    if v4 and shown("gender"):
        lines.append("GENDER:" + ("M" if contact.gender == "male" else "F"))
    if shown("wechat"):
        lines.append(f"X-WECHAT:{escape(contact.wechat)}")
    note = _note(contact, dates, shown)
    if note:
        lines.append(f"NOTE:{escape(note)}")
    lines.append(f"UID:{uid_for(contact)}")
    stamp = (contact.updated_at or timezone.now()).astimezone(UTC)
    lines.append(f"REV:{stamp:%Y%m%dT%H%M%SZ}" if v4 else f"REV:{stamp:%Y-%m-%dT%H:%M:%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def vcards(contacts: Iterable, *, version: str = "3.0", hidden: Collection[str] = ()) -> str:
    """Several cards in one .vcf file (contacts should come with customer and important dates loaded)."""
    return "".join(contact_vcard(contact, version=version, hidden=hidden) for contact in contacts)
