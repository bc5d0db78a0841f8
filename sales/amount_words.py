"""Amounts in Chinese capitals (大写金额) as written on quotes, contracts and invoices:
1234.56 → 壹仟贰佰叁拾肆元伍角陆分, 100 → 壹佰元整, 1005.07 → 壹仟零伍元零柒分, 0.5 → 伍角.

Rules: the integer part is read in groups of four digits (个, 万, 亿, 万亿); a run of zeros inside
the number reads as one 零, also across a group boundary (10000001 → 壹仟万零壹元); zeros at the end
of a group are silent. Jiao and fen: a zero jiao before a fen reads 零 when there are yuan
(1005.07 → …元零柒分); whole yuan end with 整. Amounts are rounded half up to the fen first.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]


def _group(digits: str) -> str:
    """A group of up to four digits, without leading or trailing zeros' 零."""
    out, zero = [], False
    for i, ch in enumerate(digits):
        n = int(ch)
        place = len(digits) - 1 - i
        if n == 0:
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        out.append(DIGITS[n] + UNITS[place])
    return "".join(out)


def integer_words(n: int) -> str:
    if n == 0:
        return ""
    text = str(n)
    groups = []
    while text:
        groups.insert(0, text[-4:])
        text = text[:-4]
    if len(groups) > len(GROUPS):
        raise ValueError("amount too large")
    out = ""
    pending_zero = False
    for idx, group in enumerate(groups):
        level = len(groups) - 1 - idx
        value = int(group)
        if value == 0:
            pending_zero = bool(out)
            continue
        # A gap before this group (a zero group, or a group not filling its thousands) reads 零.
        if out and (pending_zero or len(group.lstrip("0")) < 4 or group[0] == "0"):
            out += "零"
        out += _group(group.lstrip("0") if not out else group) + GROUPS[level]
        pending_zero = False
    return out


def amount_in_words(amount) -> str:
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == 0:
        return "零元整"
    sign = "负" if value < 0 else ""
    value = abs(value)
    fen_total = int(value * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    words = integer_words(yuan)
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return sign + words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return sign + words
