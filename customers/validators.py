"""Checks and normal forms of customer data: 统一社会信用代码 and phone numbers.

Phones: what the user typed stays in the record for display (people write numbers the way they read
them: "0571-8888 6666", "138 0013 8000"); ``normalize_phone`` gives the E.164 form ("+8613800138000")
that is stored beside it in ``phone_norm`` and used for duplicate checks and search.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: 18 characters from this alphabet (digits and capitals without I, O, S, V, Z).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Position 1: the registering authority; position 2: the kind of organisation it registers.
CREDIT_KINDS = {
    "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19",
    "9": "123", "A": "19", "N": "1239", "Y": "1",
}
CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_check_char(first17: str) -> str:
    """The 18th character of a credit code: 31 − (Σ value × weight mod 31), 31 counting as 0."""
    total = sum(CREDIT_ALPHABET.index(ch) * weight for ch, weight in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    """Full-width characters, spaces and lower case as people paste them → the canonical form."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[\s\-]", "", text).upper()


def validate_credit_code(raw: str) -> str:
    """The canonical code, or ValidationError saying what is wrong with it."""
    code = normalize_credit_code(raw)
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if not CREDIT_RE.match(code):
        raise ValidationError(_("The code contains characters a unified social credit code cannot have."), code="chars")
    if code[1] not in CREDIT_KINDS.get(code[0], ""):
        raise ValidationError(_("The first two characters are not a known registering authority."), code="authority")
    if credit_check_char(code[:17]) != code[17]:
        raise ValidationError(_("The check digit does not match: please check the code."), code="check")
    return code


# An extension written after the number: "-8001", "转8001", "ext. 8001", "#8001".
_EXTENSION_RE = re.compile(r"^(.*?\d)\s*(?:转|分机|ext\.?|x|#|-|－)\s*(\d{1,6})$", re.IGNORECASE)


def _parse(text: str):
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(raw: str) -> str:
    """E.164 form of a Chinese (or international) phone number, without extension; "" if not a valid number."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return ""
    number = _parse(text)
    if number is None:
        match = _EXTENSION_RE.match(text)
        if match:
            number = _parse(match.group(1))
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(raw: str) -> str:
    """The E.164 form, or ValidationError for text that is not a phone number."""
    norm = normalize_phone(raw)
    if not norm:
        raise ValidationError(_("Enter a valid phone number, e.g. 13800138000 or 010-12345678."), code="phone")
    return norm


def phone_search_digits(term: str) -> str:
    """The digits to look for when a search term looks like (part of) a phone number, else ""."""
    text = unicodedata.normalize("NFKC", term or "").strip()
    if not re.fullmatch(r"[+\d\s\-()]+", text):
        return ""
    digits = re.sub(r"\D", "", text)
    # A trunk 0 ("010…") is not part of the stored E.164 form (+8610…).
    if text.startswith("0"):
        digits = digits.lstrip("0")
    return digits if len(digits) >= 3 else ""
