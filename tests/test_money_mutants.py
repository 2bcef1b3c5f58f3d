"""`lib.money` at its edges: the exact value, or the exact message, a user
sees for the inputs where a slip in the reader would show (issue 23's
mutation survivors). Each message must quote exactly the wrong fragment."""

from decimal import Decimal

import pytest

from lib.money import money, numeral_end, parse_amount, parse_number, wan, yuan, yuan_str


def refusal(parse, value, **kwargs):
    with pytest.raises(ValueError) as caught:
        parse(value, **kwargs)
    return str(caught.value)


# ---------------------------------------------------------------- values read

@pytest.mark.parametrize("text, value", [
    # digits with traditional and combined units
    ("3萬", 30_000), ("1.5億", 150_000_000), ("1.2万亿", 1_200_000_000_000), ("2萬億", 2_000_000_000_000),
    # Arabic runs starting with 0 or 9, and ending in 9
    ("1亿0500万", 105_000_000), ("9万5千", 95_000), ("19万", 190_000),
    # several 零 stand for one gap
    ("一百零零五", 105), ("一千零零零五", 1005),
    # 万亿 is one unit; before it a group may not hold 万
    ("一万亿二千亿", 1_200_000_000_000),
    # 〇 alone, 零 before 点
    ("〇", 0), ("零点五万", 5_000),
    # decimals: the unit after 点, Arabic and Chinese digits after it
    ("一点二万亿", 1_200_000_000_000), ("一点二萬億", 1_200_000_000_000), ("十二点五萬", 125_000),
    ("一点六八億", 168_000_000), ("1点5万", 15_000), ("1点05万", 10_500), ("1点9万", 19_000),
    ("一点零五", Decimal("1.05")),
    # spaces, a plus sign
    ("1 200", 1200), ("+5", 5), ("+ 3 500", 3500),
])
def test_number_value(text, value):
    assert parse_number(text) == Decimal(value)


def test_number_from_python_values():
    assert parse_number(1200) == Decimal(1200)
    assert parse_number(1.5) == Decimal("1.5")


@pytest.mark.parametrize("text, unit, value", [
    # a unit written in the cell wins over the column's, with or without 点
    ("4300万", "万元", 43_000_000), ("十二点五万", "万元", 125_000), ("一千二", "万元", 12_000_000),
    # 圆/圓, 整/正 after 元, 角 and 分
    ("壹佰圆", "元", 100), ("壹佰圓", "元", 100), ("壹仟元正", "元", 1000), ("壹佰圆整", "元", 100),
    ("壹佰圓整", "元", 100), ("壹佰元伍角整", "元", Decimal("100.50")), ("壹佰元零伍分整", "元", Decimal("100.05")),
    # Arabic digits before 角 and 分
    ("5元5角", "元", Decimal("5.50")), ("5元5角6分", "元", Decimal("5.56")), ("5元零6分", "元", Decimal("5.06")),
    # rounding half up to the cent
    ("0.125", "元", Decimal("0.13")), ("1.005", "元", Decimal("1.01")), ("-0.125", "元", Decimal("-0.13")),
    ("0.0000125", "万元", Decimal("0.13")),
    # a unit the table does not know reads as yuan
    ("5", "人民币元", 5),
])
def test_amount_value(text, unit, value):
    assert parse_amount(text, unit=unit) == Decimal(value)


def test_amount_from_python_values():
    assert parse_amount(1.5, unit="万元") == Decimal(15_000)
    assert parse_amount(Decimal("0.125")) == Decimal("0.13")
    assert parse_amount("1.25", exact=True) == Decimal("1.25")
    assert parse_amount("0.0001", unit="万元", exact=True) == Decimal("1.00")


# ---------------------------------------------------------------- refusals

