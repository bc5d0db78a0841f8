from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.amount_words import DIGITS, amount_in_words

UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def parse(text: str) -> Decimal:
    """A tiny reader of 大写 amounts, independent of the writer."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_text, _, small = text.partition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for ch in yuan_text:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in UNIT:
            section += digit * UNIT[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    total += section + digit
    cents, digit = 0, 0
    for ch in small:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch == "角":
            cents += digit * 10
        elif ch == "分":
            cents += digit
    return sign * (Decimal(total) + Decimal(cents) / 100)


@pytest.mark.parametrize("amount, words", [
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("100", "壹佰元整"), ("1005.07", "壹仟零伍元零柒分"),
    ("0.5", "伍角"), ("0.07", "柒分"), ("0", "零元整"), ("10000000", "壹仟万元整"),
    ("10000001", "壹仟万零壹元整"), ("100010", "壹拾万零壹拾元整"), ("20500", "贰万零伍佰元整"),
    ("1010", "壹仟零壹拾元整"), ("10.1", "壹拾元壹角"), ("100000000", "壹亿元整"),
    ("1000100000", "壹拾亿零壹拾万元整"), ("100000001", "壹亿零壹元整"), ("110000", "壹拾壹万元整"),
    ("105000.5", "壹拾万伍仟元伍角"), ("100500", "壹拾万零伍佰元整"), ("-3.2", "负叁元贰角"), ("1.005", "壹元零壹分"),
])
def test_table(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2))
def test_round_trip(amount):
    words = amount_in_words(amount)
    assert parse(words) == amount
    assert "零零" not in words and not words.rstrip("整").endswith("零")
