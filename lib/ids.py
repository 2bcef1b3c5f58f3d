"""Checks for the two national identifiers the ledgers carry.

统一社会信用代码 follows GB 32100-2015, 公民身份号码 follows GB 11643-1999.
Both return the normalised value or raise ValueError with a Chinese message
that says what is wrong, so callers can show it next to the field or row.
"""

import datetime

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)


def uscc_check_char(first17):
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_uscc(value):
    """Return the 统一社会信用代码 in canonical form or raise ValueError."""
    code = str(value or "").strip().translate(_FULLWIDTH).upper().replace(" ", "")
    if len(code) != 18:
        raise ValueError(f"统一社会信用代码应为18位，实际为{len(code)}位")
    bad = [c for c in code if c not in USCC_CHARSET]
    if bad:
        raise ValueError(f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用I、O、Z、S、V）")
    if not code[2:8].isdigit():
        raise ValueError("统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(f"统一社会信用代码校验位错误：应为“{expected}”，实际为“{code[17]}”")
    return code


def make_uscc(first17):
    """Return a full code for 17 leading characters (used for illustrative data)."""
    return first17 + uscc_check_char(first17)


def id_check_char(first17):
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def normalize_id_number(value):
    """Return the 18-digit 身份证号 (upper-case X) or raise ValueError."""
    raw = str(value or "").strip().translate(_FULLWIDTH).replace(" ", "")
    if len(raw) != 18:
        raise ValueError(f"身份证号应为18位，实际为{len(raw)}位")
    number = raw[:17] + raw[17].upper()
    if not number[:17].isdigit():
        raise ValueError("身份证号前17位应全部为数字")
    if not (number[17].isdigit() or number[17] == "X"):
        raise ValueError("身份证号最后一位应为数字或X")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(f"身份证号中的出生日期“{number[6:14]}”不是有效日期") from None
    if birth.year < 1900 or birth > datetime.date.today():
        raise ValueError(f"身份证号中的出生日期“{number[6:14]}”不在合理范围内")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValueError(f"身份证号校验位错误：应为“{expected}”，实际为“{number[17]}”")
    return number


def id_birth_date(number):
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_gender(number):
    """Return "男" or "女" from the sequence digit (odd is male)."""
    return "男" if int(number[16]) % 2 else "女"


def make_id_number(first17):
    return first17 + id_check_char(first17)


def mask_id_number(number):
    """Show the first four and the last four characters: 6301**********1234.

    Why not the region code and the birth date: see "What is shown" in
    `lib.pii`. Masking an already masked number gives the same text, so old
    masked values can be passed through again.
    """
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone):
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:]


ACCOUNT_MESSAGE = "投标保证金转出账户应为6至40位数字的银行账号"


def normalize_account(value):
    """Return a bank account number as digits only, or raise ValueError with
    a Chinese message.

    Full-width digits are read as digits; spaces and dashes (as printed on a
    card or a deposit slip) are dropped. An account number is 6 to 40 digits.
    """
    text = str(value or "").strip().translate(_FULLWIDTH)
    digits = "".join(text.split()).replace("-", "").replace("－", "")
    if not digits:
        raise ValueError("投标保证金转出账户为空")
    if not (digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 40):
        raise ValueError(ACCOUNT_MESSAGE)
    return digits


def mask_account(account):
    """Show the first four and the last four digits of a bank account:
    6222********0012.

    A short number keeps fewer (a quarter of its length at each end), so at
    least half of any number is hidden: 62******12, and a number of three
    characters or fewer is all stars. Masking an already masked number gives
    the same text, so old values can be passed through again.
    """
    if not account:
        return ""
    text = str(account)
    keep = min(4, len(text) // 4)
    if not keep:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]