@pytest.mark.parametrize("text, message", [
    # letters next to digits are named, not read as digits
    ("1万A", "其中的“A”无法识别"),
    ("1万2A", "其中的“A”无法识别"),
    ("十二点A", "“点”后应只写数字（如十二点五）"),
    ("一点二点三", "“点”后应只写数字（如十二点五）"),
    # 零 with no gap around it, 零 at either end
    ("一零二", "“一零二”的数位重复或顺序颠倒"),
    ("零零五", "开头的“零”多余"),
    ("零五", "开头的“零”多余"),
    # units repeated or out of order: the repeated unit is quoted
    ("一亿亿", "“亿”的位置有误（重复或顺序颠倒）"),
    ("一万万亿", "“万”的位置有误（重复或顺序颠倒）"),
    ("一万亿二万亿", "“万亿”的位置有误（重复或顺序颠倒）"),
    # a big unit without its digit: the unit as written
    ("万亿三千", "“万亿”前缺少数字"),
    ("萬億三千", "“萬億”前缺少数字"),
    ("零万亿", "“万亿”前缺少数字"),
    ("万三", "“万”前缺少数字"),
    ("零万", "“万”前缺少数字"),
    # repeated positions: exactly the two clashing parts are quoted
    ("一百十十五", "“十十”的数位重复或顺序颠倒"),
    ("一百二十三十五", "“二十三十”的数位重复或顺序颠倒"),
    ("一千二千", "“一千二千”的数位重复或顺序颠倒"),
    ("1万2020零3", "“0零3”的数位重复或顺序颠倒"),
    ("1万0千", "“0千”中千前的数字不能为0"),
    ("1万12千", "“12千”中千前只能写一位数字"),
    ("1亿23456万", "“23456”超过四位，位置有误"),
    ("10万5", "“0万5”中间缺少“零”，无法确定“5”的位数"),
    # decimals
    ("点五", "“点”前缺少数字"),
    ("一万点五万", "小数后的“万”与前面的万、亿重复"),
    # no currency in a quantity; a bracket must close
    ("¥5", "其中的“¥”无法识别"),
    ("(1200", "其中的“(”无法识别"),
])
def test_number_refusal(text, message):
    assert refusal(parse_number, text) == f"数字“{text}”无法识别：{message}"


@pytest.mark.parametrize("value, message", [
    (None, "数字“None”无法识别"),
    (True, "数字“True”无法识别"),
])
def test_number_refuses_non_numbers(value, message):
    assert refusal(parse_number, value) == message


@pytest.mark.parametrize("text, message", [
    ("一百整", "“整”应写在“元”或“角”之后"),
    ("一元二元", "“元”出现了两次"),
    ("元五角", "“元”前缺少数字"),
    ("1.5元5角", "已写小数，不能再写角、分"),
])
def test_amount_refusal(text, message):
    assert refusal(parse_amount, text) == f"金额“{text}”无法识别：{message}"


def test_amount_refuses_empty_and_booleans():
    assert refusal(parse_amount, None) == "金额为空"
    assert refusal(parse_amount, "  ") == "金额为空"
    assert refusal(parse_amount, True) == "金额“True”无法识别"


def test_amount_finer_than_the_cent_when_exact():
    assert refusal(parse_amount, "1.005", exact=True) == "金额“1.005”换算为元后超过两位小数（1.005元），请精确到分"
    assert refusal(parse_amount, "0.0000001", unit="万元", exact=True) == (
        "金额“0.0000001”（万元）换算为元后超过两位小数（0.001元），请精确到分")


def test_amount_too_large_quotes_what_was_written():
    written = "1," + ",".join(["000"] * 10)
    assert refusal(parse_amount, written) == f"金额“{written}”过大，无法识别"
    assert refusal(yuan, Decimal("1E+30")) == "金额“1E+30”过大，无法识别"


# ---------------------------------------------------------------- numeral_end

@pytest.mark.parametrize("text, end", [
    ("12.5斤", 4), ("(1,200)件", 7), ("件", 0), ("1件", 1), ("1200", 4), ("十二件套", 2), ("一千二百件", 4),
])
def test_numeral_end(text, end):
    assert numeral_end(text) == end


# ---------------------------------------------------------------- formatting

@pytest.mark.parametrize("amount, shown", [
    (None, ""), (0, "0万元"), (-1, "0万元"), (12_250, "1.23万元"), (-12_250, "-1.23万元"),
    (-12_340_000, "-1234万元"), (123_450_000, "12,345万元"), (-123_450_000, "-12,345万元"),
])
def test_wan(amount, shown):
    assert wan(amount) == shown


@pytest.mark.parametrize("amount, shown", [
    (None, ""), ("", ""), (0, "0元"), (4500, "4500元"), (Decimal("12.5"), "12.50元"), (Decimal("0.125"), "0.13元"),
    (9999, "9999元"), (Decimal("9999.99"), "9999.99元"), (10_000, "1万元"), (20_000, "2万元"),
    (-4500, "-4500元"), (-20_000, "-2万元"),
])
def test_money(amount, shown):
    assert money(amount) == shown


def test_yuan_str():
    assert yuan_str(None) == "0.00"
    assert yuan_str(0) == "0.00"
    assert yuan_str(Decimal("0.125")) == "0.13"
