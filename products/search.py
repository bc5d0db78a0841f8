"""Product search key: one stored lower-case column (name, code, spec, model, brand, barcode, with the
pinyin and initials of Chinese words), so ``dyj`` finds 打印机 and a search reads one column."""

from __future__ import annotations

from django.db.models import Q

from customers.search import name_tokens, norm

SEARCH_TEXT_MAX = 1000
# Fields whose values the key reveals: a user for whom any is hidden gets the plain field search.
KEY_SOURCES = {"name", "code", "spec", "model", "brand", "barcode"}


def _join(parts) -> str:
    seen, out = set(), []
    for part in parts:
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return "|".join(out)[:SEARCH_TEXT_MAX]


def fill_search_text(product) -> None:
    product.search_text = _join([*name_tokens(product.name, product.spec, product.brand),
                                 norm(product.code), norm(product.model), norm(product.barcode)])


def search_condition(term: str, *, hidden: set[str] | frozenset = frozenset()) -> Q | None:
    """The row condition for a search term, or None when hidden fields rule the stored key out."""
    if KEY_SOURCES & set(hidden):
        return None
    text = norm(term)
    return Q(search_text__contains=text) if text else Q()
