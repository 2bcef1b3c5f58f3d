"""Money as the offices write it: parsing and 万元 formatting, always Decimal.

Reading amounts and numbers
===========================

`parse_amount` (money, in yuan) and `parse_number` (quantities: 数量, 人数)
read a cell exactly or refuse it with a Chinese message saying what could not
be read. They never guess: a form that could mean two numbers is refused.

Arabic digits
    3500, 3,500.50, full-width digits (１２００), a leading + or -, and the
    accounting negative (1,200) = -1200 (the column's own rules then refuse
    negatives where they must). Commas must group by three (12,00 is refused:
    it may be a decimal comma). Spaces are ignored.

Currency marks
    ¥, ￥, 人民币, RMB or CNY before the amount (also inside the brackets of a
    negative): ¥1,234.5, 人民币壹仟贰佰元整, (¥1,200).

Chinese numerals, read by position
    Ordinary (一二三 … 十百千万亿, 两 = 2, 〇 = 零) and financial capitals
    (壹贰叁 … 拾佰仟, and the traditional 貳 參 陸 萬 億 圓, which the People's
    Bank accepts). Each digit stands before its unit: 十 alone is 一十
    (十二 = 12, 一百十 = 110); 百 and 千 need their digit (百万 is refused).
    Units fall from left to right; 万 and 亿 close a group of four positions,
    the group before 亿 may hold 万 (一万二千亿), and 万亿 is 10^12.

    A gap inside the number is written 零 (一千零二 = 1002, 两万零一百六 =
    20160; one 零, or several, stand for any run of empty positions). A gap
    without 零 is refused (一千二十, 一万二十: missing 零 is the usual way a
    number is misread), except where the payment rules let it be left out:
    when the gap ends at the 千 position of the group right below
    (十万七千 = 107000, 一百万三千 = 1003000, 十亿三千万). Our judgement: a
    whole empty group still needs its 零 (一亿三千 is refused: it may be a
    shortened 一亿三千万). A 零 with no gap around it is refused (一千零二百), and so are
    a leading or trailing 零 (零五, 一千零). Digits written one after another
    have no position (二二, 一千二三): refused.
    Source for 零 and 整: 中国人民银行《支付结算办法》附件《正确填写票据和结算凭证
    的基本规定》 (a 零 for each gap; it may be left out when the 万 or 元 position
    is 0 and the 千 or 角 position is not; 整/正 after 元 and 角).

The spoken abbreviation
    A last digit written right after 百, 千, 万 or 亿 that itself follows a
    digit counts one position lower, as spoken: 一千二 = 1200, 一百六 = 160,
    三万五 = 35000, 十二万五 = 125000, 一万二千五 = 12500, 一亿二 =
    120000000, 3万5 = 35000 (while 二十五 = 25 and 一千零二 = 1002 are
    ordinary). Our judgement, to keep it from misreading: it applies only to
    ordinary numerals and Arabic digits, and only at the very end of the
    cell. 一千二元, 一千二万, 一千二点五 and 壹仟贰 are refused: a written 元
    or capitals mark a formal amount, where the payment rules want every unit
    written, so the writer may have meant 1002. 一百万五 and 十万五 (the unit
    does not follow a digit) are refused too.

Arabic digits with units
    4300万, 1.68亿, 1.2万亿 (GB/T 15835-2011 《出版物上数字用法》 writes large
    Arabic numbers with 万 and 亿), and, our judgement, digits in place of
    Chinese ones: 1万2千 = 12000, 1千2百 = 1200, 1亿2000万 = 120000000. Before
    十, 百 or 千 only one digit may stand (12千 is refused); a decimal is
    followed by at most one of 万, 亿, 万亿 (1.2万5千 is refused).

Decimals in Chinese (our judgement)
    点 is how a decimal is said: 十二点五万 = 125000, 一点六八亿 = 168000000,
    零点五 = 0.5. The digits after 点 are read one by one (点十 is refused);
    when 万 or 亿 follows them, the part before 点 holds neither.

元角分 (the payment rules)
    叁佰元伍角 = 300.50, 叁佰贰拾伍元零肆分 = 325.04, 壹仟贰佰元整 = 1200,
    伍角 = 0.50; 圆 = 元; 整 or 正 may close an amount ending in 元, 角 or 分.
    角 and 分 take one digit each; a decimal together with 角 or 分 is refused,
    and so is 角 or 分 after a number without 元 (一百五角).

Units
    A number without a unit of its own (no 元, 万元, 亿元, nor 万 or 亿 in the
    numeral) is in the column's unit: in a 金额（万元） column 一千二 is
    12,000,000 元 and 4300 is 43,000,000 元. A unit written in the cell wins:
    三万五 is 35,000 元 and 壹仟贰佰元整 is 1,200 元 in any column.

Limits
    Amounts are rounded half-up to the cent (the columns store cents).
    Numbers beyond 28 significant digits (1e300), NaN and infinities are
    refused with a message; each column refuses values beyond its own limits.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "万": Decimal(10_000),
         "亿元": Decimal(100_000_000), "亿": Decimal(100_000_000)}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋（）", "0123456789.,-+()")
_SPACE = re.compile(r"\s+")
_CURRENCY = re.compile(r"^(?:人民币|RMB|CNY|¥|￥)+", re.IGNORECASE)

_ZERO = "零〇"
_DIGIT = {"一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3, "參": 3, "叄": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}
_SMALL = {"十": 1, "拾": 1, "百": 2, "佰": 2, "千": 3, "仟": 3}
_BIG = {"万": 4, "萬": 4, "亿": 8, "億": 8}
_CAPITALS = frozenset("壹贰貳叁參叄肆伍陆陸柒捌玖拾佰仟")
_NUMERAL_CHARS = frozenset("0123456789.,点" + _ZERO + "".join(_DIGIT) + "".join(_SMALL) + "".join(_BIG))
_LOWER = {2: "十", 3: "百", 4: "千", 8: "千万", 12: "千亿"}  # the position below a unit, as named in messages

_ARABIC = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(万亿|萬億|万|萬|亿|億)?")
_ONE = "[1-9" + "".join(_DIGIT) + "]"
_CENTS_AFTER_YUAN = re.compile(f"(?:零?(?:({_ONE})角(?:({_ONE})分)?|({_ONE})分))?")
_CENTS_ONLY = re.compile(f"({_ONE})角(?:({_ONE})分)?|({_ONE})分")


class _Unreadable(ValueError):
    """What could not be read, in words; the public functions add the value."""


def quantize(value, written=None):
    """Round to the cent; `written` is the amount as the cell had it, for the message."""
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # Decimal keeps 28 significant digits: an amount like 1e300 cannot
        # be held to the cent, and no ledger column could store it anyway.
        raise ValueError(f"金额“{value if written is None else written}”过大，无法识别") from None


def _magnitude(unit):
    return {"万": 4, "萬": 4, "亿": 8, "億": 8, "万亿": 12, "萬億": 12}[unit]


class _Token:
    __slots__ = ("kind", "digits", "exp", "start", "end")

    def __init__(self, kind, start, end, digits="", exp=0):
        # kind: "n" a number (one Chinese digit or a run of Arabic ones), "z"
        # a 零, "u" 十百千, "b" 万亿; start/end: where it is in the text.
        self.kind, self.digits, self.exp, self.start, self.end = kind, digits, exp, start, end


def _tokens(text):
    tokens, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if "0" <= ch <= "9":
            j = i
            while j < n and "0" <= text[j] <= "9":
                j += 1
            token = _Token("n", i, j, digits=text[i:j])
        elif ch in _ZERO:
            if tokens and tokens[-1].kind == "z":
                tokens[-1].end = i + 1  # 零零 is one gap
                i += 1
                continue
            token = _Token("z", i, i + 1)
        elif ch in _DIGIT:
            token = _Token("n", i, i + 1, digits=str(_DIGIT[ch]))
        elif ch in _SMALL:
            token = _Token("u", i, i + 1, exp=_SMALL[ch])
        elif ch in _BIG:
            if ch in "万萬" and text[i + 1:i + 2] in ("亿", "億"):
                token = _Token("b", i, i + 2, exp=12)
            else:
                token = _Token("b", i, i + 1, exp=_BIG[ch])
        elif ch == ",":
            raise _Unreadable("千分位逗号位置不对（应每三位一个，如3,500.50）")
        else:
            raise _Unreadable(f"其中的“{ch}”无法识别")
        if token.kind == "n" and tokens and tokens[-1].kind == "n":
            raise _Unreadable(f"“{text[tokens[-1].start:token.end]}”是连写的数字，无法确定各自的位数")
        tokens.append(token)
        i = token.end
    return tokens


class _Digit:
    __slots__ = ("value", "exp", "start", "end")

    def __init__(self, value, exp, start, end):
        self.value, self.exp, self.start, self.end = value, exp, start, end


def _section(tokens, text):
    """Return the digits and 零s of a group below 万 (positions 0 to 3)."""
    events, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind == "z":
            events.append(None)
        elif token.kind == "u":
            if token.exp != 1:
                raise _Unreadable(f"“{text[token.start]}”前缺少数字（如一{text[token.start]}）")
            events.append(_Digit(1, 1, token.start, token.end))  # 十 alone is 一十
        elif following is not None and following.kind == "u":
            if len(token.digits) != 1:
                raise _Unreadable(f"“{text[token.start:following.end]}”中{text[following.start]}前只能写一位数字")
            if token.digits == "0":
                raise _Unreadable(f"“{text[token.start:following.end]}”中{text[following.start]}前的数字不能为0")
            events.append(_Digit(int(token.digits), following.exp, token.start, following.end))
            i += 1
        else:
            width = len(token.digits)
            if width > 4:
                raise _Unreadable(f"“{text[token.start:token.end]}”超过四位，位置有误")
            for k, ch in enumerate(token.digits):
                events.append(_Digit(int(ch), width - 1 - k, token.start + k, token.start + k + 1))
        i += 1
    return events


def _place(tokens, cap, text):
    """Return the digits (with their positions) and 零s of tokens that stand
    for a number below 10**cap, in written order."""
    bigs = [t for t in tokens if t.kind == "b"]
    if not bigs:
        return _section(tokens, text)
    top = max(t.exp for t in bigs)
    at = [t for t in bigs if t.exp == top]
    if top >= cap or len(at) > 1:
        raise _Unreadable(f"“{text[at[-1].start:at[-1].end]}”的位置有误（重复或顺序颠倒）")
    split = tokens.index(at[0])
    head, tail = tokens[:split], tokens[split + 1:]
    unit = text[at[0].start:at[0].end]
    if not head or head[-1].kind == "z":
        raise _Unreadable(f"“{unit}”前缺少数字")
    # Before 亿 a group may hold 万 (一万二千亿); before 万 and 万亿, four positions.
    events = []
    for event in _place(head, 8 if top == 8 else 4, text):
        if event is not None:
            event.exp += top
        events.append(event)
    return events + (_place(tail, top, text) if tail else [])


def _integer(text, at_end):
    """Return the integer a Chinese (or mixed) numeral stands for, and
    whether it holds 万 or 亿. `at_end`: nothing follows it in the cell, so
    the spoken abbreviation (一千二) may apply."""
    if text in ("零", "〇"):
        return 0, False
    tokens = _tokens(text)
    if not tokens:
        raise _Unreadable("缺少数字")
    last = None
    if len(tokens) >= 3 and tokens[-1].kind == "n" and len(tokens[-1].digits) == 1 \
            and tokens[-2].kind in "ub" and tokens[-2].exp >= 2 \
            and tokens[-3].kind == "n" and tokens[-3].digits[-1] != "0":
        # 千二, 万五: one position lower, as spoken, but only where nothing else can be meant.
        unit, digit = text[tokens[-2].start:tokens[-2].end], text[tokens[-1].start]
        if not at_end or _CAPITALS.intersection(text):
            raise _Unreadable(f"“{unit}{digit}”无法确定是“{unit}{digit}{_LOWER[tokens[-2].exp]}”还是“{unit}零{digit}”，"
                              f"请写完整")
        last = tokens.pop()
    events = _place(tokens, 16, text)
    if last is not None:
        events.append(_Digit(int(last.digits), events[-1].exp - 1, last.start, last.end))
    if events[0] is None:
        raise _Unreadable("开头的“零”多余")
    if events[-1] is None:
        raise _Unreadable("末尾的“零”多余")
    previous, zero = None, False
    for event in events:
        if event is None:
            zero = True
            continue
        if previous is not None:
            piece = text[previous.start:event.end]
            if event.exp >= previous.exp:
                raise _Unreadable(f"“{piece}”的数位重复或顺序颠倒")
            gap = previous.exp - event.exp > 1
            # The payment rules let the 零 go when the 万 position is empty and
            # the 千 below it is not (十万七千); a whole empty group still needs
            # it (一亿三千 may be a shortened 一亿三千万).
            if gap and not zero and not (event.exp % 4 == 3 and previous.exp // 4 == event.exp // 4 + 1):
                raise _Unreadable(f"“{piece}”中间缺少“零”，无法确定“{text[event.start:event.end]}”的位数")
            if zero and not gap:
                raise _Unreadable(f"“{piece}”中的“零”前后没有空位，无法确定其意思")
        previous, zero = event, False
    return sum(event.value * 10 ** event.exp for event in events if event is not None), any(
        t.kind == "b" for t in tokens)


def _numeral(text, at_end):
    """Return (exact Decimal, whether the numeral holds 万 or 亿) for the
    number part of a cell: Arabic digits, Chinese numerals or both."""
    if not text:
        raise _Unreadable("缺少数字")
    m = _ARABIC.fullmatch(text)
    if m:
        whole, fraction, unit = m.groups()
        number = Decimal(whole.replace(",", "") + ("." + fraction if fraction else ""))
        return (number.scaleb(_magnitude(unit)) if unit else number), bool(unit)
    for point in ("点", "."):
        if point in text:
            whole, _, rest = text.partition(point)
            unit = ""
            for candidate in ("万亿", "萬億", "万", "萬", "亿", "億"):
                if rest.endswith(candidate):
                    unit, rest = candidate, rest[:-len(candidate)]
                    break
            if not rest or any(ch not in _DIGIT and ch not in _ZERO and not "0" <= ch <= "9" for ch in rest):
                raise _Unreadable(f"“{point}”后应只写数字（如十二点五）")
            integer, big = _integer(whole, at_end=False) if whole else (None, False)
            if integer is None:
                raise _Unreadable(f"“{point}”前缺少数字")
            if big and unit:
                raise _Unreadable(f"小数后的“{unit}”与前面的万、亿重复")
            digits = "".join(ch if "0" <= ch <= "9" else str(_DIGIT.get(ch, 0)) for ch in rest)
            number = Decimal(f"{integer}.{digits}")
            return (number.scaleb(_magnitude(unit)) if unit else number), big or bool(unit)
    integer, big = _integer(text, at_end)
    return Decimal(integer), big


def _normal(value):
    return _SPACE.sub("", str(value).translate(_FULLWIDTH))


def _signed(text, currency):
    """Split a sign off: -, +, 负 or the accounting brackets (1,200).
    Returns (negative, rest)."""
    drop = (lambda t: _CURRENCY.sub("", t)) if currency else (lambda t: t)
    text = drop(text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, drop(text[1:-1])
    if text[:1] in ("+", "-", "负"):
        if negative:
            raise _Unreadable("括号与正负号重复")
        negative, text = text[0] != "+", drop(text[1:])
    return negative, text


def _generic(text):
    """Tell whether a refusal should just say "not a number": the text has
    nothing of a number in it (abc, x)."""
    return not any(ch in _NUMERAL_CHARS for ch in text)


def _amount(text):
    """Return (exact Decimal, whether the cell states its own unit)."""
    negative, text = _signed(text, currency=True)
    if text[-1:] in ("整", "正"):
        if text[-2:-1] not in ("元", "圆", "圓", "角", "分"):
            raise _Unreadable(f"“{text[-1]}”应写在“元”或“角”之后")
        text = text[:-1]
    text = text.replace("圆", "元").replace("圓", "元")
    if text.count("元") > 1:
        raise _Unreadable("“元”出现了两次")
    jiao = fen = None
    if "元" in text:
        number, _, cents = text.partition("元")
        m = _CENTS_AFTER_YUAN.fullmatch(cents)
        if m is None:
            raise _Unreadable(f"“元”后的“{cents}”无法识别（应为几角几分，如伍角、零肆分）")
        jiao, fen = m.group(1), m.group(2) or m.group(3)
        if not number:
            raise _Unreadable("“元”前缺少数字")
        amount, _ = _numeral(number, at_end=False)
        if (jiao or fen) and amount != amount.to_integral_value():
            raise _Unreadable("已写小数，不能再写角、分")
        written = True
    else:
        m = _CENTS_ONLY.search(text)
        if m and m.end() == len(text):
            if m.start():
                raise _Unreadable(f"“{text[m.start():]}”前应写“元”（如一百元五角）")
            jiao, fen = m.group(1), m.group(2) or m.group(3)
            amount, written = Decimal(0), True
        else:
            amount, written = _numeral(text, at_end=True)
    for digit, scale in ((jiao, -1), (fen, -2)):
        if digit:
            amount += Decimal(int(digit) if digit.isdigit() else _DIGIT[digit]).scaleb(scale)
    return (-amount if negative else amount), written


def parse_amount(value, unit="元", exact=False):
    """Return a Decimal amount in yuan, or raise ValueError with a Chinese message.

    `unit` is the unit of numbers without one (from a header like
    金额（万元）); a unit written in the cell itself wins. The forms read and
    refused are in the module's docstring. `exact`: refuse an amount finer
    than the cent instead of rounding it (a form says what to fix; a ledger
    cell written by a formula is rounded as Excel shows it).
    """
    amount = _parse_amount(value, unit)
    rounded = quantize(amount, value)
    if exact and rounded != amount:
        raise ValueError(f"金额“{value}”{'' if unit == '元' else '（' + unit + '）'}换算为元后超过两位小数"
                         f"（{amount.normalize():f}元），请精确到分")
    return rounded


def _parse_amount(value, unit):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("金额为空")
    if isinstance(value, bool):
        raise ValueError(f"金额“{value}”无法识别")
    factor = UNITS.get(unit, Decimal(1))
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"金额“{value}”无法识别")
        return Decimal(value) * factor
    if isinstance(value, float):
        if not math.isfinite(value):  # only a crafted file holds one
            raise ValueError(f"金额“{value}”无法识别")
        # Excel stores numbers as binary floats; repr gives the shortest
        # decimal that reads back the same, which is what the user typed.
        return Decimal(repr(value)) * factor
    text = _normal(value)
    try:
        amount, written = _amount(text)
    except _Unreadable as e:
        if _generic(_CURRENCY.sub("", text)):
            raise ValueError(f"金额“{value}”无法识别，请填写数字，如4300万元或43000000") from None
        raise ValueError(f"金额“{value}”无法识别：{e}") from None
    return amount if written else amount * factor


def parse_number(value):
    """Return the exact Decimal a quantity cell stands for (1200, 1,200,
    1.2万, 一千二, 一千二百, (1,200)), or raise ValueError with a Chinese
    message. The rules are parse_amount's without currency, 元角分 and a
    header's unit; columns round and bound the result themselves."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"数字“{value}”无法识别")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # NaN and infinities too: the column words its limits
    text = _normal(value)
    try:
        negative, text = _signed(text, currency=False)
        number, _ = _numeral(text, at_end=True)
    except _Unreadable as e:
        if _generic(text):
            raise ValueError(f"数字“{value}”无法识别，请填写数字，如1200或一千二百") from None
        raise ValueError(f"数字“{value}”无法识别：{e}") from None
    return -number if negative else number


