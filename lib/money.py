"""Money as the offices write it: parsing and 万元 formatting, always Decimal."""

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "万": Decimal(10_000),
         "亿元": Decimal(100_000_000), "亿": Decimal(100_000_000)}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_CN_DIGITS = {"零": 0, "〇": 0, "壹": 1, "一": 1, "贰": 2, "二": 2, "两": 2,
              "叁": 3, "三": 3, "肆": 4, "四": 4, "伍": 5, "五": 5, "陆": 6, "六": 6,
              "柒": 7, "七": 7, "捌": 8, "八": 8, "玖": 9, "九": 9}
_CN_SMALL = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
_NUMERIC = re.compile(r"^([+-]?\d+(?:\.\d+)?)(亿元|万元|亿|万|元)?$")


def quantize(value):
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # Decimal keeps 28 significant digits: an amount like 1e300 cannot
        # be held to the cent, and no ledger column could store it anyway.
        raise ValueError(f"金额“{value}”过大，无法识别") from None


def _cn_integer(text):
    """Parse 肆仟叁佰万 style integers."""
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[ch]
            digit = 0
        elif ch in _CN_BIG:
            section += digit
            if _CN_BIG[ch] == 100_000_000:
                total = (total + section) * _CN_BIG[ch]
            else:
                total += section * _CN_BIG[ch]
            section, digit = 0, 0
        else:
            raise ValueError(ch)
    return total + section + digit


def _parse_chinese_capital(text):
    text = text.replace("圆", "元").rstrip("整正")
    jiao = fen = 0
    if "元" in text:
        integer_part, rest = text.split("元", 1)
    else:
        integer_part, rest = text, ""
    m = re.fullmatch(r"(?:(.)角)?(?:(.)分)?", rest.lstrip("零"))
    if m is None:
        raise ValueError(rest)
    if m.group(1):
        jiao = _CN_DIGITS[m.group(1)]
    if m.group(2):
        fen = _CN_DIGITS[m.group(2)]
    whole = _cn_integer(integer_part) if integer_part else 0
    return Decimal(whole) + Decimal(jiao) / 10 + Decimal(fen) / 100


def parse_amount(value, unit="元"):
    """Return a Decimal amount in yuan, or raise ValueError with a Chinese message.

    `unit` is the unit of bare numbers (from a header like 金额（万元）); a unit
    written in the cell itself wins. Accepts 4,300万元, 1.68亿, 肆仟叁佰万元整,
    full-width digits and numbers stored as text.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("金额为空")
    if isinstance(value, bool):
        raise ValueError(f"金额“{value}”无法识别")
    factor = UNITS.get(unit, Decimal(1))
    if isinstance(value, (int, Decimal)):
        return quantize(Decimal(value) * factor)
    if isinstance(value, float):
        if not math.isfinite(value):  # only a crafted file holds one
            raise ValueError(f"金额“{value}”无法识别")
        # Excel stores numbers as binary floats; repr gives the shortest
        # decimal that reads back the same, which is what the user typed.
        return quantize(Decimal(repr(value)) * factor)
    text = str(value).strip().translate(_FULLWIDTH)
    text = re.sub(r"[\s,，¥￥]", "", text)
    text = text.replace("人民币", "")
    m = _NUMERIC.match(text)
    if m:
        number, written_unit = m.groups()
        try:
            amount = Decimal(number)
        except InvalidOperation:
            raise ValueError(f"金额“{value}”无法识别") from None
        return quantize(amount * (UNITS[written_unit] if written_unit else factor))
    try:
        return quantize(_parse_chinese_capital(text))
    except (ValueError, KeyError):
        raise ValueError(f"金额“{value}”无法识别，请填写数字，如4300万元或43000000") from None


def wan(amount, places=2):
    """Format yuan as the offices write it: 4300万元, 12.5万元."""
    if amount is None:
        return ""
    value = (Decimal(amount) / 10_000).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(value.normalize(), "f")
    return f"{text}万元"


def yuan_str(amount):
    """Serialise yuan for JSON: a decimal string with two places."""
    return str(quantize(amount or 0))
