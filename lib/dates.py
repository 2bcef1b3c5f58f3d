"""Dates as the offices write them."""

import datetime
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９．／－", "0123456789./-")
_PATTERN = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
# 20220626: eight digits, as typed without separators. No Excel serial
# number has eight digits (the last day Excel knows, 9999-12-31, is 2958465).
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value):
    """Return a date from 2022年6月26日, 2022.6.26, 2022/6/26, 2022-06-26,
    20220626 or an Excel serial number; raise ValueError with a Chinese
    message otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("日期为空")
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        if 10_000_000 <= value < 100_000_000 and value == int(value):
            return parse_date(str(int(value)))  # 20220626 typed into a number cell
        raise ValueError(f"日期“{value}”无法识别")
    text = str(value).strip().translate(_FULLWIDTH)
    text = re.sub(r"[T ]00:00(:00)?$", "", text)
    m = _PATTERN.match(text) or _COMPACT.match(text)
    if m is None:
        if re.fullmatch(r"\d+(\.0+)?", text):
            return parse_date(float(text))
        raise ValueError(f"日期“{value}”无法识别，请写成2022年6月26日或2022-06-26")
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"日期“{value}”不存在") from None


def cn_date(value):
    """Format as 2022年6月26日; a moment (an aware datetime, stored in UTC)
    is dated in the offices' time zone (settings.TIME_ZONE, Asia/Shanghai):
    a report made at 03:29 on 5 December is dated 12月5日, not 12月4日."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"