def numeral_end(text):
    """Return the length of the leading part of `text` that may belong to a
    number: what follows it is a measure word (12.5斤, 一千二百件)."""
    end = len(text)
    while end and text[end - 1] not in _NUMERAL_CHARS and text[end - 1] != ")":
        end -= 1
    return end


def grouped(value):
    """Write a Decimal without exponent, grouping the whole part by three
    from five digits on: 4300, 12,345.6 (GB/T 15835-2011 lets four digits
    stand ungrouped, which is how offices write 4300万元)."""
    text = format(value, "f")
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, fraction = text.partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}"
    return f"{sign}{whole}{dot}{fraction}"


def yuan(amount):
    """Format yuan as a preview shows what will be stored: 12,000,000.00元."""
    return f"{quantize(amount):,}元"


def wan(amount, places=2):
    """Format yuan as the offices write it: 4300万元, 12.5万元, 12,345万元."""
    if amount is None:
        return ""
    value = (Decimal(amount) / 10_000).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{grouped(value.normalize() if value else Decimal(0))}万元"


def money(amount):
    """Format an amount in yuan for people, the one way every page, message
    and table shows money: 万元 from ten thousand on (541.5万元, 4300万元,
    12,345.68万元), yuan below it (4500元, 12.50元, 0元). None is blank."""
    if amount is None or amount == "":
        return ""
    amount = quantize(amount)
    if abs(amount) >= 10_000:
        return wan(amount)
    if amount == amount.to_integral_value():
        return f"{grouped(amount.quantize(Decimal(1)))}元"
    return f"{grouped(amount)}元"


def yuan_str(amount):
    """Serialise yuan for JSON: a decimal string with two places."""
    return str(quantize(amount or 0))
