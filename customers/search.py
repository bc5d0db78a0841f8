"""Customer search keys: stored, so a search reads one column instead of converting names on the fly.

``search_text`` holds, lower case and "|"-separated: the name and short name, their full pinyin and
pinyin initials (``bjkj`` finds 北京科技), and the customer code. ``phone_norm`` holds the E.164 phone.
``contact_search`` holds the customer's contacts: names, their pinyin and initials, mobile digits.

The row's own keys are filled whenever a customer is saved (``Customer.save`` and bulk creates call
:func:`fill_own_keys`); the contacts' part changes when contacts change, so the contact services call
:func:`refresh_search_keys`. Matching is ``LIKE '%term%'`` on these lower-case columns; on PostgreSQL
a trigram index on them (pg_trgm, added with the benchmark work) makes that an index search.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from pypinyin import Style, lazy_pinyin

from . import validators

SEARCH_TEXT_MAX = 1000
CONTACT_SEARCH_MAX = 2000
# Fields whose values the keys reveal: a user for whom any is hidden gets the plain field search.
NAME_SOURCES = {"name", "short_name", "code"}


def norm(text: str) -> str:
    """Lower case, full-width folded, without spaces: how keys are stored and terms compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _alnum(parts: list[str]) -> str:
    return "".join(re.sub(r"[^0-9a-z]", "", p.lower()) for p in parts)


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, e.g. 北京科技 → ("beijingkeji", "bjkj"). Latin words stay whole."""
    text = unicodedata.normalize("NFKC", text or "")
    if not re.search(r"[\u3400-\u9fff]", text):
        return "", ""
    return _alnum(lazy_pinyin(text)), _alnum(lazy_pinyin(text, style=Style.FIRST_LETTER))


def _join(parts, limit: int) -> str:
    seen, out = set(), []
    for part in parts:
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return "|".join(out)[:limit]


def name_tokens(*names: str) -> list[str]:
    tokens = []
    for name in names:
        tokens.append(norm(name))
        tokens.extend(pinyin_keys(name))
    return tokens


def fill_own_keys(customer) -> None:
    """Set the keys computed from the customer's own columns (no query beyond a cached region list)."""
    from .dedup import name_key

    customer.search_text = _join([*name_tokens(customer.name, customer.short_name), norm(customer.code)], SEARCH_TEXT_MAX)
    customer.phone_norm = validators.normalize_phone(customer.phone)
    customer.name_key = name_key(customer.name)[:120]


def contact_keys(contacts, tokens_of=name_tokens) -> str:
    """The contacts' part of a customer's keys; ``tokens_of(name)`` gives what :func:`name_tokens` gives
    (an import passes its cached pinyin)."""
    tokens = []
    for contact in contacts:
        tokens.extend(tokens_of(contact.name))
        mobile = getattr(contact, "mobile", "")
        if mobile:
            tokens.append((validators.normalize_phone(mobile) or "").lstrip("+") or re.sub(r"\D", "", mobile))
    return _join(tokens, CONTACT_SEARCH_MAX)


def refresh_search_keys(customer) -> None:
    """Recompute a customer's keys, its contacts included. Contact services call this after a change."""
    from .models import Customer

    fill_own_keys(customer)
    customer.contact_search = contact_keys(customer.contacts.all())
    # A derived column: no version bump and no audit entry, it records nothing a person changed.
    Customer.all_objects.filter(pk=customer.pk).update(
        search_text=customer.search_text, phone_norm=customer.phone_norm, name_key=customer.name_key,
        contact_search=customer.contact_search)


def _contacts_of(customer_ids) -> dict[int, list]:
    """The live contacts (name and mobile) of these customers, by customer id, in one query."""
    from .models import Contact

    contacts: dict[int, list] = {}
    for contact in Contact.objects.filter(customer_id__in=customer_ids).only("customer_id", "name", "mobile"):
        contacts.setdefault(contact.customer_id, []).append(contact)
    return contacts


def rebuild_search_keys(queryset=None, *, batch_size: int = 500) -> int:
    """Recompute the keys of many customers (after a bulk load that bypassed the models). Returns the count."""
    from .models import Customer

    queryset = queryset if queryset is not None else Customer.all_objects.all()
    count = 0
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = list(Customer.all_objects.filter(pk__in=ids[start:start + batch_size]))
        contacts = _contacts_of([c.pk for c in chunk])
        for customer in chunk:
            fill_own_keys(customer)
            customer.contact_search = contact_keys(contacts.get(customer.pk, []))
        Customer.all_objects.bulk_update(chunk, ["search_text", "phone_norm", "name_key", "contact_search"])
        count += len(chunk)
    return count


def refresh_contact_keys(customer_ids, *, tokens_of=name_tokens, batch_size: int = 500) -> int:
    """Recompute only the contacts' part of many customers' keys (a contact import leaves their own
    keys as they are): their contacts read a batch at a time, one UPDATE per customer sent together."""
    from .models import Customer

    ids = sorted(set(customer_ids))
    table = connection.ops.quote_name(Customer._meta.db_table)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start:start + batch_size]
        contacts = _contacts_of(chunk)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET contact_search = %s WHERE id = %s",
                               [(contact_keys(contacts.get(pk, []), tokens_of), pk) for pk in chunk])
    return len(ids)


FTS_MIN = 3  # trigram indexes need three characters; shorter terms are matched with LIKE


def _fts(columns: list[str], text: str) -> Q:
    """Rows whose keys in ``columns`` contain ``text``, found through the SQLite FTS5 trigram table
    (migration 0007): the same substring match as LIKE '%text%' without reading every row."""
    phrase = '"' + text.replace('"', '""') + '"'
    return Q(pk__in=RawSQL("SELECT rowid FROM customers_customer_fts WHERE customers_customer_fts MATCH %s",
                           ["{" + " ".join(columns) + "} : " + phrase]))


def _contains(columns: list[str], text: str) -> Q:
    if connection.vendor == "sqlite" and len(text) >= FTS_MIN:
        return _fts(columns, text)
    # PostgreSQL: LIKE '%text%' on these columns is answered by their pg_trgm GIN indexes (0007).
    cond = Q()
    for column in columns:
        cond |= Q(**{f"{column}__contains": text})
    return cond


def search_condition(term: str, *, hidden: set[str] | frozenset = frozenset()) -> Q | None:
    """The row condition for a search term, or None when the user's hidden fields rule the keys out."""
    if NAME_SOURCES & set(hidden):
        return None
    text = norm(term)
    if not text:
        return Q()
    if "phone" in hidden:
        return _contains(["search_text"], text)
    # Contacts' keys carry mobile numbers, so they follow the phone field's permission.
    cond = _contains(["search_text", "contact_search"], text)
    digits = validators.phone_search_digits(term)
    if digits:
        cond |= _contains(["phone_norm", "contact_search"], digits)
    return cond
